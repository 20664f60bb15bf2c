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


def test_a_task_runs_under_the_request_id_that_enqueued_it():
    from core import context
    from tests.core.worker_tasks import record_context

    with worker_process(include=("tests.core.worker_tasks",)):
        with context.bound(request_id="req-from-web", actor="user:alice"):
            record_context.delay("ctx")
        record_context.delay("fresh")
        wait_for(lambda: Group.objects.filter(name__startswith="fresh|").exists(), message="both tasks")
        wait_for(lambda: Group.objects.filter(name__startswith="ctx|").exists(), message="both tasks")
    assert Group.objects.filter(name="ctx|req-from-web|task:tests.core.worker_tasks.record_context").exists()
    fresh = Group.objects.get(name__startswith="fresh|").name.split("|")
    assert fresh[1] not in ("", "None", "req-from-web") and fresh[2] == "task:tests.core.worker_tasks.record_context"
