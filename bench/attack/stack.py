"""The product as production runs it, on loopback: gunicorn (``config/gunicorn.py``), a Celery worker and beat,
on PostgreSQL and Redis, with DEBUG off — on a fresh database of its own with demo data and one user per role.

Plain http on 127.0.0.1, so ``SECURE_SSL_REDIRECT`` and the secure-cookie flags are off; everything else is the
production default. Every failed-password lockout is off (every request of the run comes from one address; the
lockout has its own tests). Outbound HTTP of the servers goes to a dead loopback proxy, so that a webhook target
the product accepts is never reached on the internet.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import suppress
from pathlib import Path

import httpx

from bench.support import database_url, free_port, fresh_database

BASE_DIR = Path(__file__).resolve().parents[2]
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens, every outbound connection is refused


class Process:
    """One child process in its own session (so its children die with it), logging to a file."""

    def __init__(self, name: str, cmd: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self._log.close()


def production_environment(run_dir: Path, *, secret_key: str) -> dict:
    """What every process of the run (this one included) sees: production settings for plain http on loopback."""
    env = {
        "DEBUG": "0",
        "TESTING": "0",
        "SECRET_KEY": secret_key,
        "VAR_DIR": str(run_dir),
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AUTH_FAILURE_USER_LIMIT": "0",
        "AUTH_FAILURE_ADDRESS_LIMIT": "0",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
        "CACHE_KEY_PREFIX": f"attack-{secrets.token_hex(4)}",
        "HTTP_PROXY": DEAD_PROXY,
        "HTTPS_PROXY": DEAD_PROXY,
        "ALL_PROXY": DEAD_PROXY,
        "NO_PROXY": "",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        env[name] = env[name.upper()]
    return env


class Stack:
    """Prepare the database in this process, then start web, worker and beat; ``close()`` stops them all."""

    def __init__(self, *, web_workers: int = 2, web_threads: int = 4, allow_sqlite: bool = False):
        self.run_dir = Path(tempfile.mkdtemp(prefix="attack-run-"))
        self.env = production_environment(self.run_dir, secret_key=secrets.token_urlsafe(50))
        self.web_workers, self.web_threads, self.allow_sqlite = web_workers, web_threads, allow_sqlite
        self.processes: list[Process] = []
        self.base_url = ""
        self.db_url = ""
        self._dropped = False

    # --- this process ------------------------------------------------------------------------------------------
    def setup_django(self) -> None:
        """Settings of the run in this process too (the harness reads the URL resolver, the admin and users)."""
        os.environ.update({k: v for k, v in self.env.items() if "proxy" not in k.lower()})  # only the servers'
        for name in ("CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "CACHE_URL"):
            os.environ.pop(name, None)
        if not os.environ.get("REDIS_URL"):
            raise SystemExit("REDIS_URL is required (the broker and the shared cache of production).")
        import django

        django.setup()
        from django.db import connection

        if connection.vendor != "postgresql":
            if not self.allow_sqlite:
                raise SystemExit("DATABASE_URL must name PostgreSQL (or pass --allow-sqlite for a weaker run).")
            warnings.warn("Running on SQLite: not what production runs; findings may differ.", stacklevel=1)

    def prepare_database(self) -> None:
        """A fresh database beside the one DATABASE_URL names (``attack_<name>``), migrated, with demo data."""
        from django.core.management import call_command
        from django.db import connection

        if connection.vendor == "postgresql":
            name = f"attack_{connection.settings_dict['NAME']}"
            connection.settings_dict["TEST"]["NAME"] = name
            with connection.cursor() as cursor:  # sessions a killed earlier run left behind would block the drop
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name])
        fresh_database()
        self.db_url = database_url(connection)
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        call_command("collectstatic", "--noinput", verbosity=0)  # the manifest storage of production needs it
        connection.close()

    def lingering_queries(self, *, terminate: bool = False) -> list[dict]:
        """Statements still running in the attack database (PostgreSQL) — after the servers stopped, a query nobody
        waits for any more. With ``terminate``, end them (they are this run's own sessions)."""
        from django.db import connection

        if connection.vendor != "postgresql":
            return []
        name = connection.settings_dict["NAME"]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid, state, extract(epoch FROM now() - query_start), left(query, 300) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid() AND state <> 'idle'",
                [name],
            )
            rows = [{"pid": r[0], "state": r[1], "seconds": round(r[2] or 0, 1), "query": r[3]} for r in cursor]
            if terminate:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
                    " AND pid <> pg_backend_pid()",
                    [name],
                )
        return rows

    def drop_database(self) -> None:
        from django.db import connection

        if self._dropped or not self.db_url:
            return
        self._dropped = True
        self.lingering_queries(terminate=True)
        connection.close()
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)

    # --- the servers -------------------------------------------------------------------------------------------
    def start(self) -> None:
        env = dict(os.environ, **self.env, DATABASE_URL=self.db_url)
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        web_env = dict(
            env,
            GUNICORN_BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=str(self.web_workers),
            GUNICORN_THREADS=str(self.web_threads),
            GUNICORN_LOG_LEVEL="warning",
        )
        gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(BASE_DIR / "config" / "gunicorn.py"), "config.wsgi"]
        self.processes.append(Process("web", gunicorn, web_env, self.run_dir))
        worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "1", "--loglevel=INFO"]
        worker += ["--without-gossip", "--without-mingle", "-n", f"attack-{port}@%h"]
        worker_env = dict(env, REMAP_SIGTERM="SIGQUIT", LOG_LEVEL="INFO")  # its "ready." line tells it is up
        self.processes.append(Process("worker", worker, worker_env, self.run_dir))
        beat = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]
        beat += ["-s", str(self.run_dir / "celerybeat-schedule")]
        self.processes.append(Process("beat", beat, env, self.run_dir))
        self._wait_ready()

    def _wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        worker = self.processes[1]
        while time.monotonic() < deadline:
            dead = [p.name for p in self.processes if not p.alive()]
            if dead:
                raise RuntimeError(f"{dead} exited at start: {self.log_tail(dead[0])}")
            try:
                up = httpx.get(f"{self.base_url}/livez", timeout=2).status_code < 500
            except httpx.HTTPError:
                up = False
            if up and "ready." in worker.log():
                return
            self.last_probe = (up, worker.log()[-300:])
            time.sleep(0.3)
        raise RuntimeError(f"the stack did not start in {timeout}s: {getattr(self, 'last_probe', '')}")

    def log_tail(self, name: str, chars: int = 2000) -> str:
        for process in self.processes:
            if process.name == name:
                return process.log()[-chars:]
        return ""

    def dead_processes(self) -> list[str]:
        return [p.name for p in self.processes if not p.alive()]

    def close(self) -> list[dict]:
        """Stop every process, then drop the database; answer the statements that outlived the servers."""
        for process in reversed(self.processes):
            process.stop()
        self.processes = []
        lingering = []
        if self.db_url and not self._dropped:
            with suppress(Exception):
                lingering = self.lingering_queries()
        try:
            self.drop_database()
        finally:
            shutil.rmtree(self.run_dir, ignore_errors=True)
        return lingering
