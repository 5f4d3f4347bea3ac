"""The plugin's test suite: a package, so its modules import helpers as ``tests.helpers``."""
