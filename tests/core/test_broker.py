"""The embedded default broker, ``atomicfs://`` (core/broker.py; issue 21, finding 12: ``make run``'s worker died on
``JSONDecodeError: Expecting value``, reading a message file its writer had not finished — kombu issue #1551).

No database: kombu alone, in processes of their own (multiprocessing), with bounded counts and a bounded wait.
"""

import json
import logging
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kombu import Connection, Consumer, Exchange, Producer, Queue

from core import broker

QUEUE = "stress"
PRODUCERS, CONSUMERS, PER_PRODUCER = 3, 3, 1000
DEADLINE = 180  # seconds: a bound on the whole exchange, never an expectation of speed


def _options(folder: Path) -> dict:
    return {
        "data_folder_in": str(folder / "in"),
        "data_folder_out": str(folder / "in"),
        "processed_folder": str(folder / "processed"),
        "quarantine_folder": str(folder / "quarantine"),
        "control_folder": str(folder / "control"),
        "polling_interval": 0.01,
    }


def _connection(folder: Path) -> Connection:
    broker.register()
    return Connection("atomicfs://localhost/", transport_options=_options(folder))


@pytest.fixture
def folder(tmp_path):
    for sub in ("in", "processed", "control"):
        (tmp_path / sub).mkdir()
    return tmp_path


def _produce(folder: str, producer: int, count: int) -> None:
    with _connection(Path(folder)) as conn:
        channel = conn.channel()
        for n in range(count):
            message = channel.prepare_message(json.dumps({"id": f"{producer}-{n}", "pad": "x" * (n % 2000)}))
            channel.basic_publish(message, exchange="", routing_key=QUEUE)


def _consume(folder: str, consumer: int, consumed, total: int, deadline: float) -> None:
    seen = []
    with _connection(Path(folder)) as conn:
        channel = conn.channel()
        while consumed.value < total and time.monotonic() < deadline:
            message = channel.basic_get(QUEUE)
            if message is None:
                time.sleep(0.005)
                continue
            seen.append(json.loads(message.body)["id"])
            message.ack()
            with consumed.get_lock():
                consumed.value += 1
    Path(folder, f"consumer-{consumer}.json").write_text(json.dumps(seen))


def test_concurrent_producers_and_consumers_exchange_every_message_exactly_once(folder):
    """Thousands of messages from several writing processes to several reading ones: every message consumed once,
    none lost, no consumer crashed (kombu's own transport gives consumers empty or half-written files here)."""
    context = multiprocessing.get_context("spawn")
    total = PRODUCERS * PER_PRODUCER
    consumed = context.Value("i", 0)
    deadline = time.monotonic() + DEADLINE
    consumers = [
        context.Process(target=_consume, args=(str(folder), n, consumed, total, deadline)) for n in range(CONSUMERS)
    ]
    producers = [context.Process(target=_produce, args=(str(folder), n, PER_PRODUCER)) for n in range(PRODUCERS)]
    for process in consumers + producers:
        process.start()
    for process in producers + consumers:
        process.join(timeout=max(1.0, deadline - time.monotonic() + 10))
    assert [p.exitcode for p in producers + consumers] == [0] * (PRODUCERS + CONSUMERS)
    received = [item for n in range(CONSUMERS) for item in json.loads((folder / f"consumer-{n}.json").read_text())]
    expected = {f"{p}-{n}" for p in range(PRODUCERS) for n in range(PER_PRODUCER)}
    assert len(received) == len(set(received)), "a message was delivered twice"
    assert set(received) == expected, f"{len(expected - set(received))} message(s) lost"
    assert all(len(json.loads((folder / f"consumer-{n}.json").read_text())) for n in range(CONSUMERS))
    left = [name for name in os.listdir(folder / "in") if not name.startswith(".lease-")]
    assert left == []  # no message, claim or temporary file left behind
    assert not (folder / "quarantine").exists()


