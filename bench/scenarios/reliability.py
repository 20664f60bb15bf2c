"""IEEE 1366 indices for a year (``outages.reliability``) against a plain COUNT/SUM over the same rows, same run.

A utility of BENCH_RELIABILITY_CUSTOMERS customers (default 1,000,000): customers / 50 restored outages over
2025 (20,000) of 250 customers each (5,000,000 customer interruptions, overlaps included), generated in SQL.
Variants: the baseline (one COUNT and SUM of the spells' minutes), the indices for the year, the indices with
``group_by=month``, and the CEMI-3 customers streamed (rows counted, flat memory).
"""

import os
import time
from datetime import date

from bench.harness import Result, peak_rss_mb, scenario
from bench.support import fresh_database

CUSTOMERS = int(os.environ.get("BENCH_RELIABILITY_CUSTOMERS", "1000000"))
PER_OUTAGE = 250


def _populate() -> int:
    from django.db import connection

    from outages.models import ExternalSystem

    outages = max(CUSTOMERS // 50, 1)
    system = ExternalSystem.objects.create(name="bench-oms")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "INSERT INTO outages_outageevent (external_system_id, external_outage_id, outage_type, "
                "message_reference, start_date_time, completion_date_time, discarded, state, customer_count, "
                "created_at, updated_at) SELECT %s, 'O' || i, CASE WHEN i %% 10 = 0 THEN 'C1PL' ELSE 'C1UP' END, '', "
                "timestamptz '2025-01-01 00:00Z' + (i * 1571 %% 525600) * interval '1 minute', "
                "timestamptz '2025-01-01 00:00Z' + (i * 1571 %% 525600 + 2 + i %% 300) * interval '1 minute', "
                "false, 'restored', %s, now(), now() FROM generate_series(1, %s) AS i",
                [system.pk, PER_OUTAGE, outages],
            )
            cursor.execute(
                "INSERT INTO outages_outagecustomerspell (event_id, account_id, sp_id, added_at, dropped_at) "
                "SELECT e.id, lpad(((e.id * 7919 + g * 104729) %% %s)::text, 10, '0'), '', NULL, NULL "
                "FROM outages_outageevent e, generate_series(1, %s) AS g",
                [CUSTOMERS, PER_OUTAGE],
            )
            cursor.execute("ANALYZE")
        else:
            cursor.execute(
                "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
                "INSERT INTO outages_outageevent (external_system_id, external_outage_id, outage_type, "
                "message_reference, start_date_time, completion_date_time, discarded, state, customer_count, "
                "created_at, updated_at) SELECT %s, 'O' || i, CASE WHEN i %% 10 = 0 THEN 'C1PL' ELSE 'C1UP' END, '', "
                "datetime('2025-01-01', '+' || (i * 1571 %% 525600) || ' minutes'), "
                "datetime('2025-01-01', '+' || (i * 1571 %% 525600 + 2 + i %% 300) || ' minutes'), "
                "0, 'restored', %s, datetime('now'), datetime('now') FROM s",
                [outages, system.pk, PER_OUTAGE],
            )
            cursor.execute(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
                "INSERT INTO outages_outagecustomerspell (event_id, account_id, sp_id, added_at, dropped_at) "
                "SELECT e.id, printf('%%010d', (e.id * 7919 + n * 104729) %% %s), '', NULL, NULL "
                "FROM outages_outageevent e, g",
                [PER_OUTAGE, CUSTOMERS],
            )
    return outages * PER_OUTAGE


def _timed(name: str, variant: str, rows: int, work, baseline: bool = False, **extra) -> Result:
    started = time.perf_counter()
    out = work()
    seconds = time.perf_counter() - started
    return Result(
        name,
        variant,
        rows,
        seconds,
        unit="rows/s",
        baseline=baseline,
        peak_rss_mb=peak_rss_mb(),
        extra={**extra, **(out if isinstance(out, dict) else {})},
    )


@scenario("reliability")
def reliability() -> list[Result]:
    from django.db import connection

    from outages.reliability import ReliabilityQuery, intervals, reliability_compute

    fresh_database()
    rows = _populate()
    name = f"reliability-{CUSTOMERS // 1000}k-customers"
    query = ReliabilityQuery(start=date(2025, 1, 1), end=date(2026, 1, 1), zone="UTC", customers_served=CUSTOMERS)

    def baseline():
        minutes = (
            "EXTRACT(EPOCH FROM (e.completion_date_time - e.start_date_time)) / 60.0"
            if connection.vendor == "postgresql"
            else "(julianday(e.completion_date_time) - julianday(e.start_date_time)) * 1440.0"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*), SUM({minutes}) FROM outages_outagecustomerspell s "
                "JOIN outages_outageevent e ON e.id = s.event_id WHERE e.state = 'restored'"
            )
            count, total = cursor.fetchone()
        return {"count": count, "minutes": round(float(total or 0))}

    def indices():
        result = reliability_compute(query).as_dict()
        return {"saifi": round(result["saifi"], 4), "saidi": round(result["saidi"], 2)}

    def monthly():
        return {"groups": len(reliability_compute(ReliabilityQuery(**{**query.__dict__, "group_by": "month"})).groups)}

    def cemi():
        count = sum(
            1
            for _ in intervals.customers(
                since=query.since,
                until=query.until,
                zone="UTC",
                include_planned=False,
                threshold=query.threshold,
                having="sustained",
                bound=3,
            )
        )
        return {"cemi3_customers": count}

    return [
        _timed(name, "baseline: COUNT/SUM over the spells", rows, baseline, baseline=True),
        _timed(name, "indices for the year", rows, indices),
        _timed(name, "indices by month", rows, monthly),
        _timed(name, "CEMI-3 customers streamed", rows, cemi),
    ]
