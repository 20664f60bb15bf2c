"""Helpers for scenarios: a throw-away database and in-process request loops."""

import os
import tempfile
import time

from django.test.utils import setup_test_environment


def fresh_database():
    """Create the test database (``test_<name>`` on PostgreSQL, a temp file on SQLite) and migrate it."""
    from django.db import connection

    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    return connection


def request_loop(client, method: str, path: str, count: int, **kwargs) -> tuple[float, list[float]]:
    """Send ``count`` requests; return total seconds and each latency."""
    call = getattr(client, method)
    latencies = []
    start = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        response = call(path, **kwargs)
        latencies.append(time.perf_counter() - t0)
        if response.status_code >= 400:
            raise RuntimeError(f"{method.upper()} {path} answered {response.status_code}: {response.content[:300]!r}")
    return time.perf_counter() - start, latencies


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]
