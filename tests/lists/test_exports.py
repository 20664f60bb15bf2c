"""The export machinery: streaming formats, CSV injection, columns, permissions, background jobs, command."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from core.lists import copy_csv, jobs, specs, writers
from core.lists.models import ExportJob
from tests.lists.export_urls import USER_SPEC

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _registered_spec():
    specs.register(USER_SPEC)
    yield
    specs.REGISTRY.pop(USER_SPEC.key, None)


@pytest.fixture
def people():
    joined = datetime(2025, 2, 6, 10, 0, tzinfo=UTC)
    return [
        User.objects.create(username="alice", first_name='=HYPERLINK("http://x")', date_joined=joined),
        User.objects.create(username="bob", first_name="+1 555", is_staff=True, date_joined=joined),
        User.objects.create(username="carol", first_name="-2", date_joined=joined),
        User.objects.create(username="dave", first_name="@SUM(A1)", date_joined=joined),
        User.objects.create(username="erin", first_name="\tTab", date_joined=joined),
        User.objects.create(username="frank", first_name="\rCR", date_joined=joined),
        User.objects.create(username="grace", first_name="plain", date_joined=joined),
    ]


@pytest.fixture
def exporter(analyst_user):
    client = APIClient()
    client.force_authenticate(analyst_user)
    return client


def _body(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


@pytest.mark.urls("tests.lists.export_urls")
def test_csv_neutralises_formula_cells(people, superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    response = client.get("/api/tests/users/?format=csv&fields=username,first_name")
    assert response.status_code == 200
    assert response.streaming
    rows = list(csv.reader(io.StringIO(_body(response))))
    assert rows[0] == ["Username", "First name"]
    cells = dict(rows[1:])
    assert cells["alice"] == '\'=HYPERLINK("http://x")'
    assert cells["bob"] == "'+1 555"
    assert cells["carol"] == "'-2"
    assert cells["dave"] == "'@SUM(A1)"
    assert cells["erin"] == "'\tTab"
    assert cells["frank"] == "'\rCR"
    assert cells["grace"] == "plain"


@pytest.mark.urls("tests.lists.export_urls")
def test_json_and_jsonl_keep_values_and_use_iso_utc(people, superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    array = json.loads(_body(client.get("/api/tests/users/?format=json&username=alice")))
    assert array == [
        {
            "id": people[0].id,
            "username": "alice",
            "first_name": '=HYPERLINK("http://x")',
            "is_staff": False,
            "joined": "2025-02-06T10:00:00Z",
        }
    ]
    lines = _body(client.get("/api/tests/users/?format=jsonl&is_staff=true&username=b")).strip().split("\n")
    assert [json.loads(line)["username"] for line in lines] == ["bob"]


@pytest.mark.urls("tests.lists.export_urls")
def test_export_is_the_whole_filtered_list_not_a_page(superuser):
    User.objects.bulk_create([User(username=f"user{i:03}") for i in range(120)])
    client = APIClient()
    client.force_authenticate(superuser)
    page = client.get("/api/tests/users/?username=user&page_size=10").json()
    assert page["count"] == 120 and len(page["results"]) == 10
    rows = list(csv.reader(io.StringIO(_body(client.get("/api/tests/users/?format=csv&username=user&ordering=-id")))))
    assert len(rows) == 121
    assert rows[1][1] == "user119"  # ordering applies to the export too


@pytest.mark.urls("tests.lists.export_urls")
def test_xlsx_export_opens_in_openpyxl(people, superuser, tmp_path):
    client = APIClient()
    client.force_authenticate(superuser)
    response = client.get("/api/tests/users/?format=xlsx&fields=username,joined")
    assert response.status_code == 200
    path = tmp_path / "out.xlsx"
    path.write_bytes(_body_bytes(response))
    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Username", "Joined (UTC)")
    assert ("alice", "2025-02-06T10:00:00Z") in rows
    assert len(rows) == User.objects.count() + 1  # header + every user (the superuser included)


def _body_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.urls("tests.lists.export_urls")
def test_unknown_field_is_400_naming_it(superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    response = client.get("/api/tests/users/?format=csv&fields=username,password")
    assert response.status_code == 400
    assert "password" in response.json()["fields"][0]


@pytest.mark.urls("tests.lists.export_urls")
def test_export_needs_the_export_permission(people, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x")
    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client = APIClient()
    client.force_authenticate(viewer)
    assert client.get("/api/tests/users/").status_code == 200
    assert client.get("/api/tests/users/?format=csv").status_code == 403
    viewer.user_permissions.add(Permission.objects.get(codename="export_data"))
    viewer = django_user_model.objects.get(pk=viewer.pk)
    client.force_authenticate(viewer)
    assert client.get("/api/tests/users/?format=csv").status_code == 200


@pytest.mark.urls("tests.lists.export_urls")
def test_anonymous_gets_401(people):
    assert APIClient().get("/api/tests/users/?format=csv").status_code == 401


def test_analyst_group_has_export_permission(analyst_user):
    assert analyst_user.has_perm("lists.export_data")
    assert Group.objects.get(name="operator").permissions.filter(codename="export_data").exists()
    assert not Group.objects.get(name="integration").permissions.filter(codename="export_data").exists()


def test_background_job_exports_the_filtered_list_without_a_request(people, superuser, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    job = jobs.export_job_create(
        user=superuser, list_key="tests.users", query="search=ali&is_staff=false", fmt="csv", rows_total=0
    )
    assert (job.app_label, job.model_name) == ("auth", "user")
    jobs.export_job_run(job_id=job.pk)  # the task body (eager in tests)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert job.rows_total == 1 and job.rows_done == 1 and job.percent == 100
    content = Path(job.file.path).read_text()
    assert "alice" in content and "bob" not in content
    assert job.expires_at > timezone.now() + timedelta(hours=23)
    # Running it again changes nothing (idempotent).
    jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE


def test_a_job_whose_message_was_lost_is_sent_again_by_the_sweep(people, superuser, settings, tmp_path, monkeypatch):
    """Issue 15, item 13: the broker is down when the job is created; the beat's sweep sends it again."""
    from celery import current_app

    from core.lists import tasks

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    task = current_app.tasks["core.tasks.run_export"]
    with monkeypatch.context() as patched:
        patched.setattr(task, "apply_async", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("broker down")))
        job = jobs.export_job_create(user=superuser, list_key="tests.users", query="", fmt="csv")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.PENDING
    assert tasks.sweep_pending_exports.delay(stall_seconds=3600).get() == 0  # not stalled yet: left alone
    assert tasks.sweep_pending_exports.delay(stall_seconds=0).get() == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and Path(job.file.path).exists()
    assert tasks.sweep_pending_exports.delay(stall_seconds=0).get() == 0  # nothing pending any more


