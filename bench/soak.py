"""``make soak`` / ``python -m bench.soak``: a bounded mixed load against gunicorn for several minutes, on loopback.

Four clients, each sending one request after another (no think time; the load is bounded by the concurrency)
through one mix: outage notifications (a pool of 50 outages, each message later than the last), contact PUTs (a
pool of 500 contacts, creates then status updates), BMC event batches (20 events each) and analyst exports
(``/api/outages/events/?format=csv``, the 50 outages). Every answer must be a 2xx; the gunicorn processes' RSS is
sampled every few seconds and each window's latencies give its p50/p99.

It passes (exit 0) with 0 errors and an RSS growth under 10% between the end of the warm-up (the first fifth of the
run) and the end; it prints a Markdown table of the windows and a summary. Run it on PostgreSQL::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/backoffice .venv/bin/python -m bench.soak --minutes 5

It creates and drops its own database (``soak_<name>``, beside the one ``DATABASE_URL`` names).
"""

import argparse
import itertools
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
NOTIFICATIONS = "/rest/apis/customer/service/outageEventNotifications/"
CONTACTS = "/rest/apis/customer/v-model/customerContact/"
EVENTS = "/events-service/api/v1.0/events"
EXPORT = "/api/outages/events/?format=csv"
START = datetime(2025, 2, 6, tzinfo=UTC)
STATUSES = ["C1PN", "C1ST", "C1DV", "C1OP", "C1CK"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_mb(root_pid: int) -> float:
    """RSS of a process and its children (gunicorn's master and workers), from /proc."""
    pids = [root_pid]
    children = Path(f"/proc/{root_pid}/task/{root_pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Mix:
    """The next request of the mix (thread-safe): (method, path, JSON body or None, kind)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counter = itertools.count()

    def next(self):
        with self._lock:
            n = next(self._counter)
        kind = n % 10
        if kind < 3:  # 30% outage notifications
            outage, reference = n % 50, n
            body = {
                "externalSystem": "SOAK-OMS",
                "outageMessages": [
                    {
                        "eventDetails": {
                            "externalOutageId": f"SOAK-{outage}",
                            "messageReference": str(reference),
                            "outageType": "C1UP",
                            "startDateTime": "2025-02-06T02:00:00-08:00",
                            "impactedCustomers": 5,
                        },
                        "customerInformation": {
                            "incrementalUpdate": False,
                            "customers": [
                                {"accountId": f"{outage * 10 + c:010d}", "spId": f"{5_000_000_000 + c:010d}"}
                                for c in range(5)
                            ],
                        },
                    }
                ],
            }
            return "POST", NOTIFICATIONS, body, "outage notification"
        if kind < 7:  # 40% contact PUTs
            contact, rounds = n % 500, n // 500  # each round reports every contact later than the last
            body = {
                "accountId": f"{contact:010d}",
                "deliveryChannel": "SMS ",
                "deliveryValue": "+14155552671",
                "eventCapturedDateTime": (START + timedelta(minutes=rounds)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "notificationType": "OUTAGE_RESTORED",
                "origin": "NMS ",
                "status": STATUSES[rounds % len(STATUSES)],
                "customerContactIdentifier": [{"externalRefId": f"SOAK-{contact}", "identifierType": "C1NS"}],
                "templateData": [{"key": "eta", "value": "18:30"}],
            }
            return "PUT", f"{CONTACTS}SOAK-{contact}", body, "contact PUT"
        if kind < 9:  # 20% BMC event batches
            batch = [
                {
                    "class": f"C{(n + e) % 40}",
                    "msg": f"soak event {n}-{e}",
                    "severity": "MINOR",
                    "_identifier": f"soak-{(n * 20 + e) % 2000}",
                    "source_hostname": f"h{e}",
                }
                for e in range(20)
            ]
            return "POST", EVENTS, batch, "event batch"
        return "GET", EXPORT, None, "analyst export"


def _prepare(user_name: str) -> tuple[str, str]:
    """Create the soak database, its user and a JWT; return (DATABASE_URL of the soak database, token)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TESTING"] = "1"
    import django

    django.setup()
    from django.db import connection

    from bench.support import fresh_database

    if connection.vendor == "postgresql":
        connection.settings_dict["TEST"]["NAME"] = f"soak_{connection.settings_dict['NAME']}"
    fresh_database()
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.settings import api_settings
    from rest_framework_simplejwt.tokens import AccessToken

    from outages.models import ExternalSystem

    ExternalSystem.objects.get_or_create(name="SOAK-OMS")
    user = get_user_model().objects.create_superuser(user_name, f"{user_name}@example.com", None)
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=api_settings.ACCESS_TOKEN_LIFETIME * 100)  # outlives the run
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        url = f"postgres://{db.get('USER') or 'postgres'}{password}@{host}:{port}/{db['NAME']}"
    else:
        url = f"sqlite:///{db['NAME']}"
    connection.close()
    return url, str(token)


def _drop() -> None:
    from django.db import connection

    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "5")))
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--window", type=float, default=15.0, help="seconds per reported window")
    args = parser.parse_args(argv)

    database_url, token = _prepare("soak")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=database_url, CONN_MAX_AGE="60", LOG_LEVEL="WARNING", DEBUG="0")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("CELERY_BROKER_URL", None)
    env.pop("REDIS_URL", None)
    cmd = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(args.workers)]
    cmd += ["--log-level", "warning", "--max-requests", "0"]
    gunicorn = subprocess.Popen(cmd, cwd=BASE_DIR, env=env)
    import httpx

    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {token}"}
    samples: list[tuple[float, float]] = []  # (elapsed seconds, RSS MB)
    records: list[tuple[float, float, str, int]] = []  # (elapsed at end, latency, kind, status)
    errors: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code in (200, 503):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or gunicorn.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        mix = Mix()
        started = time.monotonic()
        duration = args.minutes * 60

        def client():
            with httpx.Client(base_url=base, headers=headers, timeout=60) as http:
                while not stop.is_set():
                    method, path, body, kind = mix.next()
                    t0 = time.monotonic()
                    try:
                        response = http.request(method, path, json=body)
                        status = response.status_code
                        text = response.text[:200] if status >= 300 else ""
                    except httpx.HTTPError as exc:
                        status, text = -1, repr(exc)
                    t1 = time.monotonic()
                    with lock:
                        records.append((t1 - started, t1 - t0, kind, status))
                        if not 200 <= status < 300:
                            errors.append(f"{method} {path} -> {status} {text}")

        threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        while (elapsed := time.monotonic() - started) < duration:
            samples.append((elapsed, _rss_mb(gunicorn.pid)))
            time.sleep(min(5.0, max(0.0, duration - elapsed)))
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        samples.append((time.monotonic() - started, _rss_mb(gunicorn.pid)))
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        _drop()
    return _report(args, records, samples, errors)


