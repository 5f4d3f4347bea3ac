"""An embedded, stateful sandbox of the API for running seeds without a real backend.

Start it with ``with Sandbox() as sb: ...`` (or ``python -m pytest_seeds.sandbox``); it
serves the main API at ``sb.url``, the fallback API at ``sb.fallback_url`` and the
partners API at ``sb.partners_url``, and accepts the fake :data:`DEMO_TOKENS`.
"""

from __future__ import annotations

from .demo import DEMO_PARAMS, DEMO_TOKENS
from .server import Sandbox

__all__ = ["DEMO_PARAMS", "DEMO_TOKENS", "Sandbox"]
