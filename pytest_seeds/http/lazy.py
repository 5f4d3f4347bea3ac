"""A module imported on its first attribute access: the HTTP stack only when a seed runs."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any


class LazyModule:
    """Stands for ``name``; imports it at the first attribute read, then reads through it.

    The module is looked up in ``sys.modules`` on every read, never kept: a test run that
    restores ``sys.modules`` (pytester's in-process runs do) gets the module of its time.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        module: ModuleType = sys.modules.get(self._name) or importlib.import_module(self._name)
        return getattr(module, attribute)
