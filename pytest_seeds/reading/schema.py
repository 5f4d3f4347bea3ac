"""The seed schema shipped in the package: the one list of the keys a seed may hold.

``seed.schema.json`` (JSON Schema 2020-12) describes a seed's front matter and a steps
block for editors and validators; lint takes its known keys from it, so that the two
never disagree (docs/seed-format.md). Read once per process, on first use.

``python -m pytest_seeds.reading.schema`` prints the file's path, for an editor's settings.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any, cast

PACKAGE, SCHEMA_FILE = "pytest_seeds.reading", "seed.schema.json"
DOCUMENTATION_ONLY = "x-documentation-only"  # a run does not read the key


@functools.cache
def seed_schema() -> Mapping[str, Any]:
    """The schema as a mapping (do not change it: it is shared)."""
    text = resources.files(PACKAGE).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return cast(Mapping[str, Any], json.loads(text))


def _definition(name: str) -> Mapping[str, Any]:
    return cast(Mapping[str, Any], seed_schema()["$defs"][name])


def keys_of(name: str) -> tuple[str, ...]:
    """The keys a mapping of the definition ``name`` may hold, in the schema's order:
    ``frontMatter``, ``stepsBlock``, ``step``, ``expect`` (a step's), ``fileField``."""
    return tuple(_definition(name)["properties"])


def required_of(name: str) -> tuple[str, ...]:
    """The keys a mapping of the definition ``name`` must hold."""
    return tuple(_definition(name).get("required", ()))


def documentation_only(name: str) -> frozenset[str]:
    """The keys of the definition ``name`` that a run does not read."""
    properties = _definition(name)["properties"]
    return frozenset(key for key, value in properties.items() if value.get(DOCUMENTATION_ONLY))


if __name__ == "__main__":
    with resources.as_file(resources.files(PACKAGE).joinpath(SCHEMA_FILE)) as path:
        print(path)
