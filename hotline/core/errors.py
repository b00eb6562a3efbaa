"""The one error type services raise when they refuse an action.

A ``DomainError`` carries a stable machine code (``organization.not_in_scope``), a human message
(translated, Chinese by default) and, for bad input, the offending fields. Pages show the message,
the API answers ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """A refused action: nothing was changed."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        fields: Mapping[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.fields = {name: str(reason) for name, reason in (fields or {}).items()}
        if status is not None:
            self.status = status

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "message": self.message, "fields": self.fields}


class NotFound(DomainError):
    """The object does not exist or is outside the caller's scope: the two look the same."""

    status = 404


class Conflict(DomainError):
    """The object is not in a state that allows the action."""

    status = 409


def require(condition: bool, code: str, message: str, **kwargs: object) -> None:
    """Raise ``DomainError(code, message)`` unless ``condition`` holds."""
    if not condition:
        raise DomainError(code, message, **kwargs)  # type: ignore[arg-type]
