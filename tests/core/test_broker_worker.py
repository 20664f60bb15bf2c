"""`make run`'s worker on the embedded default broker goes on past a file in its queue that is no message (issue 21,
finding 12: it died on ``JSONDecodeError: Expecting value`` and honcho then stopped web and beat too).

A real worker process, started as the Procfile starts it, on the default broker of a private ``VAR_DIR``; its task
needs no database.
"""

import os
import signal
import subprocess
import uuid
from pathlib import Path

from kombu import Connection

from core import broker
from tests.worker import make_run_env, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _send_slow(var_dir: Path, folder: Path) -> None:
    """``tests.core.worker_tasks.slow`` (0 s) sent to the default queue through the default broker."""
    from celery import current_app

    inbox = var_dir / "broker" / "in"
    options = {"data_folder_in": str(inbox), "data_folder_out": str(inbox)}
    broker.register()
    with Connection("atomicfs://localhost/", transport_options=options) as conn, conn.Producer() as producer:
        current_app.send_task(
            "tests.core.worker_tasks.slow",
            args=[str(folder), 0],
            task_id=uuid.uuid4().hex,
            producer=producer,
            queue="celery",
        )


def test_the_worker_logs_a_file_that_is_no_message_and_goes_on(tmp_path):
    var_dir = tmp_path / "var"
    marks = tmp_path / "marks"
    marks.mkdir()
    worker_line = next(
        line.split(":", 1)[1].strip()
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.startswith("worker:")
    )
    command = worker_line.replace("celery -A config worker", "celery -A config worker -I tests.core.worker_tasks")
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            ["/bin/sh", "-c", command],
            cwd=ROOT,
            env=make_run_env(var_dir),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    output = lambda: log_path.read_text(errors="replace")  # noqa: E731
    try:
        wait_for(lambda: " ready." in output(), timeout=120, message="worker ready")
        inbox = var_dir / "broker" / "in"
        (inbox / "00000000000000000001_empty.celery.msg").write_bytes(b"")  # what a half-written file looked like
        (inbox / "00000000000000000002_half.celery.msg").write_bytes(b'{"body": "W1tdLCB7fS')
        _send_slow(var_dir, marks)
        wait_for(lambda: (marks / "finished").exists(), timeout=60, message="the task after the bad files to run")
        assert worker.poll() is None, output()[-3000:]  # still running
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
    text = output()
    assert text.count("is no message") == 2, text[-3000:]
    assert "JSONDecodeError: Expecting value" not in text.replace("(JSONDecodeError: Expecting value", "")
    assert sorted(os.listdir(var_dir / "broker" / "quarantine")) == [
        "00000000000000000001_empty.celery.msg",
        "00000000000000000002_half.celery.msg",
    ]
