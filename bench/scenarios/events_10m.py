"""The event table at 10,000,000 rows, partitioned by month (issue #25; PostgreSQL only, a note on SQLite).

In one run, on the same database:

1. ingest on the **empty** table (the baseline): ``POST /events``, 500 events per request, no enabled policy;
2. ``BENCH_EVENTS_ROWS`` (default 10,000,000) events loaded with ``generate_series``, their ``received_at`` spread
   over the last ``BENCH_EVENTS_MONTHS`` (6) months (so over as many partitions, created first by
   ``partitions_ensure`` the way the beat would have), then ``ANALYZE``;
3. the same ingest again on the full table (goal: >= 0.9 of the empty table's rate);
4. window start and end through the services (``event_blackout_apply``, ``event_blackout_reset``) against a raw
   SQL ``UPDATE`` of the same rows, in alternating passes (raw, service, service, raw; goal: <= 1.0x the raw
   ``UPDATE``); one event in ``BENCH_EVENTS_MATCH_EVERY`` (10, as in ``blackouts-transitions``) is of the class
   the policy selects; a first start and end, untimed, warm the table. At 10,000,000 rows such an ``UPDATE``
   takes 20-50 s here, within the window edges' own bound (``CRITERIA_WINDOW_TIMEOUT_MS``, 300 s);
5. retention: the oldest month's partition dropped (``partitions_drop_expired``), reported for its row count.
"""

import os
import random

from bench.harness import Result, scenario, timed
from bench.scenarios.blackouts import ALWAYS, RAW_END, RAW_START
from bench.scenarios.ingest import _event
from bench.support import fresh_database

ROWS = int(os.environ.get("BENCH_EVENTS_ROWS", "10000000"))
MONTHS = int(os.environ.get("BENCH_EVENTS_MONTHS", "6"))
MATCH_EVERY = int(os.environ.get("BENCH_EVENTS_MATCH_EVERY", "10"))
INGEST = int(os.environ.get("BENCH_EVENTS_INGEST", "20000"))
BATCH = 500
CHUNK = 1_000_000  # rows per INSERT ... SELECT of the load
PATH = "/events-service/api/v1.0/events"
NAME = "blackouts-events-10m"


