"""A real Celery worker in a subprocess, on Redis, against the test database (PostgreSQL).

Tests that exist to prove the asynchronous path use it instead of eager tasks::

    @pytest.mark.postgres
    @pytest.mark.worker
    @pytest.mark.django_db(transaction=True)
    def test_something(celery_worker):
        transaction.on_commit(...) / task.delay(...)
        wait_for(lambda: Model.objects.filter(...).exists())

Each test gets its own queue, so no message from another run can reach it.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from config.celery import app
from config.queues import queue_names

BASE_DIR = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def make_run_env(var_dir: Path) -> dict:
    """The environment of `make run`'s processes (no service configured: SQLite and the file broker in ``var_dir``,
    DEBUG on), for tests that start them as separate OS processes."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL", "TESTING", "PYTEST_CURRENT_TEST"}
    }
    bin_dir = str(Path(sys.executable).parent)
    env.update(VAR_DIR=str(var_dir), DEBUG="1", PATH=f"{bin_dir}:{env.get('PATH', '/usr/bin:/bin')}")
    return env


def wait_for(predicate, *, timeout: float = 30.0, interval: float = 0.1, message: str = "condition"):
    """Poll ``predicate`` until it is truthy; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {message}")


def fresh_queue() -> str:
    """A fresh default queue name for one test; its queue classes' names start with it (``queue_prefix``)."""
    return f"test-{uuid.uuid4().hex[:12]}"


def queue_prefix(queue: str) -> str:
    return f"{queue}."


@contextmanager
def worker_process(
    *,
    include: tuple[str, ...] = (),
    concurrency: int = 1,
    extra_env: dict | None = None,
    queue: str | None = None,
    classes: tuple[str, ...] | None = None,
    name: str | None = None,
):
    """A worker serving this test's queues: ``classes`` of ``config/queues.py`` ("default" for the default queue;
    all by default). Workers of one test share ``queue`` (a :func:`fresh_queue`)."""
    queue = queue or fresh_queue()
    prefix = queue_prefix(queue)
    serves = queue_names(prefix=prefix, default=queue, classes=classes)
    broker = settings.CELERY_BROKER_URL  # REDIS_URL under the `worker` marker
    env = dict(
        os.environ,
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL=broker,
        CELERY_TASK_ALWAYS_EAGER="0",
        TESTING="1",
        CONN_MAX_AGE="0",
        CELERY_TASK_DEFAULT_QUEUE=queue,  # what the worker's own tasks enqueue stays on this test's queues
        CELERY_QUEUE_PREFIX=prefix,
    )
    env.update(extra_env or {})  # the caller's word last (e.g. the bench's persistent connections)
    log = tempfile.NamedTemporaryFile(prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
    cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", ",".join(serves), "-c", str(concurrency)]
    node = f"{name or 'all'}-{queue}@%h"
    cmd += ["--pool=prefork", "--without-gossip", "--without-mingle", "--loglevel=INFO", "-n", node]
    for module in include:
        cmd += ["-I", module]
    proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    routing = override_settings(CELERY_QUEUE_PREFIX=prefix)  # what this process sends goes to this test's queues
    routing.enable()
    try:
        wait_for(lambda: "ready." in Path(log.name).read_text(errors="replace"), timeout=60, message="worker ready")
        proc.queue = queue
        proc.log_path = log.name
        yield proc
    finally:
        routing.disable()
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def kill_worker(proc) -> None:
    """SIGKILL the worker and its pool children at once (a crash, not a shutdown)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def celery_worker(transactional_db):
    with worker_process() as proc:
        yield proc
