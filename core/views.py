"""Health check and the error pages that answer in the wire family of the requested path."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error

from .wire import bmc, oracle, uim
from .wire.common import Problem

logger = logging.getLogger(__name__)

_FAMILIES = ((oracle.PREFIX, oracle), (bmc.PREFIX, bmc), (uim.PREFIX, uim))


def _family(path: str):
    for prefix, module in _FAMILIES:
        if path.startswith(prefix):
            return module
    return None


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("health: database down: %s", exc)
        return f"down: {type(exc).__name__}"
    return "ok"


def check_broker() -> str:
    from celery import current_app as app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        logger.warning("health: broker down: %s", exc)
        return f"down: {type(exc).__name__}"
    return "ok"


@never_cache
def healthz(request):
    """``{"database": "ok", "broker": "ok"}``; 503 naming what is down."""
    report = {"database": check_database(), "broker": check_broker()}
    status = 200 if all(value == "ok" for value in report.values()) else 503
    return JsonResponse(report, status=status)


@csrf_exempt  # answers 404 in the envelope; a CSRF 403 page would hide it
def not_found(request, exception=None):
    family = _family(request.path)
    if family is None and request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    if family is None:
        return page_not_found(request, exception)
    return family.standalone_response(Problem(404, "not_found", f"No resource at {request.path}."), request)


def server_failure(request):
    family = _family(request.path)
    if family is None:
        return server_error(request)
    return family.standalone_response(Problem(500, "server", "Internal server error. The error was logged."), request)