def test_a_file_that_is_no_message_is_quarantined_and_logged_and_the_consumer_goes_on(folder, caplog):
    """The worker's own loop (a kombu Consumer draining events) meets an empty file, a truncated one, JSON that is
    no message and invalid UTF-8 among real messages: it logs each, moves it aside and delivers the others."""
    queue = Queue(QUEUE, Exchange(QUEUE, type="direct"), routing_key=QUEUE)
    received = []
    with _connection(folder) as conn:
        producer = Producer(conn.channel())
        producer.publish({"n": 1}, exchange=queue.exchange, routing_key=QUEUE, declare=[queue], serializer="json")
        inbox = folder / "in"
        bad = {
            "00000000000000000002_empty.stress.msg": b"",
            "00000000000000000003_half.stress.msg": b'{"body": "eyJu',
            "00000000000000000004_list.stress.msg": b"[1, 2]",
            "00000000000000000005_bytes.stress.msg": b"\xff\xfe",
        }
        for name, content in bad.items():
            (inbox / name).write_bytes(content)
        producer.publish({"n": 2}, exchange=queue.exchange, routing_key=QUEUE, serializer="json")

        def on_message(body, message):
            received.append(body["n"])
            message.ack()

        with caplog.at_level(logging.ERROR, logger="core.broker"), Consumer(conn, [queue], callbacks=[on_message]):
            deadline = time.monotonic() + 30
            while len(received) < 2 and time.monotonic() < deadline:
                try:
                    conn.drain_events(timeout=0.2)
                except TimeoutError:
                    continue
    assert sorted(received) == [1, 2]
    assert sorted(os.listdir(folder / "quarantine")) == sorted(bad)
    logged = [r.getMessage() for r in caplog.records if r.name == "core.broker"]
    assert len(logged) == len(bad)
    assert all("is no message" in line and "the worker goes on" in line for line in logged)
    assert [name for name in os.listdir(folder / "in") if not name.startswith(".lease-")] == []


def _take_and_die(folder: str) -> None:
    with _connection(Path(folder)) as conn:
        message = conn.channel().basic_get(QUEUE)
        assert message is not None
        os.kill(os.getpid(), signal.SIGKILL)  # killed with the message taken and not acknowledged


def test_a_message_taken_by_a_consumer_that_died_goes_back_to_the_queue(folder, caplog):
    _produce(str(folder), 0, 1)
    context = multiprocessing.get_context("spawn")
    process = context.Process(target=_take_and_die, args=(str(folder),))
    process.start()
    process.join(timeout=60)
    assert process.exitcode == -signal.SIGKILL
    assert [n for n in os.listdir(folder / "in") if n.startswith(".claim-")]  # claimed, never acknowledged
    with caplog.at_level(logging.WARNING, logger="core.broker"), _connection(folder) as conn:
        message = conn.channel().basic_get(QUEUE)  # a consumer's first look recovers the dead one's claims
        assert message is not None and json.loads(message.body)["id"] == "0-0"
        message.ack()
    assert "went back to the queue" in caplog.text
    assert [n for n in os.listdir(folder / "in") if not n.startswith(".lease-")] == []


def test_unacknowledged_messages_go_back_on_reject_and_on_close_and_an_ack_removes_them(folder):
    _produce(str(folder), 0, 2)
    with _connection(folder) as conn:
        channel = conn.channel()
        first = channel.basic_get(QUEUE)
        first.reject(requeue=True)
        second = channel.basic_get(QUEUE)
        channel.close()  # unacknowledged: restored
    with _connection(folder) as conn:
        channel = conn.channel()
        ids = []
        while (message := channel.basic_get(QUEUE)) is not None:
            ids.append(json.loads(message.body)["id"])
            message.ack()
    assert sorted(ids) == ["0-0", "0-1"]
    assert second is not None
    assert [n for n in os.listdir(folder / "in") if not n.startswith(".lease-")] == []


def test_the_default_broker_is_the_atomic_one():
    # The default applies only without a configured broker: read the settings in a process whose environment has none.
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "REDIS_URL")}
    url = subprocess.run(
        [sys.executable, "-c", "from config import settings; print(settings.CELERY_BROKER_URL)"],
        env=env,
        cwd=str(Path(__file__).resolve().parents[2]),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert url.startswith("atomicfs://")
    assert broker.is_file_broker(url)
