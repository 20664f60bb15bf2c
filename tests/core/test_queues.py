"""The queue classes (config/queues.py): every task routed by name, one worker serving all of them in `make run`,
a worker per class in production. The real workers are in ``tests/faults/test_queues.py``."""

import re
from pathlib import Path

from celery import current_app

from config.queues import QUEUE_CLASSES, queue_names

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_QUEUE_TASKS = {  # the upkeep: on the default queue
    "enrollments.tasks.complete_due_unenrollments",
    "outages.tasks.prune_message_log",
    "core.tasks.prune_changes",
    "blackouts.tasks.event_partitions_maintain",
}


def _our_tasks() -> set[str]:
    current_app.loader.import_default_modules()
    # the product's tasks: Celery's own and the test suite's (tests.core.worker_tasks, registered once a worker
    # test has imported them) are not routed by the table
    return {name for name in current_app.tasks if not name.startswith(("celery.", "tests."))}


def _queue(name: str, **options) -> str:
    return current_app.amqp.router.route(options, name)["queue"].name


def test_every_task_has_its_class_queue_and_the_rest_the_default_queue(settings):
    ours = _our_tasks()
    named = {task for tasks in QUEUE_CLASSES.values() for task in tasks}
    assert named <= ours, named - ours  # no typo in the table: each name is a registered task
    assert ours - named == DEFAULT_QUEUE_TASKS  # a new task is put in a class, or here, on purpose
    for queue_class, tasks in QUEUE_CLASSES.items():
        for task in tasks:
            assert _queue(task) == queue_class
    for task in DEFAULT_QUEUE_TASKS:
        assert _queue(task) == "celery"
    settings.CELERY_QUEUE_PREFIX = "site-b."
    try:
        assert _queue("core.tasks.run_export") == "site-b.exports"
        assert _queue("core.tasks.run_export", queue="elsewhere") == "elsewhere"  # a queue given when sending wins
    finally:
        for made in ("site-b.exports", "elsewhere"):  # routing declared them in this process: forget them
            current_app.amqp.queues.pop(made, None)


def test_a_worker_without_q_serves_every_queue():
    declared = [queue.name for queue in current_app.conf.task_queues]  # what a worker without -Q consumes
    assert sorted(declared) == sorted(queue_names(prefix="", default="celery"))
    worker = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    assert " -Q " not in worker  # `make run`: one worker, every queue


def test_production_runs_a_worker_per_queue_class():
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile.prod").read_text().splitlines() if line.startswith("worker")
    )
    served = {name: re.search(r'-Q "([^"]+)"', command).group(1) for name, command in lines.items()}
    assert served == {
        "worker": "${CELERY_TASK_DEFAULT_QUEUE:-celery}",
        **{f"worker-{c}": f"${{CELERY_QUEUE_PREFIX}}{c}" for c in QUEUE_CLASSES},
    }
    unit = (ROOT / "deploy" / "systemd" / "backoffice-worker@.service").read_text()
    assert "-Q ${CELERY_QUEUE_PREFIX}%i" in unit
