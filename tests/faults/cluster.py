"""Processes of a small "cluster" on this machine for the fault tests: gunicorn web processes, Celery workers and
beat schedulers (each its own process, as on separate machines), a private Redis and a private PostgreSQL that a
test may stop and start. Every process logs to a file the test can read; all are stopped at the end."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from config.queues import queue_names
from tests.worker import BASE_DIR, wait_for

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """One child process in its own session (so its children die with it), logging to a file."""

    def __init__(self, name: str, cmd: list[str], env: dict):
        self.name = name
        self.log_path = Path(tempfile.mkstemp(prefix=f"fault-{name}-", suffix=".log")[1])
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            cmd, cwd=BASE_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def stop(self) -> None:
        self.kill(signal.SIGTERM)
        self._log.close()


class Cluster:
    """Start processes sharing one database, one broker and one task queue; ``close()`` stops them all."""

    def __init__(self, *, database_url: str, broker_url: str, extra_env: dict | None = None):
        self.queue = f"fault-{uuid.uuid4().hex[:10]}"
        self.tmp = Path(tempfile.mkdtemp(prefix="fault-cluster-"))
        self.env = dict(
            os.environ,
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=broker_url,
            REDIS_URL=broker_url,
            CELERY_TASK_ALWAYS_EAGER="0",
            DJANGO_SETTINGS_MODULE="tests.faults.fast_settings",
            FAULT_QUEUE=self.queue,
            TESTING="1",
            DEBUG="0",
            CONN_MAX_AGE="60",
            **(extra_env or {}),
        )
        self.processes: list[Process] = []
        self.web_urls: list[str] = []

    def start(self, name: str, cmd: list[str], **env) -> Process:
        process = Process(name, cmd, {**self.env, **{k: str(v) for k, v in env.items()}})
        self.processes.append(process)
        return process

    def web(self, name: str = "web", **env) -> str:
        port = free_port()
        cmd = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]
        cmd += ["--threads", "4", "--graceful-timeout", "5", "--timeout", "60"]
        self.start(name, cmd, **env)
        url = f"http://127.0.0.1:{port}"
        self.web_urls.append(url)
        return url

    def worker(self, name: str = "worker", **env) -> Process:
        queues = ",".join(queue_names(prefix=f"{self.queue}.", default=self.queue))  # every class, as `make run`
        cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queues, "-c", "1"]
        cmd += ["--pool=prefork", "--without-gossip", "--without-mingle", "--loglevel=INFO", "-n", f"{name}@%h"]
        return self.start(name, cmd, **env)

    def beat(self, name: str = "beat", **env) -> Process:
        schedule = self.tmp / f"{name}-schedule"
        cmd = [sys.executable, "-m", "celery", "-A", "config", "beat", "-s", str(schedule), "--loglevel=INFO"]
        return self.start(name, cmd, **env)

    def wait_ready(self, timeout: float = 90) -> None:
        """Every web answers /healthz (any status), every worker logged ``ready.``, every beat started."""
        for url in self.web_urls:
            wait_for(lambda url=url: _answers(url), timeout=timeout, interval=0.3, message=f"{url} to answer")
        for process in self.processes:
            if "worker" in process.name:
                wait_for(lambda p=process: "ready." in p.log(), timeout=timeout, message=f"{process.name} ready")
            if "beat" in process.name:
                wait_for(lambda p=process: "beat: Starting" in p.log(), timeout=timeout, message=f"{process.name}")

    def logs(self, kind: str) -> str:
        return "".join(p.log() for p in self.processes if kind in p.name)

    def close(self) -> None:
        for process in self.processes:
            process.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def _answers(url: str) -> bool:
    try:
        httpx.get(f"{url}/healthz", timeout=2)
    except httpx.HTTPError:
        return False
    return True


@contextmanager
def cluster(**kwargs):
    c = Cluster(**kwargs)
    try:
        yield c
    finally:
        c.close()


class PrivateRedis:
    """A Redis server of our own on a free port, that a test may stop (the broker unreachable) and start again."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="fault-redis-"))
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        cmd += ["--dir", str(self.dir)]
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._pings, timeout=20, message="private redis")

    def _pings(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateCluster:
    """A PostgreSQL cluster of our own (``initdb`` in a temporary directory, a free port, trust auth on loopback)
    holding a copy of the test database, that a test may stop and start under traffic."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="fault-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/faults"

    def _run(self, *cmd, server: bool = False, **kwargs) -> None:
        if server and os.geteuid() == 0:  # PostgreSQL refuses to run as root: run the server as its own user
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)

    def init(self, copy_of: str) -> None:
        """initdb, start, and load a dump of the database ``copy_of`` (a URL) as ``faults``."""
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        initdb = (str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._run(*initdb, server=True)
        self.start()
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "faults")
        dump = subprocess.run(
            ["pg_dump", "--no-owner", "--no-privileges", copy_of], check=True, capture_output=True
        ).stdout
        self._run("psql", "-q", "-v", "ON_ERROR_STOP=1", self.url, input=dump)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg_ctl = (str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l", str(self.dir / "log"))
        self._run(*pg_ctl, "start", server=True)

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", server=True)

    def close(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateStandby:
    """A streaming replica of a :class:`PrivateCluster` (``pg_basebackup -R`` of it, a hot standby on a port of its
    own), as ``DATABASE_REPLICA_URL`` names one in production."""

    def __init__(self, primary: PrivateCluster):
        self.primary = primary
        self.port = free_port()
        self.data = primary.dir / "standby"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/faults"

    def start(self) -> None:
        primary = ("-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres")
        backup = (str(PG_BIN / "pg_basebackup"), *primary, "-D", str(self.data), "-R", "-X", "stream", "-c", "fast")
        self.primary._run(*backup, server=True)  # -R: standby.signal and primary_conninfo, so it streams from it
        options = f"-p {self.port} -k {self.primary.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        pg_ctl = (
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.primary.dir / "standby.log"),
        )
        self.primary._run(*pg_ctl, "start", server=True)

    def sql(self, query: str) -> str:
        out = subprocess.run(["psql", "-At", self.url, "-c", query], check=True, capture_output=True, text=True)
        return out.stdout.strip()

    def close(self) -> None:
        with suppress(subprocess.CalledProcessError):
            self.primary._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", server=True)
