"""Celery queues by class of work (``settings.CELERY_TASK_ROUTES``; docs/operations.md, "Queues").

Each class of work has a queue of its own, so that a backlog in one (a ten-million-row export, a webhook receiver
that is down) never delays another (an activation, a blackout window's edge). Tasks are routed by their registered
name; a task named nowhere here goes to the default queue (``CELERY_TASK_DEFAULT_QUEUE``, ``celery``): the daily
and hourly upkeep. ``make run`` serves every queue with one worker; production runs a worker per class
(Procfile.prod, deploy/systemd/backoffice-worker@.service).

A queue's name is ``CELERY_QUEUE_PREFIX`` + its class (no prefix by default): installations sharing one broker,
and each test's workers, keep their messages apart with a prefix.
"""

from kombu import Queue

QUEUE_CLASSES: dict[str, tuple[str, ...]] = {
    # A bundle's Approve -> Issue -> Activate chain runs on the queue its start came from (inventory/tasks.py).
    "activations": (
        "inventory.tasks.bundle_activation_start",
        "inventory.tasks.bundle_approve",
        "inventory.tasks.bundle_issue",
        "inventory.tasks.bundle_activate",
        "inventory.tasks.sweep_stalled_activations",
    ),
    "windows": ("blackouts.tasks.window_tick",),
    "exports": (
        "core.tasks.run_export",
        "core.tasks.sweep_pending_exports",
        "core.tasks.purge_expired_exports",
        "core.tasks.run_import",
        "core.tasks.sweep_stalled_imports",
        "core.tasks.purge_expired_imports",
    ),
    "webhooks": ("core.tasks.deliver_webhook", "core.tasks.sweep_webhooks"),
}
DEFAULT_CLASS = "default"  # what ``queue_names`` calls the default queue's class

_CLASS_OF = {task: queue_class for queue_class, tasks in QUEUE_CLASSES.items() for task in tasks}


def queue_name(queue_class: str, *, prefix: str, default: str) -> str:
    return default if queue_class == DEFAULT_CLASS else f"{prefix}{queue_class}"


def queue_names(*, prefix: str, default: str, classes: tuple[str, ...] | None = None) -> list[str]:
    """The queues a worker serving ``classes`` (every class and the default queue if None) passes to ``-Q``."""
    classes = (DEFAULT_CLASS, *QUEUE_CLASSES) if classes is None else classes
    return [queue_name(queue_class, prefix=prefix, default=default) for queue_class in classes]


def declared_queues(*, prefix: str, default: str) -> list[Queue]:
    """``task_queues``: every queue, so that a worker started without ``-Q`` serves them all (``make run``)."""
    return [Queue(name) for name in queue_names(prefix=prefix, default=default)]


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery's router (``task_routes``): a task of a class to that class's queue. A queue given when sending
    (``apply_async(queue=...)``, a chain's steps pinned to their start's queue) wins over this."""
    queue_class = _CLASS_OF.get(name)
    if queue_class is None:
        return None
    from django.conf import settings  # read when routing: a test's workers change the prefix

    return {"queue": f"{settings.CELERY_QUEUE_PREFIX}{queue_class}"}
