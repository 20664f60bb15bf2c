"""The change log and outbound events: what recording costs on the small-notification path, and how fast the
outbox fans 10,000 events out to 3 local receivers against a bare ``httpx`` loop.

``python -m bench changes-record-cost changes-fanout`` (SQLite by default, PostgreSQL with ``DATABASE_URL``).
``BENCH_FANOUT_EVENTS`` changes the fan-out size (default 10,000 events, i.e. 30,000 deliveries).
``changes-fanout-latency``: the same with receivers that answer after 20 ms (``BENCH_FANOUT_LATENCY_EVENTS``,
default 1,000 events): local receivers answer in about a millisecond, which hides what parallel lanes are for.
"""

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager

from bench.harness import Result, scenario, timed
from bench.support import fresh_database, percentile

NOTIFICATIONS = "/rest/apis/customer/service/outageEventNotifications/"
SYSTEM = "OMS-BENCH"
SMALL = 1000  # notifications per block
BLOCKS = 3  # alternating blocks per variant; the best block of each counts (less noise from a shared machine)


def _body(outage_id: str, reference: int) -> bytes:
    message = {
        "eventDetails": {
            "externalOutageId": outage_id,
            "messageReference": str(reference),
            "outageType": "C1UP",
            "startDateTime": "2025-02-06T02:00:00-08:00",
            "estimatedRestorationTime": f"2025-02-06T{10 + reference % 10:02d}:00:00-08:00",
        },
        "customerInformation": {"customers": [{"accountId": f"{reference:010d}"}]},
    }
    return json.dumps({"externalSystem": SYSTEM, "outageMessages": [message]}).encode()


@contextmanager
def _recording_off():
    """The same path without the change log: ``record`` does nothing (what the code did before it)."""
    from core import changes

    real = changes.record
    changes.record = lambda *args, **kwargs: None
    try:
        yield
    finally:
        changes.record = real


@scenario("changes-record-cost")
def changes_record_cost() -> list[Result]:
    """Small outage notifications (one message, one customer) through the wire, with and without the change log."""
    fresh_database()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from outages.models import ExternalSystem

    ExternalSystem.objects.create(name=SYSTEM)
    get_user_model().objects.create_superuser("bench", "b@example.com", "bench-pass")
    client = Client()
    client.login(username="bench", password="bench-pass")
    counter = {"n": 0}

    def block() -> tuple[float, list[float]]:
        latencies = []
        start = time.perf_counter()
        for _ in range(SMALL):
            counter["n"] += 1
            n = counter["n"]
            t0 = time.perf_counter()
            response = client.post(NOTIFICATIONS, data=_body(f"out-{n % 200}", n), content_type="application/json")
            latencies.append(time.perf_counter() - t0)
            if response.status_code >= 400:
                raise RuntimeError(response.content[:300])
        return time.perf_counter() - start, latencies

    block()  # warm-up
    best = {"without": None, "with": None}
    for _ in range(BLOCKS):
        with _recording_off():
            without = block()
        with_log = block()
        for name, value in (("without", without), ("with", with_log)):
            if best[name] is None or value[0] < best[name][0]:
                best[name] = value
    base_seconds, base_lat = best["without"]
    seconds, lat = best["with"]
    cost = round((seconds / base_seconds - 1) * 100, 1)
    return [
        Result(
            "changes-record-cost",
            "without the change log (baseline)",
            SMALL,
            base_seconds,
            baseline=True,
            extra={"p50_ms": round(percentile(base_lat, 50) * 1000, 2)},
        ),
        Result(
            "changes-record-cost",
            "with the change log (record in the transaction)",
            SMALL,
            seconds,
            extra={"p50_ms": round(percentile(lat, 50) * 1000, 2), "cost_pct": cost},
        ),
    ]


