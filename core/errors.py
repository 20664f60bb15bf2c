"""Domain errors: the one way the core (models, services, selectors, tasks) says "no".

Every error carries a stable ``code`` (``"<app>.<reason>"``, e.g. ``"outages.stale_message"``) and a human
``message``. The core raises only these; each door translates them once:

- the wire families render them in their envelope (``core.wire.common.describe``), and each app maps its codes to
  the vendor's numbers (Oracle message numbers, BMC status codes, UIM codes) in one table in ``<app>/api/errors.py``;
- the admin shows them as form errors (``core.admin.ServiceAdminMixin``);
- commands print them.

No web code here: this module is imported by every domain layer.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """Base of all domain errors. ``kind`` says which family of "no" it is; ``code`` which one exactly."""

    kind = "invalid"
    default_code = "domain.error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: list[tuple[str, str]] | None = None,
        **params,
    ):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        # (field path, message) pairs, for errors that concern more than one field.
        self.errors = list(errors) if errors else ([(field, message)] if field else [])
        self.params = params

    def __str__(self) -> str:
        return self.message

    def as_validation_error(self) -> ValidationError:
        """The same error as a Django ``ValidationError`` (for model ``clean()`` and forms)."""
        if self.errors:
            by_field: dict[str, list[ValidationError]] = {}
            for path, text in self.errors:
                by_field.setdefault(path or "__all__", []).append(ValidationError(text, code=self.code))
            return ValidationError(by_field)
        return ValidationError(self.message, code=self.code)


class NotFound(DomainError):
    """A referenced record does not exist."""

    kind = "not_found"
    default_code = "domain.not_found"


class Conflict(DomainError):
    """The request contradicts what is stored (a reused transaction id with another body, a duplicate)."""

    kind = "conflict"
    default_code = "domain.conflict"


class Stale(DomainError):
    """The request is older than what is stored (an out-of-order message reference)."""

    kind = "stale"
    default_code = "domain.stale"


class Ambiguous(DomainError):
    """The request matches more than one record where it must match one."""

    kind = "ambiguous"
    default_code = "domain.ambiguous"


class InvalidState(DomainError):
    """The record is not in a state that allows this action (enable an enabled policy, activate a bundle twice)."""

    kind = "invalid_state"
    default_code = "domain.invalid_state"


class Invalid(DomainError):
    """A value breaks a rule. ``field`` (or ``errors``) says which, as a path such as ``timeframeDetails.startDate``."""

    kind = "invalid"
    default_code = "domain.invalid"


def from_validation_error(exc: ValidationError, *, code: str = "domain.invalid") -> Invalid:
    """A Django ``ValidationError`` (from a model's ``full_clean``) as an :class:`Invalid`."""
    errors: list[tuple[str, str]] = []
    if hasattr(exc, "error_dict"):
        for name, items in exc.message_dict.items():
            path = "" if name == "__all__" else name
            errors.extend((path, text) for text in items)
    else:
        errors.extend(("", text) for text in exc.messages)
    message = "; ".join(f"{p}: {m}" if p else m for p, m in errors) or "Invalid input."
    return Invalid(message, code=code, errors=errors)
