"""A run split over machines (shards): how many, which one, and the seeds it had before the split.

pytest-split (``--splits N --group G``), or another splitter, keeps one part of the
collected items on each machine and deselects the rest. The plugin reads the shard count
to share ``--seeds-rate`` out over the shards (:func:`shard_count`: ``--seeds-shards``, else
pytest-split's ``--splits``), and records the seeds each process had just before the
split (:class:`SeedsBeforeSplit`), so that ``pytest-seeds merge`` can tell a seed that ran
in no shard from one that ``-m``, ``-k`` or ``--deselect`` left out of every shard.
pytest_split is never imported: its options are read when it has added them.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from pytest_seeds import settings as seeds_config
from pytest_seeds.plugin.items import BrokenSeedItem, SeedItem

SEEDS_BEFORE_SPLIT = "seeds_before_split"  # the workeroutput key: the seeds a worker had
BEFORE_SPLIT_KEY = pytest.StashKey[list[str]]()


def _split_option(config: pytest.Config, name: str) -> int | None:
    """pytest-split's ``--splits`` or ``--group`` (None without pytest-split, or not given)."""
    value: Any = config.getoption(name, None)
    return value if isinstance(value, int) and value > 0 else None


def shard_count(config: pytest.Config, settings: seeds_config.Settings) -> int:
    """How many shards run this run's parts at once: ``--seeds-shards``, ``--splits``, else 1."""
    splits = _split_option(config, "splits")
    if settings.shards and splits and settings.shards != splits:
        raise pytest.UsageError(
            f"{_shards_given(config, settings.shards)} and pytest-split's --splits {splits} "
            "disagree: give only --splits"
        )
    return settings.shards or splits or 1


def _shards_given(config: pytest.Config, shards: int) -> str:
    """``--seeds-shards N``, ``SEEDS_SHARDS=N`` or the ini key, as the shard count was given."""
    setting = next(setting for setting in seeds_config.SETTINGS if setting.name == "shards")
    if config.getoption(f"seeds_{setting.name}", None):
        return f"{setting.flag} {shards}"
    if setting.env and os.environ.get(setting.env):
        return f"{setting.env}={shards} (environment)"
    return f"ini {setting.ini} = {shards}"


def shard_group(config: pytest.Config) -> int | None:
    """Which shard this is (1-based): pytest-split's ``--group``; None when not known."""
    return _split_option(config, "group") if _split_option(config, "splits") else None


class SeedsBeforeSplit:
    """Notes the seeds a process has after ``-m``/``-k``/``--deselect`` and before the split.

    Its hook is ``trylast``, as pytest-split's is, and it is registered first (when the run is
    configured, before pytest-split registers its splitter): pluggy calls the ``trylast``
    implementations registered first before those registered later. Each xdist worker
    collects every seed, so any worker's list is the run's (sent as ``workeroutput``).
    """

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        seeds = [item.location[0] for item in items if isinstance(item, SeedItem | BrokenSeedItem)]
        self.config.stash[BEFORE_SPLIT_KEY] = seeds

    def pytest_collection_finish(self) -> None:
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:
            workeroutput[SEEDS_BEFORE_SPLIT] = self.config.stash.get(BEFORE_SPLIT_KEY, [])