RECEIVER = r"""
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DELAY = float(sys.argv[2]) / 1000

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if DELAY:
            time.sleep(DELAY)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"receiver on {port} did not start")


@scenario("changes-fanout")
def changes_fanout() -> list[Result]:
    """N events (changes on 100 outages) to 3 local receivers through the outbox, drained by one process in
    batches (claim a batch, sign, POST per endpoint lane, log the attempts and settle in bulk), with the lanes one
    after another and side by side, against a bare httpx loop POSTing the same bodies one after another."""
    return _fanout("changes-fanout", int(os.environ.get("BENCH_FANOUT_EVENTS", "10000")), latency_ms=0)


@scenario("changes-fanout-latency")
def changes_fanout_latency() -> list[Result]:
    """The same with receivers that take 20 ms to answer (a network and a real handler): what the lanes are for."""
    events = int(os.environ.get("BENCH_FANOUT_LATENCY_EVENTS", "1000"))
    return _fanout("changes-fanout-latency", events, latency_ms=20)


def _fanout(name: str, events: int, *, latency_ms: int) -> list[Result]:
    fresh_database()
    import logging

    import httpx
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from core.changes import delivery, recording, subscriptions
    from core.changes.models import Delivery
    from outages import services as outage_services
    from outages.domain import OutageNotification

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request is not what is measured
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    settings.WEBHOOKS_LOOPBACK_PORTS = ((1024, 65535),)  # the receivers' free ports
    ports = [_free_port() for _ in range(3)]
    receivers = [subprocess.Popen([sys.executable, "-c", RECEIVER, str(p), str(latency_ms)]) for p in ports]
    try:
        for port in ports:
            _wait_listening(port)
        outage_services.external_system_ensure(name=SYSTEM)
        subs = [
            subscriptions.subscription_create(target_url=f"http://127.0.0.1:{p}/hooks", event_types=["outage.updated"])
            for p in ports
        ]
        real_send = recording.send
        recording.send = lambda *args, **kwargs: True  # no broker: this scenario sends from the loop below
        try:
            with transaction.atomic():
                outage_services.outage_notifications_apply(
                    external_system=SYSTEM,
                    notifications=[OutageNotification(outage_id=f"fan-{i}") for i in range(100)],
                )
            from core import changes
            from outages.models import OutageEvent

            outages = list(OutageEvent.objects.select_related("external_system").order_by("pk"))
            with timed() as record_time:
                for start in range(0, events, 500):
                    with transaction.atomic():
                        for n in range(start, min(start + 500, events)):
                            changes.record(
                                outages[n % 100], "updated", changes={"message_reference": [str(n), str(n + 1)]}
                            )
        finally:
            recording.send = real_send
        if connection.vendor == "postgresql":
            # 30,000 rows written in a minute: fresh statistics, as autovacuum's analyze would give the worker, so
            # the planner walks the pending index in id order and stops at a batch.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE core_delivery")
        total = Delivery.objects.count()
        # The payloads are rendered by the worker when it first claims a delivery (core.changes.rendering), not at
        # the write: rendered here once, in the worker's batches and measured on their own, so that the bare loop
        # posts the same bodies and the drains below measure sending.
        with timed() as render_time:
            while True:
                with transaction.atomic():
                    batch = list(
                        Delivery.objects.select_related("subscription")
                        .filter(payload={})
                        .order_by("id")[: delivery.batch_size()]
                    )
                    if not batch:
                        break
                    delivery._render(batch)
        bodies = [
            (d.subscription.target_url, json.dumps(d.payload, separators=(",", ":")))
            for d in Delivery.objects.select_related("subscription").order_by("id")
        ]

        def bare_loop() -> float:
            with timed() as bare, httpx.Client(timeout=10) as client:
                for url, body in bodies:
                    client.post(url, content=body, headers={"content-type": "application/json"})
            return bare["seconds"]

        bare_seconds = [bare_loop()]  # before and after the outbox runs: the best counts (a shared machine)
        runs = {}
        for lanes in (1, 8):  # endpoints one after another, then side by side
            settings.WEBHOOKS_SEND_CONCURRENCY = lanes
            Delivery.objects.update(
                status="pending", attempts=0, next_attempt_at=timezone.now(), claimed_until=None, finished_at=None
            )
            if connection.vendor == "postgresql":  # the second run starts as clean as the first
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE core_delivery")
            statements = {"n": 0}

            def count(execute, sql, params, many, context, statements=statements):
                statements["n"] += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count), timed() as engine:
                attempted = delivery.drain(seconds=3600)  # what one worker does with its message
            runs[lanes] = (
                engine["seconds"],
                attempted,
                Delivery.objects.filter(status="succeeded").count(),
                statements["n"],
            )
        bare_seconds.append(bare_loop())
    finally:
        for proc in receivers:
            proc.terminate()
            proc.wait()

    def engine_result(lanes: int, label: str) -> Result:
        seconds, attempted, succeeded, statements = runs[lanes]
        return Result(
            name,
            label,
            attempted,
            seconds,
            unit="deliveries/s",
            extra={
                "succeeded": succeeded,
                "statements_per_delivery": round(statements / max(attempted, 1), 3),
                "batch": delivery.batch_size(),
                "events": events,
            },
        )

    return [
        Result(
            name,
            "bare httpx loop, same bodies (baseline)",
            len(bodies),
            min(bare_seconds),
            unit="deliveries/s",
            baseline=True,
            extra={
                "deliveries": total,
                "receivers": len(subs),
                "bare_runs_s": "/".join(f"{seconds:.1f}" for seconds in bare_seconds),
            },
        ),
        engine_result(1, "outbox drain, 1 process, endpoints one after another"),
        engine_result(8, "outbox drain, 1 process, one lane per endpoint in parallel"),
        Result(
            name,
            "recording the events (change + 3 deliveries each)",
            events,
            record_time["seconds"],
            unit="events/s",
        ),
        Result(
            name,
            "rendering the events' payloads (the worker, in batches)",
            total,
            render_time["seconds"],
            unit="deliveries/s",
        ),
    ]
