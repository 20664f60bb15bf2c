"""Retention of uploaded import files (``IMPORT_UPLOAD_RETENTION_DAYS``): the hourly purge deletes the files of jobs
whose last run ended longer ago, with the refused rows' detail (it quotes the file), and marks the jobs expired; the
jobs keep their counts, and every admin page about them says the file has expired instead of failing."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.imports import jobs, tasks
from core.imports.models import ImportJob
from enrollments.models import Premise

pytestmark = pytest.mark.django_db

FILE = b"cis_premise_id,city,state\nP-1,One,CA\nP-2,Two,TOOLONGSTATE\nP-3,Three,CA\n"


def _url(name, *args):
    return reverse(f"admin:enrollments_premise_{name}", args=args)


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_user("op", "op@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="operator"))
    client.force_login(user)
    return user


def _upload(client, django_capture_on_commit_callbacks, content=FILE, *, apply_valid=False, confirm=False):
    data = {"file": SimpleUploadedFile("premises.csv", content)}
    if apply_valid:
        data["apply_valid"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("import"), data)
    job = ImportJob.objects.order_by("-created_at").first()
    if confirm:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_url("import_job", job.pk))
    job.refresh_from_db()
    return job


def _age(job, days):
    """Move the job's history ``days`` into the past."""
    ago = timedelta(days=days)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=job.created_at - ago,
        started_at=job.started_at - ago if job.started_at else None,
        finished_at=job.finished_at - ago if job.finished_at else None,
    )


def test_the_purge_is_on_the_beat_schedule_with_a_30_day_default():
    scheduled = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "core.tasks.purge_expired_imports" in scheduled
    assert ImportJob._meta.get_field("expired_at").null


def test_expired_files_are_deleted_and_the_jobs_kept_with_their_counts(
    client, operator, media, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_RETENTION_DAYS = 30
    applied = _upload(client, django_capture_on_commit_callbacks, apply_valid=True, confirm=True)
    dry_run_only = _upload(client, django_capture_on_commit_callbacks, apply_valid=True)
    recent = _upload(client, django_capture_on_commit_callbacks, apply_valid=True, confirm=True)
    assert applied.report["refusals"] and applied.report["created"] == 2 and applied.report["refused"] == 1
    paths = {job.pk: Path(job.file.path) for job in (applied, dry_run_only, recent)}
    counts = {
        job.pk: [(r or {}).get(k) for r in (job.dry_run_report, job.report) for k in ("rows", "created", "unchanged")]
        for job in (applied, dry_run_only)
    }
    assert counts[dry_run_only.pk][:3] == [3, 0, 2], "P-1 and P-3 were imported by the first job"
    assert all(path.exists() for path in paths.values())
    _age(applied, 31)
    _age(dry_run_only, 30)
    _age(recent, 29)

    assert tasks.purge_expired_imports.delay().get() == 2

    for job in (applied, dry_run_only):
        job.refresh_from_db()
        assert not paths[job.pk].exists(), "the uploaded file is deleted"
        assert job.file.name == "" and job.expired_at is not None
        assert job.status == ImportJob.Status.DONE, "a finished job keeps its outcome"
        assert job.dry_run_report["refusals"] == [] and job.dry_run_report["unlisted"] == 1
        assert job.dry_run_report["refused"] == 1
        kept = [(r or {}).get(k) for r in (job.dry_run_report, job.report) for k in ("rows", "created", "unchanged")]
        assert kept == counts[job.pk], "the counts stay"
    assert applied.report["created"] == 2 and applied.report["refused"] == 1 and applied.report["applied"] is True
    assert applied.report["refusals"] == []
    assert dry_run_only.report is None
    recent.refresh_from_db()
    assert paths[recent.pk].exists() and recent.expired_at is None and recent.report["refusals"]
    assert Premise.objects.count() == 2, "the imported data is untouched"
    assert jobs.import_jobs_purge() == 0, "idempotent"
    assert list((media / "imports").iterdir()) == [paths[recent.pk]]


def test_an_expired_job_says_so_on_every_admin_page_and_cannot_be_confirmed(
    client, operator, superuser, media, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_RETENTION_DAYS = 30
    job = _upload(client, django_capture_on_commit_callbacks, b"cis_premise_id,city\nP-1,One\n")
    page = client.get(_url("import_job", job.pk)).content.decode()
    assert 'id="import-confirm"' in page and 'id="import-expired"' not in page
    _age(job, 31)
    assert jobs.import_jobs_purge() == 1

    response = client.get(_url("import_job", job.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="import-expired"' in page and "This file has expired" in page
    assert 'id="import-confirm"' not in page
    assert '<td id="count-created">1</td>' in page, "the counts stay"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("import_job", job.pk), follow=True)
    assert response.status_code == 200 and "This file has expired (deleted)" in response.content.decode()
    assert not Premise.objects.exists()
    job.refresh_from_db()
    assert (job.stage, job.status) == (ImportJob.Stage.DRY_RUN, ImportJob.Status.DONE)

    report = client.get(_url("import_report", job.pk))
    assert report.status_code == 200
    rows = list(csv.reader(io.StringIO(report.content.decode())))
    assert rows[1][2].startswith("Dry run, nothing written. 1 rows: 1 to create")

    client.force_login(superuser)
    listing = client.get(reverse("admin:imports_importjob_changelist"))
    assert listing.status_code == 200 and "expired: deleted on" in listing.content.decode()
    detail = client.get(reverse("admin:imports_importjob_change", args=[job.pk]))
    assert detail.status_code == 200
    detail_page = detail.content.decode()
    assert "expired: deleted on" in detail_page and f"imports/{job.pk}." not in detail_page, "no link to a deleted file"


def test_a_job_that_never_ran_expires_as_failed_and_is_not_run_afterwards(
    client, operator, media, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_UPLOAD_RETENTION_DAYS = 30
    settings.IMPORT_ASYNC_THRESHOLD = 10
    job = jobs.import_job_create(
        user=operator, model_label="enrollments.Premise", upload=SimpleUploadedFile("p.csv", b"cis_premise_id\nP-1\n")
    )  # its message never sent (no on_commit run): it stays PENDING
    path = Path(job.file.path)
    _age(job, 31)

    assert jobs.import_jobs_purge() == 1
    job.refresh_from_db()
    assert not path.exists() and job.expired_at is not None
    assert job.status == ImportJob.Status.FAILED and "expired before this dry run ran" in job.error
    jobs.import_job_run(job_id=job.pk)  # the lost message arrives after all
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.dry_run_report is None
    assert client.get(_url("import_job", job.pk)).status_code == 200


def test_a_job_running_now_is_not_expired_whatever_its_age(operator, media, settings):
    settings.IMPORT_UPLOAD_RETENTION_DAYS = 1
    job = jobs.import_job_create(
        user=operator, model_label="enrollments.Premise", upload=SimpleUploadedFile("p.csv", b"cis_premise_id\nP-1\n")
    )
    _age(job, 5)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    assert jobs.import_jobs_purge() == 0
    assert Path(job.file.path).exists()


def test_zero_days_keeps_files_forever(client, operator, media, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_UPLOAD_RETENTION_DAYS = 0
    job = _upload(client, django_capture_on_commit_callbacks, confirm=True, apply_valid=True)
    _age(job, 3650)
    assert jobs.import_jobs_purge() == 0
    job.refresh_from_db()
    assert Path(job.file.path).exists() and job.expired_at is None
