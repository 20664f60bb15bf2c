"""Operations: what metrics and structured logging cost on the small outage-notification path.

Two measures. End to end, in process (Django's test client, JWT auth, SQLite unless ``DATABASE_URL``): the same
notification (1 message x 10 customers) without the metrics middleware, the outcome counters and the request log
line (baseline), with metrics and the human-readable line, with metrics and JSON lines; interleaved in rounds in a
rotating order, garbage collection paused while timing, each variant's median round, in requests per CPU second of
this process (other processes on a shared machine do not count). Isolated: the CPU cost per request of exactly
what the instrumentation adds (the counters and histogram of one request, its outcome, its log line through the
project's real handler, filters and formatter to /dev/null), as a share of the path's own CPU time per request.
``python -m bench ops-overhead``.
"""

import gc
import json
import logging
import logging.config
import os
import statistics
import time

from bench.harness import Result, scenario
from bench.support import fresh_database, percentile

NOTIFICATIONS = "/rest/apis/customer/service/outageEventNotifications/"
SYSTEM = "CCB-NMS integration"
ROUNDS = int(os.environ.get("BENCH_OPS_ROUNDS", "7"))
PER_ROUND = int(os.environ.get("BENCH_OPS_PER_ROUND", "150"))
CUSTOMERS = [{"accountId": f"{n:010d}", "spId": f"{n + 5_000_000_000:010d}"} for n in range(10)]


def _body(outage_id: str) -> str:
    message = {
        "eventDetails": {
            "externalOutageId": outage_id,
            "messageReference": "1",
            "outageType": "C1UP",
            "startDateTime": "2025-02-06T02:00:00-08:00",
            "impactedCustomers": len(CUSTOMERS),
        },
        "customerInformation": {"incrementalUpdate": False, "customers": CUSTOMERS},
    }
    return json.dumps({"externalSystem": SYSTEM, "outageMessages": [message]})


def _logging(fmt: str | None, devnull):
    from django.conf import settings

    from core.logging import logging_config

    config = logging_config(fmt=fmt or "plain", level="INFO" if fmt else "WARNING")
    config["handlers"]["console"]["stream"] = devnull
    logging.config.dictConfig(config)
    logging.getLogger("core.request").disabled = fmt is None
    return settings


def _instrumentation_cost(fmt: str, metrics, count: int = 20_000) -> float:
    """CPU seconds per request of what MetricsMiddleware and one outcome add, through the real log handler."""
    with open(os.devnull, "w") as devnull:
        _logging(fmt, devnull)
        log = logging.getLogger("core.request")
        fields = {"http_method": "POST", "path": NOTIFICATIONS, "status": 200, "duration_ms": 9.5}
        fields |= {"request_id": "0" * 32, "family": "oracle", "endpoint": "outage-event-notifications"}
        start = time.process_time()
        for _ in range(count):
            metrics.HTTP_REQUESTS.labels("oracle", "outage-event-notifications", "POST", "200").inc()
            metrics.HTTP_LATENCY.labels("oracle", "outage-event-notifications").observe(0.0095)
            metrics.outcome("outage_messages", "applied", 1)
            log.log(logging.INFO, "%s %s %s %.1fms", "POST", NOTIFICATIONS, 200, 9.5, extra=fields)
        return (time.process_time() - start) / count


@scenario("ops-overhead")
def ops_overhead() -> list[Result]:
    fresh_database()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings
    from rest_framework_simplejwt.tokens import AccessToken

    from core import metrics
    from outages.models import ExternalSystem

    ExternalSystem.objects.create(name=SYSTEM)
    user = get_user_model().objects.create_superuser("bench", "b@example.com", "bench-pass")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(user)}"}
    without_metrics = [m for m in settings.MIDDLEWARE if m != "core.middleware.MetricsMiddleware"]
    real_outcome = metrics.outcome
    variants = [
        ("baseline: no metrics, no request log line", None, False),
        ("metrics + human-readable request line", "plain", True),
        ("metrics + JSON lines (LOG_FORMAT=json)", "json", True),
    ]
    rates: dict[str, list[float]] = {label: [] for label, *_ in variants}
    latencies: dict[str, list[float]] = {label: [] for label, *_ in variants}
    devnull = open(os.devnull, "w")  # noqa: SIM115
    sequence = 0
    try:
        for _round in range(ROUNDS + 1):  # the first round warms up and is not counted
            shift = _round % len(variants)  # each variant takes each place in the round in turn
            for label, fmt, with_metrics in variants[shift:] + variants[:shift]:
                _logging(fmt, devnull)
                metrics.outcome = real_outcome if with_metrics else (lambda *a, **k: None)
                middleware = settings.MIDDLEWARE if with_metrics else without_metrics
                with override_settings(MIDDLEWARE=middleware):
                    client = Client()
                    mine = []
                    gc.collect()
                    gc.disable()
                    start = time.process_time()
                    for _ in range(PER_ROUND):
                        sequence += 1
                        t0 = time.perf_counter()
                        response = client.post(
                            NOTIFICATIONS, _body(f"B-{sequence}"), content_type="application/json", **auth
                        )
                        mine.append(time.perf_counter() - t0)
                        if response.status_code != 200:
                            raise RuntimeError(f"{response.status_code} {response.content[:200]!r}")
                    seconds = time.process_time() - start
                    gc.enable()
                if _round:
                    rates[label].append(PER_ROUND / seconds)
                    latencies[label].extend(mine)
    finally:
        metrics.outcome = real_outcome
        devnull.close()
    results = []
    path_cpu = 1 / statistics.median(rates[variants[0][0]])
    for fmt in ("plain", "json"):
        cost = _instrumentation_cost(fmt, metrics)
        results.append(
            Result(
                "ops-overhead (isolated)",
                f"metrics + {fmt} line, per request",
                1,
                cost,
                unit="/CPU-s",
                extra={"us_per_request": round(cost * 1e6, 1), "share_of_path": f"{cost / path_cpu:.1%}"},
            )
        )
    for label, _fmt, _metrics in variants:
        median_rate = statistics.median(rates[label])
        results.append(
            Result(
                "ops-overhead",
                label,
                PER_ROUND,
                PER_ROUND / median_rate,
                baseline=label.startswith("baseline"),
                unit="req/CPU-s",
                extra={
                    "rounds": ROUNDS,
                    "p50_ms": round(percentile(latencies[label], 50) * 1000, 2),
                    "p99_ms": round(percentile(latencies[label], 99) * 1000, 2),
                },
            )
        )
    return results
