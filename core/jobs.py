"""Enqueue background work from the domain layer without importing the tasks module (tasks import services,
never the reverse: ``.importlinter`` keeps it so).

A task is named by its registered Celery name and sent once the current transaction commits, so a worker never
sees a row that is not there yet and a rolled-back write enqueues nothing. If the broker is unreachable the
failure is logged and swallowed: the write stands, and the app's sweep task (which every app with background
work has) picks the work up later.
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def send(task_name: str, *args, queue: str | None = None, **kwargs) -> bool:
    """Send a registered task now; False (logged) when the broker cannot take it."""
    if task_name not in current_app.tasks:
        # The web process has not imported the apps' tasks modules yet: run Celery's autodiscovery once.
        current_app.loader.import_default_modules()
    task = current_app.tasks[task_name]  # an unknown name is a programming error: raise, never swallow
    try:
        options = {"queue": queue} if queue else {}
        task.apply_async(args=args, kwargs=kwargs, **options)
    except Exception:
        logger.exception("could not enqueue %s%r; its sweep will pick it up", task_name, args)
        return False
    return True


def enqueue_on_commit(task_name: str, *args, queue: str | None = None, **kwargs) -> None:
    """Send a registered task once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: send(task_name, *args, queue=queue, **kwargs))
