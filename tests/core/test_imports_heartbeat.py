"""Issue 21, finding 11 for imports: a background import whose worker was killed stayed RUNNING, invisibly, until its
message came back (an hour on Redis). A running import touches its heartbeat file; the sweep requeues one whose
beat is older than ``JOB_STALL_SECONDS``, at most ``JOB_MAX_ATTEMPTS`` runs in all, then fails it with the reason."""

import os
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.imports import jobs, tasks
from core.imports.models import ImportJob
from enrollments.models import Premise

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def job(media, django_user_model):
    user = django_user_model.objects.create_user("op", "op@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="operator"))
    upload = SimpleUploadedFile("p.csv", b"cis_premise_id,city\nP-1,One\nP-2,Two\n")
    return jobs.import_job_create(user=user, model_label="enrollments.Premise", upload=upload)


def _lost(job, *, attempts: int, stage=ImportJob.Stage.APPLY) -> None:
    """What a worker killed mid-import leaves: RUNNING, its last heartbeat an hour ago."""
    then = timezone.now() - timedelta(hours=1)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, stage=stage, started_at=then, heartbeat_at=then, attempts=attempts
    )


def test_an_import_that_lost_its_worker_is_requeued_and_runs_again(job):
    _lost(job, attempts=1)
    assert tasks.sweep_stalled_imports.delay().get() == 1  # requeued and sent (eager: run)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.attempts == 2
    assert set(Premise.objects.values_list("cis_premise_id", flat=True)) == {"P-1", "P-2"}
    assert not any(path.exists() for path in jobs._side_files(job))


def test_an_import_that_keeps_losing_its_worker_fails_with_the_reason(job, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    _lost(job, attempts=2)
    assert tasks.sweep_stalled_imports.delay().get() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None
    assert "no heartbeat" in job.error and "run 2 of 2" in job.error
    assert not Premise.objects.exists()


def test_a_long_import_whose_heartbeat_file_is_fresh_is_left_to_its_worker(job, settings):
    settings.JOB_STALL_SECONDS = 300
    _lost(job, attempts=1)
    beat = jobs._heartbeat_path(job)
    beat.parent.mkdir(parents=True, exist_ok=True)
    beat.touch()  # the worker's thread beat just now (the row's stamp is the run's start)
    assert tasks.sweep_stalled_imports.delay().get() == 0
    jobs.import_job_run(job_id=job.pk)  # a duplicate message
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ImportJob.Status.RUNNING, 1)
    old = time.time() - 3600
    os.utime(beat, (old, old))  # ... then it stopped beating
    assert tasks.sweep_stalled_imports.delay().get() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE


def test_the_sweep_is_on_the_beat_schedule():
    from django.conf import settings

    assert "core.tasks.sweep_stalled_imports" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_the_import_tasks_keep_the_names_they_had_in_core_tasks():
    """Moved to core/imports/tasks.py, registered under their old names: messages queued before an upgrade and the
    beat schedule still find them."""
    from config.celery import app

    names = {"core.tasks.run_import", "core.tasks.sweep_stalled_imports", "core.tasks.purge_expired_imports"}
    assert {tasks.run_import.name, tasks.sweep_stalled_imports.name, tasks.purge_expired_imports.name} == names
    assert names <= set(app.tasks)
