"""Inventory: a 100-item bundle create (designOnly) and its GET at depth 2 (seconds; queries, and statements: the
queries less transaction control), and activation throughput of 1,000 bundles through a real Celery worker on
Redis (needs DATABASE_URL=PostgreSQL, REDIS_URL)."""

import json
import os
import time
from io import StringIO

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.harness import Result, scenario
from bench.support import fresh_database

BASE = "/InventoryRSOpenAPI/serviceInventoryManagement/v3/bundle"
ITEMS = 100
ROUNDS = 5


def _setup() -> Client:
    fresh_database()
    from django.contrib.auth import get_user_model

    from inventory import demo

    demo.load(stdout=StringIO())
    get_user_model().objects.create_superuser("bench", "b@example.com", "bench-pass")
    client = Client()
    client.login(username="bench", password="bench-pass")
    return client


@scenario("inventory-bundle")
def inventory_bundle() -> list[Result]:
    client = _setup()
    from tests import query_budget  # imports pytest: only once the settings are loaded (password hashers)
    from tests.factories.inventory import bundle_items

    body = json.dumps({"items": bundle_items(ITEMS)})
    client.post(BASE, data=json.dumps({"items": bundle_items(2)}), content_type="application/json")  # warm-up
    results = []
    create_seconds, read_seconds, bundle_ids = 0.0, 0.0, []
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as create_queries:
            start = time.perf_counter()
            response = client.post(BASE + "?designOnly=true", data=body, content_type="application/json")
            create_seconds += time.perf_counter() - start
        assert response.status_code == 201, response.content[:300]
        bundle_ids.append(response.json()["id"])
    for bundle_id in bundle_ids:
        with CaptureQueriesContext(connection) as read_queries:
            start = time.perf_counter()
            response = client.get(f"{BASE}/{bundle_id}?depth=2")
            read_seconds += time.perf_counter() - start
        assert response.status_code == 200
    size = len(response.content)
    results.append(
        Result(
            "inventory-bundle",
            f"create {ITEMS}-item bundle (designOnly)",
            ROUNDS,
            create_seconds,
            unit="bundles/s",
            baseline=True,
            extra={
                "s_per_bundle": round(create_seconds / ROUNDS, 3),
                "queries": len(create_queries),
                "statements": len(query_budget.statements(create_queries)),
            },
        )
    )
    results.append(
        Result(
            "inventory-bundle",
            f"GET {ITEMS}-item bundle depth=2",
            ROUNDS,
            read_seconds,
            unit="req/s",
            extra={
                "s_per_get": round(read_seconds / ROUNDS, 3),
                "queries": len(read_queries),
                "statements": len(query_budget.statements(read_queries)),
                "bytes": size,
            },
        )
    )
    return results


@scenario("inventory-activation")
def inventory_activation() -> list[Result]:
    """1,000 two-item bundles activated by one real worker (prefork, concurrency 2) on Redis.

    The worker keeps its database connection between tasks (``CONN_MAX_AGE=60``, production's default); the test
    helper's default of 0 (a new connection per task, so tests can drop their database) would measure connection
    set-up, not activation."""
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        return [Result("inventory-activation", "skipped: needs DATABASE_URL (PostgreSQL) and REDIS_URL", 0, 0.0)]
    _setup()
    from django.db import transaction

    from inventory import services
    from inventory.models import BusinessInteraction, InteractionState
    from tests.factories.inventory import new_items
    from tests.worker import worker_process

    count = int(os.environ.get("INVENTORY_BENCH_BUNDLES", "1000"))
    items = new_items(2)
    with transaction.atomic():
        bundles = [services.bundle_create(items=items, design_only=True) for _ in range(count)]
    with worker_process(concurrency=2, extra_env={"CONN_MAX_AGE": "60"}):
        start = time.perf_counter()
        with transaction.atomic():
            for bundle in bundles:
                services.bundle_request_activation(bundle=bundle)
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            done = BusinessInteraction.objects.filter(
                parent__isnull=True, activation_requested=False, state=InteractionState.COMPLETED
            ).count()
            if done >= count:
                break
            time.sleep(0.5)
        seconds = time.perf_counter() - start
    failed = BusinessInteraction.objects.filter(parent__isnull=True, state=InteractionState.FAILED).count()
    return [
        Result(
            "inventory-activation",
            "1 worker x2 processes, Redis, 3 chained steps, persistent connections",
            done,
            seconds,
            unit="bundles/s",
            baseline=True,
            extra={"failed": failed, "steps_per_s": round(3 * done / seconds, 1)},
        )
    ]
