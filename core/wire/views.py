"""The error pages that answer in the wire family of the requested path (JSON under ``/api/``),
and the exception handler of the JSON API (analyst lists, JWT endpoints, schema)."""

import logging
import sys

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found, server_error
from django.views.defaults import permission_denied as django_permission_denied
from rest_framework import status
from rest_framework.renderers import BrowsableAPIRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from .. import families
from .common import DATABASE_RETRY_AFTER, DATABASE_UNAVAILABLE, Problem, is_database_unavailable

logger = logging.getLogger(__name__)


def _family(path: str):
    """The wire family of the path (each registered by the app that owns it, ``core/families.py``)."""
    return families.for_path(path)


@csrf_exempt  # answers 404 in the envelope; a CSRF 403 page would hide it
def not_found(request, exception=None):
    family = _family(request.path)
    if family is None and request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    if family is None:
        return page_not_found(request, exception)
    return family.standalone_response(Problem(404, "not_found", f"No resource at {request.path}."), request)


SERVER_ERROR = "Internal server error. The error was logged."


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def database_unavailable(request):
    """A 503 in the requested path's family (JSON under ``/api/``, plain text for the admin and pages)."""
    family = _family(request.path)
    if family is not None:
        response = family.standalone_response(Problem(503, "unavailable", DATABASE_UNAVAILABLE), request)
    elif _is_api(request):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE}, status=503)
    else:
        response = HttpResponse(DATABASE_UNAVAILABLE, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = DATABASE_RETRY_AFTER
    return response


def server_failure(request):
    # Django calls this handler inside its ``except`` clause: the exception is the one being handled.
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable(request)
    family = _family(request.path)
    if family is None and _is_api(request):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    if family is None:
        return server_error(request)
    return family.standalone_response(Problem(500, "server", SERVER_ERROR), request)


@csrf_exempt
def bad_request(request, exception=None):
    family = _family(request.path)
    if family is None and _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    if family is None:
        return django_bad_request(request, exception)
    return family.standalone_response(Problem(400, "malformed", "Bad request."), request)


@csrf_exempt
def permission_denied(request, exception=None):
    family = _family(request.path)
    if family is None and _is_api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    if family is None:
        return django_permission_denied(request, exception)
    return family.standalone_response(Problem(403, "forbidden", "Permission denied."), request)


def wants_html(request) -> bool:
    """A browser: the browsable API was negotiated, or the request's ``Accept`` names ``text/html``. A script's
    ``*/*`` or ``application/json`` is not."""
    renderer = getattr(request, "accepted_renderer", None)
    if isinstance(renderer, TemplateHTMLRenderer | BrowsableAPIRenderer):
        return True
    return "text/html" in (request.META.get("HTTP_ACCEPT", "") if request is not None else "")


def login_url(request) -> str:
    """The analyst API's login page, back to this page once logged in."""
    return f"{reverse('rest_framework:login')}?{urlencode({'next': request.get_full_path()})}"


def login_challenge(request, response):
    """A 401 answered to a browser: an HTML page (the browsable API's, or a small one) with a link to the login
    page, and a ``WWW-Authenticate`` challenge a browser does not answer with its Basic prompt (the ``Cookie``
    scheme of draft-broyer-http-cookie-auth: log in with the form at ``form-action``). A script keeps its JSON
    401 and its ``Basic``/``Bearer`` challenge."""
    if request is None or not wants_html(request):
        return response
    url = login_url(request)
    challenge = f'Cookie realm="api", form-action="{reverse("rest_framework:login")}"'
    if not isinstance(getattr(request, "accepted_renderer", None), TemplateHTMLRenderer | BrowsableAPIRenderer):
        detail = (response.data or {}).get("detail", "Authentication credentials were not provided.")
        context = {"detail": detail, "login_url": url, "path": request.get_full_path()}
        response = HttpResponse(
            render_to_string("rest_framework/login_required.html", context, request=request),
            status=401,
            content_type="text/html; charset=utf-8",
        )
    response["WWW-Authenticate"] = challenge
    return response


def api_exception_handler(exc, context):
    """DRF's handler, and JSON for what it leaves to Django (which answers HTML, or a debug page with DEBUG).

    The wire families have their own handlers; this one serves the analyst API, the JWT endpoints and the schema.
    A 401 to a browser is an HTML page with a link to the login page (:func:`login_challenge`).
    """
    response = drf_exception_handler(exc, context)
    if response is not None:
        return login_challenge(context.get("request"), response) if response.status_code == 401 else response
    set_rollback()
    if isinstance(exc, RequestDataTooBig):
        return Response({"detail": "Request body too large."}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, SuspiciousOperation):
        return Response({"detail": "Bad request."}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RecursionError):  # JSON nested far too deep for the parser
        return Response({"detail": "Malformed request body: nested too deeply."}, status=status.HTTP_400_BAD_REQUEST)
    request = context.get("request")
    if is_database_unavailable(exc):
        logger.warning("Database unavailable serving %s: %s", getattr(request, "path", "?"), exc)
        headers = {"Retry-After": DATABASE_RETRY_AFTER}
        return Response({"detail": DATABASE_UNAVAILABLE}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    logger.exception("Unhandled error serving %s", getattr(request, "path", "?"))
    return Response({"detail": SERVER_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
