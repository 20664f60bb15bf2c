"""A task only the worker test loads (``-I tests.core.worker_tasks``)."""

from celery import shared_task


@shared_task
def create_group(name: str) -> None:
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name=name)


@shared_task
def record_context(name: str) -> None:
    """Store the request id and actor the task runs under, as a group named after them."""
    from django.contrib.auth.models import Group

    from core import context

    Group.objects.get_or_create(name=f"{name}|{context.request_id()}|{context.actor()}")


@shared_task(acks_late=True)
def slow(folder: str, seconds: float) -> None:
    """Mark its start and its end in ``folder`` (files, so that no database is needed), sleeping between."""
    import os
    import time
    from pathlib import Path

    Path(folder, f"started-{os.getpid()}-{time.time()}").touch()
    time.sleep(seconds)
    Path(folder, "finished").touch()