def test_a_duplicate_message_leaves_a_running_job_to_its_worker(people, superuser):
    job = jobs.export_job_create(user=superuser, list_key="tests.users", query="", fmt="csv")
    started = timezone.now() - timedelta(seconds=5)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, started_at=started, rows_done=0)
    jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.started_at) == (ExportJob.Status.RUNNING, started)


def test_every_sweep_and_periodic_task_is_on_the_beat_schedule():
    """A lone instance recovers what a dead broker lost only if its own beat runs every app's sweep."""
    from celery import current_app
    from django.conf import settings

    current_app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    sweeps = {name for name in current_app.tasks if ".tasks.sweep" in name or name.endswith("_tick")}
    assert sweeps and sweeps <= scheduled, sweeps - scheduled
    assert {"core.tasks.sweep_pending_exports", "inventory.tasks.sweep_stalled_activations"} <= scheduled
    assert all(name in current_app.tasks for name in scheduled)


def test_expired_export_files_are_removed(people, superuser, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    job = jobs.export_job_create(user=superuser, list_key="tests.users", query="", fmt="xlsx", rows_total=0)
    jobs.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    path = Path(job.file.path)
    assert path.exists()
    assert jobs.export_jobs_purge(now=timezone.now()) == 0
    assert jobs.export_jobs_purge(now=timezone.now() + timedelta(days=1, minutes=1)) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not path.exists()


def test_export_command_filters_and_writes_a_file(people, tmp_path, capsys):
    target = tmp_path / "staff.csv"
    call_command("export", "tests.users", "--filter", "is_staff=true", "--fields", "username", "-o", str(target))
    assert target.read_text().splitlines() == ["Username", "bob"]
    call_command("export", "tests.users", "--format", "jsonl", "--filter", "username=gra", "--no-progress")
    assert json.loads(capsys.readouterr().out)["username"] == "grace"


def test_export_command_reports_bad_filters(people):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="joined_after"):
        call_command("export", "tests.users", "--filter", "joined_after=not-a-date", "--no-progress")


