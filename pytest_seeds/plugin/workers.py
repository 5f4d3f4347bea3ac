"""What the pytest-xdist workers of a run share: the rate limit's schedule.

The controller makes one private temporary folder per run (when ``--seeds-rate`` is set)
and tells every worker, restarted ones included, where its schedule file is
(``workerinput``); each worker's HTTP client books its requests' slots there
(:class:`~pytest_seeds.http.ratelimit.SharedRateLimiter`). The folder goes when the run ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from pytest_seeds.http.ratelimit import RateLimiter, SharedRateLimiter, worker_share
from pytest_seeds.plugin.state import get_settings

RATE_SCHEDULE = "seeds_rate_schedule"  # the workerinput key: the schedule file's path
_SCHEDULE_KEY = pytest.StashKey[Path]()


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller, before each worker starts: the run's rate schedule, if any."""
    config: pytest.Config = node.config
    if get_settings(config).rate > 0:
        if _SCHEDULE_KEY not in config.stash:
            folder = tempfile.mkdtemp(prefix="pytest-seeds-rate-")
            config.add_cleanup(partial(shutil.rmtree, folder, ignore_errors=True))
            config.stash[_SCHEDULE_KEY] = Path(folder) / "schedule"
        node.workerinput[RATE_SCHEDULE] = str(config.stash[_SCHEDULE_KEY])


def rate_limiter(config: pytest.Config, rate: float) -> RateLimiter:
    """This process's limiter: the run's shared schedule in an xdist worker, else its own."""
    workerinput = getattr(config, "workerinput", None)
    if rate <= 0 or workerinput is None:
        return RateLimiter(rate)
    schedule = workerinput.get(RATE_SCHEDULE)
    if schedule and Path(schedule).parent.is_dir():
        return SharedRateLimiter(rate, Path(schedule))
    return RateLimiter(worker_share(rate, os.environ))  # a worker on another machine
