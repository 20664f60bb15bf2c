"""The admin index with its operations dashboard over 1,000,000 blackout events (1% blacked out), 10,000 outages
(a tenth active, 50 customers each), 1,000 policies and 1,000 bundles: page time p50/p95 and queries per page.

The baseline is the same admin index with no dashboard panel, in the same run. Sizes:
BENCH_DASHBOARD_EVENTS (default 1,000,000), BENCH_DASHBOARD_REQUESTS (default 30).
"""

import os
import time

from bench.harness import Result, scenario
from bench.scenarios.blackouts import ALWAYS, _fill_events, _policy_fields
from bench.support import fresh_database, percentile

EVENTS = int(os.environ.get("BENCH_DASHBOARD_EVENTS", "1000000"))
REQUESTS = int(os.environ.get("BENCH_DASHBOARD_REQUESTS", "30"))
OUTAGES = 10_000
POLICIES = 1_000
BUNDLES = 1_000


def _fill_rest(connection) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from blackouts.models import BlackoutPolicy
    from inventory.models import BusinessInteraction
    from outages.models import ExternalSystem, OutageCustomer, OutageEvent

    now = timezone.now()
    with connection.cursor() as cursor:  # 1% of the events blacked out
        cursor.execute("UPDATE blackouts_event SET status = 'BLACKOUT' WHERE id % 100 = 0")
    system = ExternalSystem.objects.create(name="BENCH")
    OutageEvent.objects.bulk_create(
        OutageEvent(
            external_system=system,
            external_outage_id=f"O{n}",
            start_date_time=now - timedelta(minutes=n * 7),
            estimated_restoration_time=now - timedelta(minutes=n * 7) + timedelta(hours=3),
            completion_date_time=None if n % 10 == 0 else now - timedelta(minutes=n * 7) + timedelta(hours=2),
            state="active" if n % 10 == 0 else "restored",
            customer_count=50 if n % 10 == 0 else 0,
        )
        for n in range(OUTAGES)
    )
    active = list(OutageEvent.objects.filter(state="active").values_list("pk", flat=True))
    OutageCustomer.objects.bulk_create(
        (OutageCustomer(event_id=pk, account_id=f"{pk}", sp_id=f"{n}") for pk in active for n in range(50)),
        batch_size=5000,
    )
    policies = []
    for n in range(POLICIES):
        fields = _policy_fields(f"p{n}", "class equals 'NONE'", ALWAYS, enabled=n % 2 == 0)
        policies.append(BlackoutPolicy(**fields, window_start=now - timedelta(hours=1), window_end=now + timedelta(n)))
    BlackoutPolicy.objects.bulk_create(policies)
    BusinessInteraction.objects.bulk_create(
        BusinessInteraction(state="ISSUED" if n % 3 else "FAILED", activation_requested=bool(n % 3))
        for n in range(BUNDLES)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _measure(client, variant: str, baseline: bool) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/admin/")  # warm up
    latencies = []
    with CaptureQueriesContext(connection) as queries:
        for _ in range(REQUESTS):
            t0 = time.perf_counter()
            response = client.get("/admin/")
            latencies.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise RuntimeError(f"/admin/ answered {response.status_code}")
    return Result(
        f"dashboard-{EVENTS // 1000}k-events",
        variant,
        REQUESTS,
        sum(latencies),
        "pages/s",
        baseline,
        extra={
            "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p95_ms": round(percentile(latencies, 95) * 1000, 1),
            "queries_per_page": len(queries) // REQUESTS,
        },
    )


@scenario("dashboard")
def dashboard_page() -> list[Result]:
    connection = fresh_database()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from core import dashboard

    _fill_events(connection, EVENTS)
    _fill_rest(connection)
    user = get_user_model().objects.create_superuser("bench", "b@example.com", "bench-pass")
    client = Client()
    client.force_login(user)
    panels = dict(dashboard.REGISTRY)
    dashboard.REGISTRY.clear()
    baseline = _measure(client, "admin index, no dashboard (baseline)", True)
    dashboard.REGISTRY.update(panels)
    return [baseline, _measure(client, "admin index with the dashboard", False)]
