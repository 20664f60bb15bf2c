"""Prometheus metrics: what the project counts, and the scrape-time gauges of background work.

Three kinds, documented in docs/operations.md ("Metrics"):

- HTTP requests by family, endpoint (the route's name, never the raw path), method and status, with latency:
  counted by :class:`core.middleware.MetricsMiddleware`.
- Wire outcomes by domain (``outcome("outage_messages", "stale")``): one call where a service knows the outcome.
  Counting is in memory (or an mmap'd file in multiprocess mode): never a database query. Each app declares its
  domains' outcomes in its ``<app>/metrics.py`` (``declare_outcomes(...)``).
- Background work (queue depth and age, tick lag, stalled activations, running exports): gauges computed when
  ``/metrics`` is scraped, by :class:`BacklogCollector`, from functions the apps (and the subsystem apps such as
  ``core.lists``) register in their ``metrics.py`` (``backlog_gauge(...)``), each with the setting that limits it
  in ``/healthz`` if it has one (core/health.py) — ``core`` never names an app or a subsystem here.

With several processes per machine (gunicorn workers, Celery's prefork pool), set ``PROMETHEUS_MULTIPROC_DIR``
to an empty directory shared by those processes (wiped at each start): every process writes its counters there
and ``/metrics`` adds them up (prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

PREFIX = "backoffice"

HTTP_REQUESTS = Counter(
    f"{PREFIX}_http_requests",
    "HTTP requests answered, by family (oracle, bmc, uim, analyst, admin, other), endpoint (route name) and status.",
    ["family", "endpoint", "method", "status"],
)
HTTP_LATENCY = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time to answer an HTTP request (until the response object is ready; streaming bodies excluded).",
    ["family", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
WIRE_OUTCOMES = Counter(
    f"{PREFIX}_wire_outcomes",
    "What became of the work the wire and the tasks handed in, by domain and outcome (see docs/operations.md).",
    ["domain", "outcome"],
)
TASKS = Counter(f"{PREFIX}_tasks", "Celery tasks run, by task name and final state.", ["task", "state"])

# The outcomes each domain counts (``declare_outcomes``), so that a dashboard shows 0 rather than "no data" before
# the first one.
OUTCOMES: dict[str, tuple[str, ...]] = {}


def declare_outcomes(domain: str, names: tuple[str, ...]) -> None:
    """Declare the outcomes ``domain`` counts (an app's ``metrics.py`` calls this once per domain): each series
    exists, at 0, from the start."""
    OUTCOMES[domain] = tuple(names)
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        for name in names:
            WIRE_OUTCOMES.labels(domain, name)


def outcome(domain: str, name: str, count: int = 1) -> None:
    """Count ``count`` outcomes ``name`` of ``domain`` (a service calls this once it knows). Never raises."""
    if count <= 0:
        return
    try:
        WIRE_OUTCOMES.labels(domain, name).inc(count)
    except Exception:  # metrics must never break the work they count
        logger.exception("metrics: cannot count %s/%s", domain, name)


# --- Background work, computed at scrape time ----------------------------------------------------------------
@dataclass(frozen=True)
class BacklogGauge:
    name: str
    documentation: str
    compute: Callable[[], float | dict[tuple[str, ...], float]]
    labels: tuple[str, ...] = ()
    health_limit: str | None = None  # the setting holding its limit in /healthz (core/health.py), if it has one


_GAUGES: dict[str, BacklogGauge] = {}
_PARTS: dict[str, dict[str, Callable[[], float]]] = {}  # gauge name -> {part: compute}: see gauge_part()
_scrapes = itertools.count(1)  # numbers backlog_values() calls
_scrape = threading.local()  # .id: the one this thread is computing; gauges sharing one costly read key it by this


def scrape_id() -> int | None:
    """The current scrape's number (gauges computed in one ``backlog_values()`` call see the same one), or None
    outside a scrape."""
    return getattr(_scrape, "id", None)


def backlog_gauge(name: str, documentation: str, *, labels: tuple[str, ...] = (), health_limit: str | None = None):
    """Register a scrape-time gauge (decorator). The function returns a number, or a dict of label values to
    numbers when ``labels`` are given. It may query the database: it runs once per scrape, not per request.
    ``health_limit`` names the setting that limits it in ``/healthz`` (a per-queue gauge: its worst value)."""

    def register(compute):
        _GAUGES[name] = BacklogGauge(f"{PREFIX}_{name}", documentation, compute, labels, health_limit)
        return compute

    return register


def gauge_part(name: str, part: str):
    """Register one part of a gauge that adds up what several apps count (decorator; e.g. the exports' and the
    imports' share of ``jobs_stalled``). The gauge reads them with :func:`gauge_parts`."""

    def register(compute):
        _PARTS.setdefault(name, {})[part] = compute
        return compute

    return register


def gauge_parts(name: str) -> list[Callable[[], float]]:
    return list(_PARTS.get(name, {}).values())


def health_limits() -> dict[str, str]:
    """``{gauge: setting}`` for every registered gauge that ``/healthz`` checks, in registration order."""
    return {key: gauge.health_limit for key, gauge in _GAUGES.items() if gauge.health_limit}


def backlog_values() -> dict[str, float | dict]:
    """Every registered gauge's current value by short name (the health check reads these too)."""
    _scrape.id = next(_scrapes)
    values: dict[str, float | dict] = {}
    try:
        for key, gauge in _GAUGES.items():
            try:
                values[key] = gauge.compute()
            except Exception:
                logger.exception("metrics: gauge %s failed", key)
    finally:
        _scrape.id = None
    return values


class BacklogCollector(Collector):
    """The registered backlog gauges, computed when scraped (one process answers for the installation)."""

    def collect(self):
        values = backlog_values()
        for key, gauge in _GAUGES.items():
            if key not in values:
                continue
            family = GaugeMetricFamily(gauge.name, gauge.documentation, labels=list(gauge.labels) or None)
            value = values[key]
            if gauge.labels:
                for label_values, number in value.items():
                    family.add_metric(list(label_values), float(number))
            else:
                family.add_metric([], float(value))
            yield family


def exposition() -> bytes:
    """The text exposition of everything: this process's (or, in multiprocess mode, every process's) counters
    and the backlog gauges."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (HTTP_REQUESTS, HTTP_LATENCY, WIRE_OUTCOMES, TASKS):
            registry.register(collector)
        ProcessCollector(registry=registry)  # this process's CPU, memory and open files
    registry.register(BacklogCollector())
    return generate_latest(registry)


def serve_worker_metrics(port: int, address: str) -> None:
    """An HTTP exporter in a Celery worker's main process: the counters of its pool processes (multiprocess mode),
    without the backlog gauges (the web's ``/metrics`` has those). Unauthenticated: bind it to an address only
    Prometheus reaches."""
    from prometheus_client import start_http_server

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (WIRE_OUTCOMES, TASKS):
            registry.register(collector)
    start_http_server(port, addr=address, registry=registry)
    logger.info("metrics: worker exporter on %s:%s", address, port)


def mark_process_dead(pid: int) -> None:
    """Multiprocess mode: forget a dead process's live gauges (gunicorn's ``child_exit`` hook calls this)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
