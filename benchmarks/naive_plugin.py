"""The minimal seed collector pytest-seeds is measured against (never auto-loaded).

One File per seed, the front matter and every fenced YAML block parsed with
libyaml's CSafeLoader, one Item per seed, one GET per item (its first step)
through a shared ``requests.Session`` (requests imported by the first request, as
pytest-seeds imports it only when a seed runs). Load it with ``benchmarks/`` on
``PYTHONPATH`` and ``-p naive_plugin``; it reads ``SEEDS_BASE_URL`` and
``SEEDS_TOKEN_STAFF`` from the environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

_BLOCK = re.compile(r"^```ya?ml\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SESSION: Any = None  # a requests.Session, made (and requests imported) by the first request


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    return NaiveFile.from_parent(parent, path=file_path) if file_path.suffix == ".md" else None


class NaiveFile(pytest.File):
    """A Markdown file: one item when its front matter has ``endpoint``."""

    def collect(self) -> Iterator[pytest.Item]:
        text = self.path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            return
        front_text, _, body = text[4:].partition("\n---\n")
        front = yaml.load(front_text, Loader=yaml.CSafeLoader)
        if not isinstance(front, dict) or "endpoint" not in front:
            return
        steps: list[Any] = []
        for block in _BLOCK.findall(body):
            data = yaml.load(block, Loader=yaml.CSafeLoader)
            if isinstance(data, dict) and isinstance(data.get("steps"), list):
                steps += data["steps"]
        yield NaiveItem.from_parent(self, name=str(front["endpoint"]), steps=steps)


class NaiveItem(pytest.Item):
    """Sends the seed's first step as a GET and checks the status."""

    def __init__(self, *, steps: list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.steps = steps

    def runtest(self) -> None:
        global _SESSION
        if _SESSION is None:
            import requests  # imported only when a request is made, as pytest-seeds does

            _SESSION = requests.Session()
        step = self.steps[0]
        token = os.environ.get("SEEDS_TOKEN_STAFF", "")
        response = _SESSION.get(
            os.environ["SEEDS_BASE_URL"] + step["path"],
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        wanted = (step.get("expect") or {}).get("status", 200)
        assert response.status_code == wanted, f"{response.status_code} != {wanted}"

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.name
