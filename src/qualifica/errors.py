"""The error hierarchy of Qualifica; ``api/problems.py`` maps it to RFC 9457 problems."""

from __future__ import annotations

from typing import Any


class QualificaError(Exception):
    """Base of all errors this package raises on purpose."""

    status: int = 500
    title: str = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer to this error must carry (none by default)."""
        return {}


class NotFound(QualificaError):
    """A resource, id or named query does not exist."""

    status = 404
    title = "Not found"


class BadParameter(QualificaError):
    """A parameter, body or query is malformed; ``param`` names the offending field."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, param: str | None = None, status: int = 400,
                 **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.param = param
        self.status = status
        if param is not None:
            self.extra.setdefault("param", param)


class TooLarge(BadParameter):
    """A query or request body over its size limit (413)."""

    title = "Content too large"

    def __init__(self, detail: str, *, param: str = "body") -> None:
        super().__init__(detail, param=param, status=413)


class NotAcceptable(QualificaError):
    """No representation matches the ``Accept`` header."""

    status = 406
    title = "Not acceptable"


class ValidationFailed(QualificaError):
    """Data does not conform to the SHACL shapes (or does not parse); nothing was written."""

    status = 422
    title = "Validation failed"


class StoreUnavailable(QualificaError):
    """The store (embedded or remote) cannot be reached or failed."""

    status = 503
    title = "Store unavailable"


class StoreLocked(StoreUnavailable):
    """The embedded store is held read-write by another process (e.g. ``qualifica serve``)."""


class QueryTimeout(QualificaError):
    """A query ran past its time limit and was stopped."""

    status = 503
    title = "Query timeout"


class Forbidden(QualificaError):
    """The request is not allowed (e.g. a write to a read-only endpoint, a SERVICE not allowed)."""

    status = 403
    title = "Forbidden"


class Unauthorized(QualificaError):
    """A write without credentials; ``challenge`` is the ``WWW-Authenticate`` value that tells
    the client how to authenticate (RFC 9110, section 11.6.1)."""

    status = 401
    title = "Unauthorized"

    def __init__(self, detail: str, *, challenge: str, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.challenge = challenge

    def headers(self) -> dict[str, str]:
        """The authentication challenge."""
        return {"WWW-Authenticate": self.challenge}

class Conflict(QualificaError):
    """A write that cannot be applied to the store as it is (e.g. a delete that would remove
    nothing, or a stored blank node a remote server cannot address); nothing was changed."""

    status = 409
    title = "Conflict"
