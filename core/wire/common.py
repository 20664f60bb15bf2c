"""What every family shares: the classification of exceptions, validation-error paths and permissions."""

import logging
from dataclasses import dataclass, field
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission

from core import roles
from core.auth import prime_permissions
from core.errors import DomainError

from .parsers import RequestTooLarge

logger = logging.getLogger("core.wire")


DATABASE_UNAVAILABLE = "The database is unavailable; try again shortly."
DATABASE_RETRY_AFTER = "5"


def is_database_unavailable(exc: BaseException | None) -> bool:
    """The database cannot be reached (down, restarting, connection lost): a 503, never a 500. Nothing was
    written: a request's writes are atomic and roll back with the connection."""
    return isinstance(exc, OperationalError | InterfaceError)


def reason_phrase(status_code: int) -> str:
    """The HTTP reason phrase every family's envelope quotes (``Bad Request``...); one table for all."""
    if status_code == 413:
        return "Payload Too Large"  # Python 3.13 renames it "Content Too Large"; keep one wording
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


class WireError(exceptions.APIException):
    """A business error an endpoint raises; each family renders it in its own envelope.

    ``code`` is the family's error code (Oracle message number, BMC statusCode, UIM code), ``extra`` carries
    family-specific fields (BMC ``resourceId``, UIM ``entityType``...).
    """

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, status_code: int = 400, code: str | int | None = None, **extra):
        super().__init__(detail=message)
        self.status_code = status_code
        self.message = message
        self.wire_code = code
        self.extra = extra


@dataclass(frozen=True)
class WireCode:
    """How one domain error code is answered by a family: HTTP status, the vendor's code, extra envelope fields.

    ``envelope`` (extra envelope fields) is a dict, or a callable taking the
    :class:`~core.errors.DomainError` (its ``params``) and returning one. ``kind`` forces the family's shape:
    by default an entry with a ``code`` is a vendor-coded business answer (Oracle message number, BMC status
    body, UIM code), and one without keeps the shape of the error's kind (validation, not found, conflict).
    """

    status: int
    code: str | int | None = None
    envelope: object = None
    kind: str | None = None

    def extra_for(self, exc: DomainError) -> dict:
        if self.envelope is None:
            return {}
        return dict(self.envelope(exc) if callable(self.envelope) else self.envelope)


# Status of a domain error whose code the app's table does not name.
DEFAULT_STATUS = {
    "not_found": 404,
    "conflict": 409,
    "stale": 409,
    "ambiguous": 400,
    "invalid_state": 409,
    "invalid": 400,
}
# The family-neutral problem kind of each domain error kind (when the app's table gives no vendor code).
PROBLEM_KIND = {"not_found": "not_found", "conflict": "conflict", "invalid": "validation"}


def describe_domain_error(exc: DomainError, view=None) -> "Problem":
    """A domain error as a problem, through the view's ``domain_error_codes`` table (by code, then by kind)."""
    table = getattr(view, "domain_error_codes", None) or {}
    wire = table.get(exc.code) or table.get(exc.kind)
    if wire is None:
        wire = WireCode(DEFAULT_STATUS.get(exc.kind, 400))
    kind = wire.kind or ("business" if wire.code is not None else PROBLEM_KIND.get(exc.kind, "business"))
    errors = [(path or "", text) for path, text in exc.errors] if kind == "validation" else []
    return Problem(wire.status, kind, exc.message, errors=errors, wire_code=wire.code, extra=wire.extra_for(exc))


@dataclass
class Problem:
    """A family-neutral description of what went wrong, built from any exception."""

    status: int
    kind: str  # malformed | validation | unauthenticated | forbidden | not_found | method | media | ...
    message: str
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field path, message)
    headers: dict[str, str] = field(default_factory=dict)
    wire_code: str | int | None = None
    extra: dict = field(default_factory=dict)


