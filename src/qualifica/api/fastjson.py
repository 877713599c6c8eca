"""JSON answers encoded with orjson.

A route that returns :class:`FastJSONResponse` skips FastAPI's validation of the answer
against its ``response_model`` (which still documents it in OpenAPI): the planning answers are
plain dicts built to that model (``tests/api/test_planning_models.py`` holds them to it), and
validating and re-encoding them through pydantic cost more than computing them.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    """``application/json`` encoded by orjson (UTF-8, compact, as Starlette's own)."""

    def render(self, content: Any) -> bytes:
        """The encoded body."""
        return orjson.dumps(content)
