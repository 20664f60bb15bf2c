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


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(connection) -> str:
    """A ``DATABASE_URL`` naming the database ``connection`` uses (for a server process started beside)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{db.get('USER') or 'postgres'}{password}@{host}/{db['NAME']}"


GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", "2"))


class gunicorn_server:
    """The production web server (``config/gunicorn.py``) on a free loopback port with ``settings_module``,
    ``BENCH_GUNICORN_WORKERS`` workers (4) of ``BENCH_GUNICORN_THREADS`` threads (2); stopped on exit."""

    def __init__(self, settings_module: str, db_url: str, probe: str = "/healthz"):
        self.settings_module, self.db_url, self.probe = settings_module, db_url, probe
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = GUNICORN_WORKERS, GUNICORN_THREADS

    def __enter__(self):
        import subprocess
        import sys
        from pathlib import Path

        import httpx

        env = dict(
            os.environ,
            TESTING="1",
            DJANGO_SETTINGS_MODULE=self.settings_module,
            DATABASE_URL=self.db_url,
            CONN_MAX_AGE="60",
            LOG_LEVEL="WARNING",
            WEB_CONCURRENCY=str(self.workers),
            GUNICORN_THREADS=str(self.threads),
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_LOG_LEVEL="warning",
        )
        env.pop("CELERY_BROKER_URL", None)
        root = Path(__file__).resolve().parents[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(root / "config" / "gunicorn.py"), "config.wsgi"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{self.base_url}{self.probe}", timeout=2)  # any answer: the server is up
                return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.__exit__(None, None, None)
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)

    def __exit__(self, *exc):
        import subprocess

        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return False