def flatten_errors(detail, path: str = "") -> list[tuple[str, str]]:
    """Turn DRF's nested ValidationError detail into (``a.b[0].c``, message) pairs."""
    out: list[tuple[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                sub = path
            elif isinstance(key, int):
                sub = f"{path}[{key}]"
            else:
                sub = f"{path}.{key}" if path else str(key)
            out.extend(flatten_errors(value, sub))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out.extend((path, str(item)) for item in detail)
        else:
            for index, item in enumerate(detail):
                if item in ({}, [], None):
                    continue
                out.extend(flatten_errors(item, f"{path}[{index}]"))
    else:
        out.append((path, str(detail)))
    return out


def describe(exc: Exception, request=None, view=None) -> Problem:
    """Classify an exception raised while serving a wire request."""
    if isinstance(exc, DomainError):
        return describe_domain_error(exc, view)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if isinstance(exc, WireError):
        return Problem(exc.status_code, "business", exc.message, wire_code=exc.wire_code, extra=exc.extra)
    if isinstance(exc, exceptions.ParseError):
        return Problem(400, "malformed", f"Malformed request body: {exc.detail}")
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        message = "; ".join(f"{p}: {m}" if p else m for p, m in errors) or "Invalid input."
        return Problem(400, "validation", message, errors=errors)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        # APIView.handle_exception has set auth_header (401) or downgraded the status to 403.
        header = getattr(exc, "auth_header", None)
        if exc.status_code == 403:
            return Problem(403, "forbidden", str(exc.detail))
        return Problem(401, "unauthenticated", str(exc.detail), headers={"WWW-Authenticate": header} if header else {})
    if isinstance(exc, exceptions.PermissionDenied):
        return Problem(403, "forbidden", str(exc.detail))
    if isinstance(exc, exceptions.NotFound):
        return Problem(404, "not_found", str(exc.detail))
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Problem(405, "method", str(exc.detail))
    if isinstance(exc, exceptions.NotAcceptable):
        return Problem(406, "not_acceptable", str(exc.detail))
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return Problem(415, "media", str(exc.detail))
    if isinstance(exc, RequestTooLarge):
        return Problem(413, "too_large", str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        headers = {"Retry-After": str(int(exc.wait))} if exc.wait else {}
        return Problem(429, "throttled", str(exc.detail), headers=headers)
    if isinstance(exc, exceptions.APIException):
        return Problem(exc.status_code, "api", str(exc.detail))
    if is_database_unavailable(exc):
        logger.warning("Database unavailable serving %s: %s", getattr(request, "path", "?"), exc)
        return Problem(503, "unavailable", DATABASE_UNAVAILABLE, headers={"Retry-After": DATABASE_RETRY_AFTER})
    logger.exception("Unhandled error serving %s", getattr(request, "path", "?"))
    return Problem(500, "server", "Internal server error. The error was logged.")


class WirePermission(BasePermission):
    """Authenticated, and holding the Django permissions the view asks for on this method (``core.roles``).

    A view sets ``permission_model`` (the role table's ``METHOD_ACTIONS``: reads need ``view``, POST and PUT
    ``add``+``change`` since wire writes are upserts, DELETE ``delete``) or overrides
    ``get_required_permissions(method)``. A view that declares neither is for superusers only.
    """

    def required_permissions(self, request, view) -> list[str] | None:
        """What this request needs; None when the view declares nothing (the generated role test fails on it)."""
        getter = getattr(view, "get_required_permissions", None)
        if getter is not None:
            return list(getter(request.method))
        model = getattr(view, "permission_model", None)
        if model is None:
            return None
        return roles.method_permissions(request.method, model)

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        perms = self.required_permissions(request, view)
        if perms is None:
            if getattr(view, "get_required_permissions", None) is None and getattr(view, "permission_model", None):
                return True  # a method no view serves (TRACE...): let the view answer 405
            return user.is_superuser
        if perms:
            prime_permissions(user)  # one cached lookup instead of ModelBackend's two queries
        return user.has_perms(perms)


def make_exception_handler(render_problem):
    """Build a DRF exception handler that classifies the exception and lets the family render it."""

    def handler(exc, context):
        request = context.get("request")
        problem = describe(exc, request, context.get("view"))
        response = render_problem(problem, request, context.get("view"))
        for name, value in problem.headers.items():
            response[name] = value
        return response

    return handler


def render_standalone(response, request, renderer, media_type: str | None = None):
    """Render a DRF Response outside a DRF view (404/500 handlers of plain Django)."""
    response.accepted_renderer = renderer
    response.accepted_media_type = media_type or renderer.media_type
    response.renderer_context = {"request": request, "response": response, "view": None}
    return response.render()
