"""The domain's refusals, below the HTTP layer.

``knowledge``, ``quick_replies`` and ``assistant.commerce`` raise these (never an HTTP error); one
middleware (``assistant.errors.error_middleware``) turns them into the API's one error shape:
``NotFound`` 404, ``Conflict`` and ``StaleVersion`` 409, ``NotAllowed`` 403, ``Invalid`` 400.  Each carries the message
for the person (in Chinese), the fields at fault and, for a stale version, the current state.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self

from pydantic import BaseModel, ValidationError


class FieldError(dict[str, str]):
    """``{"field": ..., "message": ...}``: which input is wrong and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field=field, message=message)


class Refusal(Exception):
    """Base of every refusal, the domain's below and the HTTP layer's (``assistant.errors``) alike: a
    message, the fields at fault, anything else the answer carries.  ``except Refusal`` (in the HTTP
    layer: ``except ApiError``, the same class) catches both."""

    default_message = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        errors: Iterable[FieldError] = (),
        *,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.errors = list(errors)
        self.extra = extra or {}
        super().__init__(self.message)

    @classmethod
    def field(cls, field: str, message: str, **extra: Any) -> Self:
        """A refusal about one input field; the summary repeats the field's message."""
        return cls(f"{field}: {message}", [FieldError(field, message)], extra=extra or None)


class DomainError(Refusal):
    """Base of the domain's refusals (no HTTP status: the error middleware picks it)."""


class NotFound(DomainError):
    """No such thing, or one the caller may not see (the two are not told apart)."""

    default_message = "找不到请求的内容"


class Conflict(DomainError):
    """The request clashes with what is saved: a taken code, a status that forbids the change."""

    default_message = "数据已被他人修改，请刷新后重试"


class StaleVersion(Conflict):
    """The row changed since the caller read it; ``current`` is what is saved now (a model or the
    JSON of one), sent back so the editor can show it."""

    def __init__(
        self, message: str | None = None, errors: Iterable[FieldError] = (), *, current: Any = None
    ) -> None:
        self.current = current
        shown = current.model_dump(mode="json") if isinstance(current, BaseModel) else current
        super().__init__(message, errors, extra=None if current is None else {"current": shown})


class NotAllowed(DomainError):
    """The agent may not do this to that (a personal phrase of someone else, a shop phrase without
    the editor role)."""

    default_message = "没有权限执行此操作"


class Invalid(DomainError):
    """A value the domain refuses (a field of another shop, a word twice); or, with ``validation``,
    a saved state that no longer passes its model (named under ``prefix``)."""

    def __init__(
        self,
        message: str | None = None,
        errors: Iterable[FieldError] = (),
        *,
        extra: dict[str, Any] | None = None,
        validation: ValidationError | None = None,
        prefix: str = "",
    ) -> None:
        self.validation, self.prefix = validation, prefix
        super().__init__(message, errors, extra=extra)

    @classmethod
    def wrapping(cls, error: ValidationError, prefix: str) -> Invalid:
        return cls(str(error), validation=error, prefix=prefix)
