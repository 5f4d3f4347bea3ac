"""pytest-seeds: run Markdown API seed documents as pytest tests.

The package exports the public data types only; importing it loads neither pytest nor
the HTTP stack. The pytest plugin is :mod:`pytest_seeds.plugin` (registered through the
``pytest11`` entry point).
"""

from pytest_seeds.model import Phase, Seed, SeedError, Step
from pytest_seeds.running.routing import Target
from pytest_seeds.secrets.secret import Secret
from pytest_seeds.settings import Settings

__all__ = ["Phase", "Secret", "Seed", "SeedError", "Settings", "Step", "Target"]