def _client():
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    user = get_user_model().objects.create_superuser("bench-events", "b@example.com", "x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
    return client


def _batches() -> list[list[dict]]:
    rng = random.Random(10)
    events = [_event(rng, n) for n in range(INGEST)]
    return [events[i : i + BATCH] for i in range(0, INGEST, BATCH)]


def _post_all(client, batches) -> float:
    client.post(PATH, batches[0][:10], format="json")  # warm-up
    with timed() as t:
        for batch in batches:
            response = client.post(PATH, batch, format="json")
            assert response.status_code == 200, response.content[:300]
    return t["seconds"]


def _load(connection, rows: int) -> None:
    """``rows`` OPEN events spread evenly over the last ``MONTHS`` months, one in ``MATCH_EVERY`` of class DB."""
    from django.db import transaction

    from blackouts import partitions

    columns = (
        "identifier, event_class, msg, severity, status, previous_status, source_hostname, source_identifier,"
        " repeat_count, slots, received_at"
    )
    span = MONTHS * 30 * 86400  # seconds back from now
    with connection.cursor() as cursor:
        # one row per past month into DEFAULT, so that ensure creates those months (as the beat would have)
        for month in range(MONTHS + 1):
            cursor.execute(
                f"INSERT INTO blackouts_event ({columns}) VALUES ('seed', 'SEED', '', 'INFO', 'CLOSED', '', '', '',"
                " 0, '{}', now() - %s * interval '1 day')",
                [month * 30],
            )
        partitions.partitions_ensure()
        cursor.execute("DELETE FROM blackouts_event WHERE event_class = 'SEED'")
        for start in range(1, rows + 1, CHUNK):
            end = min(rows, start + CHUNK - 1)
            with transaction.atomic():
                cursor.execute(
                    f"INSERT INTO blackouts_event ({columns}) SELECT 'id-' || g,"
                    " CASE WHEN mod(g, %s) = 0 THEN 'DB' ELSE 'WEB' END, 'message ' || g, 'MAJOR', 'OPEN', '',"
                    " 'host', '', mod(g, 10), '{}'::jsonb, now() - (mod(g::bigint * 7919, %s)) * interval '1 second'"
                    " FROM generate_series(%s, %s) AS g",
                    [MATCH_EVERY, span, start, end],
                )
        cursor.execute("ANALYZE blackouts_event")


def _partition_counts(connection) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, count(*) FROM blackouts_event GROUP BY 1 ORDER BY 1")
        return dict(cursor.fetchall())


@scenario(NAME)
def events_10m() -> list[Result]:
    connection = fresh_database()
    if connection.vendor != "postgresql":
        return [Result(NAME, "skipped: PostgreSQL only (partitions)", 0, 0.0, extra={"db": connection.vendor})]
    from django.db import transaction
    from django.utils import timezone

    from blackouts import partitions, services
    from blackouts.models import BlackoutPolicy
    from core import criteria

    client = _client()
    batches = _batches()
    _post_all(client, batches)  # warm-up: the first requests of a process fill its caches
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE blackouts_event")
    empty_s = _post_all(client, batches)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE blackouts_event")
    with timed() as fill:
        _load(connection, ROWS)
    counts = _partition_counts(connection)
    full_s = _post_all(client, batches)

    policy = BlackoutPolicy.objects.create(
        name="bench",
        description="bench",
        execution_order=1,
        selector_criteria="class equals 'DB'",
        enabled=False,
        timeframe=ALWAYS,
        blackout_existing_events=True,
        reset_status_on_blackout_end=True,
    )
    now = timezone.now()

    def raw(sql, params):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    pk = str(policy.pk)
    raw(RAW_START, [pk, now])  # warm-up: the first pass over the loaded rows sets their hint bits
    raw(RAW_END, [pk])
    matched = 0
    window_bound = criteria.window_timeout_ms()  # the bound the tick gives a window edge

    def start(kind: str) -> float:
        nonlocal matched
        with timed() as t, transaction.atomic():
            if kind == "raw":
                matched = raw(RAW_START, [pk, now])
            else:
                assert services.event_blackout_apply(policy=policy, now=now, bound_ms=window_bound) == matched, matched
        raw(RAW_END, [pk])
        return t["seconds"]

    def end(kind: str) -> float:
        raw(RAW_START, [pk, now])
        with timed() as t, transaction.atomic():
            if kind == "raw":
                assert raw(RAW_END, [pk]) == matched
            else:
                assert services.event_blackout_reset(policy=policy, now=now, bound_ms=window_bound) == matched
        return t["seconds"]

    # each UPDATE leaves a dead version of every row it changes, so later passes run on a larger table: the
    # passes alternate (raw, service, service, raw) and each variant's time is the sum of its two
    starts = dict.fromkeys(("raw", "service"), 0.0)
    ends = dict(starts)
    for kind in ("raw", "service", "service", "raw"):
        starts[kind] += start(kind)
    for kind in ("service", "raw", "raw", "service"):
        ends[kind] += end(kind)

    # retention: every month older than the newest MONTHS - 1 goes (the oldest, partly filled, month)
    oldest = partitions.event_partitions()[0]
    retention_days = (now - oldest.upper).days
    with timed() as drop_t:
        dropped = partitions.partitions_drop_expired(retention_days=max(1, retention_days), now=now)

    notes = {"rows": f"{ROWS:,}", "partitions": len(counts), "fill_s": round(fill["seconds"], 1)}
    return [
        Result(NAME, "window start: raw SQL UPDATE (2 passes)", 2 * matched, starts["raw"], "rows/s", True),
        Result(
            NAME, "window start: event_blackout_apply (2 passes)", 2 * matched, starts["service"], "rows/s", extra=notes
        ),
        Result(f"{NAME}-end", "window end: raw SQL UPDATE (2 passes)", 2 * matched, ends["raw"], "rows/s", True),
        Result(f"{NAME}-end", "window end: event_blackout_reset (2 passes)", 2 * matched, ends["service"], "rows/s"),
        Result(f"{NAME}-ingest", f"POST /events, {BATCH} per request, empty table", INGEST, empty_s, "events/s", True),
        Result(
            f"{NAME}-ingest",
            f"POST /events, {BATCH} per request, {ROWS:,} stored events",
            INGEST,
            full_s,
            "events/s",
        ),
        Result(
            f"{NAME}-retention",
            f"drop the oldest month ({', '.join(dropped['partitions'])})",
            dropped["events"],
            drop_t["seconds"],
            "rows/s",
            extra={"retention_days": retention_days},
        ),
    ]
