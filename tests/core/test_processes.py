"""`make run`'s processes stop cleanly: the Procfile under honcho (through ``config.honcho_run``, as the Makefile
runs it), Ctrl-C while a task runs, every process gone within 10 s, no SIGKILL, and the task either finished or back
in the queue to be delivered again.

Real processes on the file broker and SQLite (``make run``'s defaults) in a private ``VAR_DIR``; nothing else needed.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import current_app

from tests.worker import make_run_env, wait_for

ROOT = Path(__file__).resolve().parents[2]
STOP_WITHIN = 10.0  # seconds, the bound


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    """A migrated SQLite database and an empty file broker, as `make run` has them."""
    var = tmp_path_factory.mktemp("run") / "var"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=make_run_env(var),
        check=True,
        timeout=300,
    )
    return var


@pytest.fixture
def empty_queue(var_dir):
    """No task left from the test before (a test leaves its long task queued again, on purpose)."""
    for message in (var_dir / "broker" / "in").glob("*.msg"):
        message.unlink()


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; only its parent's bookkeeping is left


def _send(var_dir: Path, monkeypatch, folder: Path, seconds: float) -> str:
    broker = var_dir / "broker"
    options = {
        "data_folder_in": str(broker / "in"),
        "data_folder_out": str(broker / "in"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
    }
    monkeypatch.setattr(current_app.conf, "broker_url", "filesystem://localhost/")
    monkeypatch.setattr(current_app.conf, "broker_transport_options", options)
    task_id = uuid.uuid4().hex
    with current_app.connection_for_write() as conn, conn.Producer() as producer:
        current_app.send_task(
            "tests.core.worker_tasks.slow", args=[str(folder), seconds], task_id=task_id, producer=producer
        )
    return task_id


def _queued_ids(var_dir: Path) -> set[str]:
    ids = set()
    for path in (var_dir / "broker" / "in").glob("*.msg"):
        ids.add(json.loads(path.read_text())["headers"]["id"])
    return ids


@pytest.mark.parametrize(
    ("seconds", "outcome"),
    [(0.3, "finished"), (120, "queued again")],
    ids=["short task finishes", "long task goes back to the queue"],
)
def test_ctrl_c_stops_web_worker_and_beat_cleanly_while_a_task_runs(
    var_dir, empty_queue, tmp_path, monkeypatch, seconds, outcome
):
    procfile = (ROOT / "Procfile").read_text()
    assert "celery -A config worker" in procfile and "celery -A config beat" in procfile
    test_procfile = tmp_path / "Procfile"
    test_procfile.write_text(
        procfile.replace("celery -A config worker", "celery -A config worker -I tests.core.worker_tasks")
    )
    marks = tmp_path / "marks"
    marks.mkdir()
    log_path = tmp_path / "honcho.log"
    env = make_run_env(var_dir) | {"WEB_PORT": str(_free_port())}
    with log_path.open("wb") as log:
        honcho = subprocess.Popen(
            [sys.executable, "-m", "config.honcho_run", "start", "-f", str(test_procfile), "-d", str(ROOT)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the terminal's foreground group when Ctrl-C is hit
        )
    try:
        output = lambda: log_path.read_text(errors="replace")  # noqa: E731
        wait_for(lambda: " ready." in output() and "beat: Starting" in output(), timeout=90, message="processes up")
        task_id = _send(var_dir, monkeypatch, marks, seconds)
        wait_for(lambda: any(marks.glob("started-*")), timeout=60, message="the task to start")
        processes = _descendants(honcho.pid)
        assert len(processes) >= 6  # honcho's helpers, web, worker and its 2 pool children, beat

        os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl-C does: SIGINT to the foreground process group
        stopped_at = time.monotonic()
        honcho.wait(timeout=STOP_WITHIN + 20)  # (bounded, so a hang fails instead of blocking the suite)
        took = time.monotonic() - stopped_at
        wait_for(lambda: not any(_alive(pid) for pid in processes), timeout=5, message="every process to be gone")
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
        for pid in _descendants(honcho.pid):
            os.kill(pid, signal.SIGKILL)
    text = output()
    assert took <= STOP_WITHIN, f"stopping took {took:.1f}s\n{text[-3000:]}"
    assert "SIGKILL" not in text, text[-3000:]
    # A stop that was asked for is no error: `make run` ends quietly, not with "make: *** [...] Error 130".
    assert honcho.returncode == 0, text[-3000:]
    assert "Soft Shutdown" in text  # the worker's own orderly shutdown ran
    if outcome == "finished":
        assert (marks / "finished").exists(), text[-3000:]
        assert task_id not in _queued_ids(var_dir)
    else:
        assert not (marks / "finished").exists()
        assert task_id in _queued_ids(var_dir), text[-3000:]  # returned, to be delivered again


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sigterm_from_a_supervisor_stops_the_production_worker_with_nothing_left_behind(
    var_dir, empty_queue, tmp_path, monkeypatch
):
    """Procfile.prod's worker line, SIGTERM to its whole process group (what a supervisor that signals groups
    does) and never a SIGKILL: the worker and its pool children are gone, the task in flight back in the queue."""
    line = next(
        line.split(":", 1)[1].strip()
        for line in (ROOT / "Procfile.prod").read_text().splitlines()
        if line.startswith("worker:")
    )
    command = line.replace("celery -A config worker", "celery -A config worker -I tests.core.worker_tasks -c 2")
    marks = tmp_path / "marks"
    marks.mkdir()
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
    try:
        output = lambda: log_path.read_text(errors="replace")  # noqa: E731
        wait_for(lambda: " ready." in output(), timeout=90, message="worker ready")
        task_id = _send(var_dir, monkeypatch, marks, 120)
        wait_for(lambda: any(marks.glob("started-*")), timeout=60, message="the task to start")
        processes = _descendants(worker.pid) | {worker.pid}
        assert len(processes) >= 3  # the worker and its two pool children

        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=STOP_WITHIN + 20)
        wait_for(lambda: not any(_alive(pid) for pid in processes), timeout=STOP_WITHIN, message="nothing left")
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert task_id in _queued_ids(var_dir), output()[-3000:]
    assert not (marks / "finished").exists()
