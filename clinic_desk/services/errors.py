"""Domain errors: what a use case raises instead of writing anything.

Messages are translated when the error is raised (the user who caused it is looking at the
screen in their language); `field` names the form field the message belongs next to.
"""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """One or more fields are wrong; `errors` maps each field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})


class FieldErrors:
    """Collects field messages while a form is checked, then raises them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def __contains__(self, field: str) -> bool:
        return field in self.errors

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


class PermissionDenied(DomainError):
    pass


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    """Someone else changed the thing first, or it already exists."""


class DayClosed(DomainError):
    pass


class AuthenticationFailed(DomainError):
    pass


class AccountLocked(DomainError):
    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until
