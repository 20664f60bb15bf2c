"""A task only the worker test loads (``-I tests.core.worker_tasks``)."""

from celery import shared_task


@shared_task
def create_group(name: str) -> None:
    from django.contrib.auth.models import Group

    Group.objects.get_or_create(name=name)