def _report(args, records, samples, errors) -> int:
    duration = args.minutes * 60
    warmup = duration / 5
    print(f"\n## Soak: {args.minutes:g} min, {args.clients} clients, gunicorn {args.workers} workers\n")
    print("| window (s) | requests | req/s | p50 ms | p99 ms | errors | RSS MB (end) |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    p99s = []
    start = 0.0
    while start < duration:
        end = start + args.window
        window = [r for r in records if start <= r[0] < end]
        latencies = [r[1] for r in window]
        rss = [mb for t, mb in samples if t < end]
        p50, p99 = _percentile(latencies, 50) * 1000, _percentile(latencies, 99) * 1000
        if start >= warmup and latencies:
            p99s.append(p99)
        bad = sum(1 for r in window if not 200 <= r[3] < 300)
        print(
            f"| {start:.0f}-{min(end, duration):.0f} | {len(window)} | {len(window) / args.window:.1f} | {p50:.1f} |"
            f" {p99:.1f} | {bad} | {rss[-1] if rss else 0:.1f} |"
        )
        start = end
    after = [mb for t, mb in samples if t >= warmup]
    base_rss, final_rss = (after[0], samples[-1][1]) if after else (samples[0][1], samples[-1][1])
    growth = (final_rss - base_rss) / base_rss * 100 if base_rss else 0.0
    kinds = Counter(r[2] for r in records)
    all_latencies = [r[1] for r in records if r[0] >= warmup]
    print("\n| figure | value |\n| --- | --- |")
    print(f"| requests | {len(records)} ({', '.join(f'{k}: {v}' for k, v in sorted(kinds.items()))}) |")
    print(f"| errors (non-2xx or transport) | {len(errors)} |")
    print(f"| RSS after warm-up → end | {base_rss:.1f} MB → {final_rss:.1f} MB ({growth:+.1f}%) |")
    print(
        f"| p50 / p99 after warm-up | {_percentile(all_latencies, 50) * 1000:.1f} ms / "
        f"{_percentile(all_latencies, 99) * 1000:.1f} ms |"
    )
    if p99s:
        print(f"| p99 per window after warm-up (min-max) | {min(p99s):.1f}-{max(p99s):.1f} ms |")
    for line in errors[:10]:
        print(f"error: {line}", file=sys.stderr)
    ok = not errors and growth < 10.0
    print(f"\n{'PASS' if ok else 'FAIL'}: {len(errors)} errors, RSS growth {growth:+.1f}% (limit +10%)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
