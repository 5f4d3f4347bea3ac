"""The README's examples, run as tests: what the README shows is what the plugin does."""
