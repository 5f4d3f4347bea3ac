"""JSONPath text parsed by jsonpath-ng, once per text in a process.

jsonpath-ng builds its parser tables again on every parse (about a millisecond); seeds
repeat the same few paths, and a path checked when its seed is read is the one its run
evaluates. jsonpath-ng is imported by the first path parsed.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Any:
    """The parsed path (jsonpath-ng's extended syntax); raises jsonpath-ng's own errors."""
    from jsonpath_ng.ext.parser import parse as parse_jsonpath

    return parse_jsonpath(text)
