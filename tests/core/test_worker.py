"""The worker harness itself: a task published on Redis runs in a real worker process against the test DB."""

import pytest
from django.contrib.auth.models import Group

from tests.worker import wait_for, worker_process

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_a_task_against_the_test_database():
    from tests.core.worker_tasks import create_group

    with worker_process(include=("tests.core.worker_tasks",)):
        create_group.delay("made-by-worker")
        wait_for(lambda: Group.objects.filter(name="made-by-worker").exists(), message="the worker's row")
