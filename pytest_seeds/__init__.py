"""pytest-seeds: run Markdown API seed documents as pytest tests."""

from .auth import Target
from .config import Settings
from .model import Phase, Seed, SeedError, Step
from .plugin import get_settings

__all__ = ["Phase", "Seed", "SeedError", "Settings", "Step", "Target", "get_settings"]
