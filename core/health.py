"""``/healthz`` (is the installation doing its work?) and ``/livez`` (does this process answer?).

``/healthz`` checks the database and the broker, and how far behind the background work is: every backlog gauge
registered with a limit (``core.metrics.backlog_gauge(..., health_limit=...)``), by core (the oldest task waiting
in a queue, jobs whose worker stopped beating), by the apps (the blackout tick's lag, activations stalled) and by
the lists app (background exports never taken). Each limit is a ``HEALTH_MAX_*`` setting (empty or negative:
reported, never failing); any check over its limit or down answers 503. Point monitoring (and
alerting) at ``/healthz``; point a load balancer or an orchestrator's liveness probe at ``/livez``, which touches
nothing: a slow queue must not take web servers out.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core import metrics
from core.metrics_backlog import BROKER_TIMEOUT

logger = logging.getLogger(__name__)


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
            conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)  # one try, answered in seconds
    except Exception as exc:
        logger.warning("health: broker down: %s", exc)
        return f"down: {type(exc).__name__}"
    return "ok"


def _limit(setting: str) -> float | None:
    value = getattr(settings, setting, None)
    return None if value is None or value < 0 else float(value)


def check_backlog() -> dict[str, dict]:
    """Each backlog figure with its limit and ``ok`` / ``over`` / ``unknown`` (its gauge failed)."""
    values = metrics.backlog_values()
    report = {}
    for name, setting in metrics.health_limits().items():
        value = values.get(name)
        if isinstance(value, dict):  # per queue: the worst
            value = max(value.values(), default=0.0)
        limit = _limit(setting)
        if value is None:
            state = "unknown"
        elif limit is not None and value > limit:
            state = "over"
        else:
            state = "ok"
        report[name] = {"value": None if value is None else round(float(value), 3), "limit": limit, "status": state}
    return report


@never_cache
def healthz(request):
    """``{"status", "database", "broker", "backlog": {figure: {value, limit, status}}}``; 503 when anything fails."""
    database, broker = check_database(), check_broker()
    backlog = check_backlog() if database == "ok" else {}
    healthy = database == "ok" and broker == "ok" and all(item["status"] == "ok" for item in backlog.values())
    report = {"status": "ok" if healthy else "failing", "database": database, "broker": broker, "backlog": backlog}
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
def livez(request):
    """The process answers; nothing else is checked (no database, no broker)."""
    return JsonResponse({"status": "ok"})