# Issue 15 item 12: a formula after leading whitespace, a newline, NBSP, BOM, or in full-width form passed unprefixed.
HIDDEN_FORMULAS = [
    " =1+1",
    "  @SUM(A1)",
    "\n=1+1",
    "\r\n+1",
    "\u00a0=1+1",
    "\ufeff=1+1",
    "\ufeff -1",
    "\u200b=1",
    "\u3000=1",
    "\uff1d1+1",  # full-width equals
    "\uff0b1",  # full-width plus
    "\uff0d1",  # full-width minus
    "\uff20SUM(A1)",  # full-width at
    " \uff1dA1",
]
HARMLESS = ["plain", " leading space", "\u00a0nbsp then text", "1-2", "a=b", "", "\ufeffbom then text"]


@pytest.mark.parametrize("text", HIDDEN_FORMULAS)
def test_neutralise_prefixes_formulas_hidden_behind_blanks_or_in_full_width(text):
    assert writers.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_neutralise_leaves_harmless_text_alone(text):
    assert writers.neutralise(text) == text


@pytest.mark.urls("tests.lists.export_urls")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_spreadsheet_exports_neutralise_hidden_formulas(superuser, tmp_path, fmt):
    for i, text in enumerate(HIDDEN_FORMULAS):
        User.objects.create(username=f"hidden{i:02}", first_name=text[:150])
    client = APIClient()
    client.force_authenticate(superuser)
    response = client.get(
        f"/api/tests/users/?format={fmt}&fields=username,first_name&username=hidden&ordering=username"
    )
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(_body(response), newline="")))
    else:
        path = tmp_path / "hidden.xlsx"
        path.write_bytes(_body_bytes(response))
        rows = [list(r) for r in openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
    cells = [row[1] for row in rows[1:]]
    assert len(cells) == len(HIDDEN_FORMULAS)
    assert all(cell.startswith("'") for cell in cells), cells
    # JSON keeps the values exactly as stored.
    array = json.loads(
        _body(client.get("/api/tests/users/?format=json&fields=first_name&username=hidden&ordering=username"))
    )
    assert [row["first_name"] for row in array] == HIDDEN_FORMULAS


def test_analyst_role_has_view_and_export_only():
    """The role's old ``export`` action matched no model permission: exporting is ``lists.export_data``."""
    from core import roles

    assert roles.ROLE_ACTIONS[roles.ANALYST] == ("view",)
    codes = set(Group.objects.get(name="analyst").permissions.values_list("content_type__app_label", "codename"))
    domain = {(app, code) for app, code in codes if app in roles.DOMAIN_APPS}
    assert domain and all(code.startswith("view_") for _app, code in domain)
    assert codes - domain == {
        ("lists", "export_data"),
        ("lists", "view_exportjob"),
        ("changes", "view_change"),  # the change log and the outbox are read-only for analysts
        ("changes", "view_delivery"),
    }


@pytest.mark.urls("tests.lists.export_urls")
@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_a_row_that_cannot_be_read_is_an_error_not_a_truncated_200(people, superuser, monkeypatch, fmt):
    """Issue 15 item 1: an unreadable row made ``?format=json`` answer 200 with a body of just ``[``."""

    def unreadable(queryset, columns, **kwargs):
        raise OverflowError("date value out of range")
        yield  # pragma: no cover - a generator

    def failing_copy(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(writers, "iter_rows", unreadable)
    monkeypatch.setattr(copy_csv, "_copy_into", failing_copy)  # the CSV on PostgreSQL (COPY) fails as well
    client = APIClient()
    client.force_authenticate(superuser)
    response = client.get(f"/api/tests/users/?format={fmt}")
    assert response.status_code == 500  # the analyst API's JSON error, never a 200 with a truncated body
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in json.loads(response.content)


@pytest.mark.urls("tests.lists.export_urls")
def test_an_empty_json_export_is_an_empty_array(superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    assert json.loads(_body(client.get("/api/tests/users/?format=json&username=nobody-at-all"))) == []


# --- Issue 21, finding 11: a job whose worker was killed is requeued, or failed with the reason -------------------
def _lost(job, *, attempts: int, silent: timedelta = timedelta(hours=1)) -> None:
    """What a worker killed mid-export leaves: RUNNING, its last heartbeat long ago."""
    then = timezone.now() - silent
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, started_at=then, heartbeat_at=then, attempts=attempts, rows_done=7
    )


def test_a_running_job_that_lost_its_worker_is_requeued_and_finishes(people, superuser, settings, tmp_path):
    from core.lists import tasks

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    job = jobs.export_job_create(user=superuser, list_key="tests.users", query="", fmt="xlsx")
    _lost(job, attempts=1)
    assert tasks.sweep_pending_exports.delay(stall_seconds=3600).get() == 1  # requeued and sent (eager: run)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 2
    assert job.heartbeat_at > timezone.now() - timedelta(minutes=1)
    rows = list(openpyxl.load_workbook(job.file.path, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == User.objects.count() + 1


def test_a_job_that_keeps_losing_its_worker_fails_with_the_reason(people, superuser, settings):
    from core.lists import tasks

    settings.JOB_MAX_ATTEMPTS = 3
    job = jobs.export_job_create(user=superuser, list_key="tests.users", query="", fmt="csv")
    _lost(job, attempts=3)
    assert tasks.sweep_pending_exports.delay(stall_seconds=3600).get() == 0
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.finished_at is not None
    assert "no heartbeat" in job.error and "run 3 of 3" in job.error and "not retried" in job.error


def test_the_sweep_requeues_without_sending_when_the_broker_is_down(people, superuser, monkeypatch):
    from celery import current_app

    task = current_app.tasks["core.tasks.run_export"]
    job = jobs.export_job_create(user=superuser, list_key="tests.users", query="", fmt="csv")
    _lost(job, attempts=1)
    with monkeypatch.context() as patched:
        patched.setattr(task, "apply_async", lambda *a, **k: (_ for _ in ()).throw(ConnectionError("broker down")))
        assert jobs.export_jobs_sweep(stall_seconds=3600) == 0
    job.refresh_from_db()
    assert job.status == ExportJob.Status.PENDING and job.error.startswith("Requeued: its worker stopped")


def test_a_long_export_that_still_beats_is_left_to_its_worker(people, superuser, settings):
    settings.JOB_STALL_SECONDS = 300
    job = jobs.export_job_create(user=superuser, list_key="tests.users", query="", fmt="csv")
    _lost(job, attempts=1, silent=timedelta(hours=2))
    beat = timezone.now() - timedelta(seconds=30)
    ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=beat)  # started two hours ago, beat 30 s ago
    assert jobs.export_jobs_sweep(stall_seconds=0) == 0
    jobs.export_job_run(job_id=job.pk)  # a duplicate message
    job.refresh_from_db()
    assert (job.status, job.heartbeat_at, job.attempts) == (ExportJob.Status.RUNNING, beat, 1)


def test_progress_is_a_heartbeat(people, superuser, settings, tmp_path, monkeypatch):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    job = jobs.export_job_create(user=superuser, list_key="tests.users", query="", fmt="csv")
    seen = []
    real = writers.stream_csv

    def watched(queryset, columns, *, progress=None):
        ExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
        progress(1)
        seen.append(ExportJob.objects.get(pk=job.pk).heartbeat_at)
        yield from real(queryset, columns)

    monkeypatch.setattr(writers, "stream_csv", watched)
    jobs.export_job_run(job_id=job.pk)
    assert seen and seen[0] > timezone.now() - timedelta(minutes=1)


def test_the_heartbeat_thread_beats_until_the_block_ends():
    import threading

    from core.heartbeat import Heartbeat

    beats = []
    twice = threading.Event()

    def beat():
        beats.append(1)
        if len(beats) >= 2:
            twice.set()
        if len(beats) == 1:
            raise RuntimeError("a failing beat is logged, the next one tried")

    with Heartbeat(beat, every=0.001) as heartbeat:
        assert twice.wait(10)
    assert not heartbeat._thread.is_alive()
    stopped = len(beats)
    assert len(beats) == stopped  # nothing beats after the block
