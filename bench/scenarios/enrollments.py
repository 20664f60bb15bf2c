"""Unenroll requests resolved against 1,000,000 service points: latency and queries per request.

The rows are generated in SQL (a recursive CTE, so SQLite and PostgreSQL alike); each request unenrolls a
different customer so no request finds its enrollment already ended. ``ENROLLMENTS_BENCH_SIZE`` changes the
number of service points (default 1,000,000), ``ENROLLMENTS_BENCH_REQUESTS`` the requests per variant.
"""

import os
import random

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.harness import Result, scenario
from bench.support import fresh_database, percentile, request_loop

SIZE = int(os.environ.get("ENROLLMENTS_BENCH_SIZE", "1000000"))
REQUESTS = int(os.environ.get("ENROLLMENTS_BENCH_REQUESTS", "300"))
PATH = "/rest/apis/cross/digitalAssets/programEnrollments/unenroll"
STREETS = ["Main Street", "Oak Avenue", "Pine Road", "Elm Street"]


def _street(i: int) -> str:
    return STREETS[i % 4]


def _load(size: int) -> None:
    """Premises, service points, customers and ENROLLED enrollments 1..size, set-based in SQL."""
    from enrollments.models import Program

    program = Program.objects.create(program_id="BENCH", name="Bench program")
    today = timezone.localdate().isoformat()
    seq = f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {size})"
    street = (
        "CASE i % 4 WHEN 0 THEN 'Main Street' WHEN 1 THEN 'Oak Avenue' WHEN 2 THEN 'Pine Road' ELSE 'Elm Street' END"
    )
    street_key = (
        "CASE i % 4 WHEN 0 THEN 'main street' WHEN 1 THEN 'oak avenue' WHEN 2 THEN 'pine road' ELSE 'elm street' END"
    )
    postal = "CAST(90000 + i % 5000 AS TEXT)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""{seq}
            INSERT INTO enrollments_premise (cis_premise_id, address1, address2, address3, address4, city, county,
                state, postal, country, division, time_zone, address_key)
            SELECT CAST(7000000000 + i AS TEXT), CAST(i AS TEXT) || ' ' || {street}, '', '', '', 'Springfield', '',
                'CA', {postal}, 'USA', '', '',
                CAST(i AS TEXT) || ' ' || {street_key} || '||||springfield|ca|' || {postal}
            FROM seq ORDER BY i"""
        )
        cursor.execute(
            "INSERT INTO enrollments_servicepoint (cis_service_point_id, premise_id, service_type) "
            "SELECT CAST(CAST(cis_premise_id AS BIGINT) + 1000000000 AS TEXT), id, 'E' "
            "FROM enrollments_premise ORDER BY id"
        )
        cursor.execute(
            f"""{seq}
            INSERT INTO enrollments_customer (cis_account_id, cis_person_id, name, name_key)
            SELECT CAST(1000000000 + i AS TEXT), CAST(2000000000 + i AS TEXT), 'Customer ' || CAST(i AS TEXT),
                'customer ' || CAST(i AS TEXT)
            FROM seq ORDER BY i"""
        )
        cursor.execute(
            f"""INSERT INTO enrollments_enrollment (customer_id, service_point_id, program_id, status, start_date,
                transaction_id, request_hash, created_at, updated_at)
            SELECT c.id, sp.id, {program.pk}, 'ENROLLED', '2024-01-01', '', '', '{today}', '{today}'
            FROM enrollments_customer c
            JOIN enrollments_servicepoint sp
              ON sp.cis_service_point_id = CAST(CAST(c.cis_account_id AS BIGINT) + 7000000000 AS TEXT)"""
        )
        cursor.execute("ANALYZE")


def _body(i: int, how: str) -> dict:
    customer = {"cisAccountId": str(1000000000 + i)}
    if how == "service point id":
        location = {"cisServicePointID": str(8000000000 + i)}
    elif how == "premise id":
        location = {"cisPremiseId": str(7000000000 + i)}
    else:
        location = {
            "address1": f"{i}  {_street(i).upper()}",
            "city": "springfield",
            "state": "ca",
            "postal": str(90000 + i % 5000),
            "country": "USA",
        }
        if how == "name + address":
            customer = {"name": f"CUSTOMER {i}"}
    return {
        "transactionId": f"BENCH-{how}-{i}",
        "unenrollReason": "CUSTOMEROPTOUT",
        "customerInfo": customer,
        "locationInfo": location,
        "programInfo": {"programId": "BENCH", "endDate": timezone.localdate().isoformat()},
        "assetInfo": {"removalMethod": "X1KP"},
    }


@scenario("enrollments-unenroll-resolution")
def unenroll_resolution() -> list[Result]:
    fresh_database()
    from django.contrib.auth import get_user_model

    from tests import query_budget  # imports pytest: only once the settings are loaded (password hashers)

    _load(SIZE)
    get_user_model().objects.create_superuser("bench", "b@example.com", "bench-pass")
    client = Client()
    client.login(username="bench", password="bench-pass")
    rng = random.Random(5)
    pool = rng.sample(range(1, SIZE + 1), min(SIZE, 4 * (REQUESTS + 20)))
    results = []
    for n, how in enumerate(["service point id", "premise id", "address", "name + address"]):
        ids = pool[n * (REQUESTS + 20) : (n + 1) * (REQUESTS + 20)]
        warm, measured = ids[:20], ids[20:]
        for i in warm:
            request_loop(client, "post", PATH, 1, data=_body(i, how), content_type="application/json")
        latencies = []
        total = 0.0
        with CaptureQueriesContext(connection) as queries:
            for i in measured:
                seconds, lat = request_loop(
                    client, "post", PATH, 1, data=_body(i, how), content_type="application/json"
                )
                total += seconds
                latencies += lat
        per_request = len(queries.captured_queries) / len(measured)
        statements = len(query_budget.statements(queries)) / len(measured)
        results.append(
            Result(
                "enrollments-unenroll-resolution",
                f"unenroll by {how}",
                len(measured),
                total,
                baseline=how == "service point id",
                extra={
                    "service_points": SIZE,
                    "p50_ms": round(percentile(latencies, 50) * 1000, 2),
                    "p95_ms": round(percentile(latencies, 95) * 1000, 2),
                    "queries_per_request": round(per_request, 2),
                    # the same without transaction control (BEGIN, SAVEPOINT, RELEASE, COMMIT); 2 of them are the
                    # session login's (session, user)
                    "statements_per_request": round(statements, 2),
                    "db": connection.vendor,
                },
            )
        )
    from enrollments import selectors
    from enrollments.api.serializers import location_query
    from enrollments.models import Unenrollment

    location = location_query(_body(pool[-1], "address")["locationInfo"])
    plan = selectors.service_points_matching(location=location).explain().lower()
    for result in results:
        scanned = "seq scan" in plan or "scan enrollments_premise" in plan
        result.extra["address_lookup"] = "index" if "index" in plan and not scanned else "SCAN"

    errors = Unenrollment.objects.filter(status="ERROR").count()
    if errors:
        raise RuntimeError(f"{errors} bench requests were not resolved")
    return results
