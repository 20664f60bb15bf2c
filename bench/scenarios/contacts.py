"""Customer contact PUT throughput against gunicorn: 16 concurrent clients, creates mixed with status updates.

Starts the production web server (``config/gunicorn.py``, settings ``bench.contacts_settings``) on 127.0.0.1, against a
throw-away database (``bench_<name>`` on PostgreSQL when ``DATABASE_URL`` names one, a temp SQLite file
otherwise), drives it with 16 httpx threads (bounded counts) and compares with a bare DRF view of the same
server. Stops gunicorn at the end.
"""

import threading
import time
from datetime import UTC, datetime, timedelta

from bench.harness import Result, scenario
from bench.support import database_url, fresh_database, gunicorn_server, percentile

CLIENTS = 16
REQUESTS = 1600  # per measured variant
SEED_CONTACTS = 320  # contacts created before the mix, the targets of its status updates
PATH = "/rest/apis/customer/v-model/customerContact/"
STATUSES = ["C1ST", "C1DV", "C1OP", "C1CK"]
ROUNDS = 4


def _body(n: int, status: str, minute: int) -> dict:
    captured = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)
    return {
        "accountId": f"{1589810000 + n % 100}",
        "personId": f"{n:010d}",
        "deliveryChannel": "SMS ",
        "deliveryValue": "+14155552671",
        "notificationType": "OUTAGE_RESTORED",
        "origin": "NMS ",
        "status": status,
        "eventCapturedDateTime": captured.isoformat().replace("+00:00", "Z"),
        "customerContactIdentifier": [{"externalRefId": f"NP-{n}", "identifierType": "C1NS"}],
        "templateData": [{"key": "eta", "value": "18:30"}],
    }


def _drive(base_url: str, headers: dict, jobs: list[tuple[str, str, dict | None]]) -> tuple[float, list[float]]:
    """Send ``jobs`` (method, path, json) from CLIENTS threads; return wall seconds and every latency."""
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    chunks = [jobs[i::CLIENTS] for i in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS + 1)

    def client(chunk):
        own = []
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
            barrier.wait()
            for method, path, body in chunk:
                t0 = time.perf_counter()
                response = http.request(method, path, json=body)
                own.append(time.perf_counter() - t0)
                if response.status_code >= 400:
                    errors.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=client, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, first: {errors[0]}")
    return seconds, latencies


def _result(variant: str, seconds: float, latencies: list[float], *, baseline: bool = False, **extra) -> Result:
    return Result(
        "contacts-put",
        variant,
        len(latencies),
        seconds,
        baseline=baseline,
        extra={
            "p50_ms": round(percentile(latencies, 50) * 1000, 1),
            "p99_ms": round(percentile(latencies, 99) * 1000, 1),
            **extra,
        },
    )


@scenario("contacts-put")
def contacts_put() -> list[Result]:
    from django.db import connection

    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    fresh_database()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework_simplejwt.tokens import AccessToken

    user = get_user_model().objects.create_user("bench-oms", password="bench-pass")
    user.groups.add(Group.objects.get(name="integration"))
    headers = {"Authorization": f"Bearer {AccessToken.for_user(user)}"}  # no password hash per request
    connection.close()

    results = []
    with gunicorn_server("bench.contacts_settings", database_url(connection)) as server:
        base_url = server.base_url
        shape = {"gunicorn": f"{server.workers}x{server.threads}"}
        bare = [("POST", "/bench/bare-drf", {"name": "x", "count": 1})] * (REQUESTS // ROUNDS)
        _drive(base_url, {}, bare[:200])  # warm-up: every worker imported and connected
        baseline = {"seconds": 0.0, "latencies": []}

        def interleaved(jobs: list) -> tuple[float, list[float]]:
            """``jobs`` in ROUNDS chunks (in order), each followed by a chunk of the bare baseline, so that a burst
            of load on the shared machine hits both alike."""
            total, latencies = 0.0, []
            size = -(-len(jobs) // ROUNDS)
            for start in range(0, len(jobs), size):
                spent, lat = _drive(base_url, headers, jobs[start : start + size])
                total, latencies = total + spent, latencies + lat
                spent, lat = _drive(base_url, {}, bare[: max(CLIENTS, size)])
                baseline["seconds"] += spent
                baseline["latencies"] += lat
            return total, latencies

        seed = [("PUT", f"{PATH}BENCH-{n}", _body(n, "C1PN", 0)) for n in range(SEED_CONTACTS)]
        seconds, lat = interleaved(seed)
        results.append(_result("PUT create only", seconds, lat))

        # The mix: half new contacts, half status updates of the seeded ones (each later than the last).
        mix = []
        for k in range(REQUESTS):
            if k % 2 == 0:
                n = SEED_CONTACTS + k
                mix.append(("PUT", f"{PATH}BENCH-{n}", _body(n, "C1PN", 0)))
            else:
                n = (k // 2) % SEED_CONTACTS
                step = 1 + (k // 2) // SEED_CONTACTS
                mix.append(("PUT", f"{PATH}BENCH-{n}", _body(n, STATUSES[step % len(STATUSES)], step)))
        seconds, lat = interleaved(mix)
        results.append(_result("PUT mix 50% create / 50% status update", seconds, lat, db=connection.vendor))

        reads = [("GET", f"{PATH}BENCH-{n % SEED_CONTACTS}", None) for n in range(REQUESTS)]
        seconds, lat = interleaved(reads)
        results.append(_result("GET", seconds, lat))
        base = _result("bare DRF view (no auth)", baseline["seconds"], baseline["latencies"], baseline=True, **shape)
        results.insert(0, base)
    return results
