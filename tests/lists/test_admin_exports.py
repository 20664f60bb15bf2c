"""The admin's Export button: exactly the changelist's filters and search, permission, background jobs.

Blackout events serve as the list under test; the mixin is the same on every domain changelist.
"""

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.http import QueryDict
from django.urls import reverse

from core.lists.models import ExportJob
from tests.factories.blackouts import EventFactory

pytestmark = pytest.mark.django_db

EXPORT_URL = "/admin/blackouts/event/export/"


@pytest.fixture
def events():
    EventFactory.create_batch(3, msg="=cmd|' /C calc'!A0 disk full", severity="CRITICAL")
    EventFactory.create_batch(2, msg="cpu high", severity="MINOR")
    EventFactory(msg="disk full", severity="MINOR", status="CLOSED")


def _rows(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode())))


def test_changelist_shows_the_export_buttons_with_its_query(client, superuser, events):
    client.force_login(superuser)
    page = client.get("/admin/blackouts/event/?severity__exact=CRITICAL&q=disk").content.decode()
    assert f'href="{EXPORT_URL}?q=disk&amp;severity__exact=CRITICAL&amp;_export=csv"' in page
    assert "_export=xlsx" in page


def test_export_has_exactly_the_filtered_and_searched_rows(client, superuser, events):
    client.force_login(superuser)
    rows = _rows(client.get(f"{EXPORT_URL}?severity__exact=MINOR&q=disk&_export=csv"))
    assert len(rows) == 2  # header + the one MINOR event whose message mentions disk
    assert "disk full" in rows[1]
    critical = _rows(client.get(f"{EXPORT_URL}?severity__exact=CRITICAL&_export=csv"))
    assert len(critical) == 4
    assert all(row[6].startswith("'=") for row in critical[1:]), "formula-like message must be neutralised"


def test_export_needs_the_export_permission(client, django_user_model, events):
    staff = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(staff)
    assert client.get("/admin/blackouts/event/").status_code == 200
    assert "_export=csv" not in client.get("/admin/blackouts/event/").content.decode()
    assert client.get(f"{EXPORT_URL}?_export=csv").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="export_data"))
    assert client.get(f"{EXPORT_URL}?_export=csv").status_code == 200


def test_large_export_runs_as_a_background_job(
    client, superuser, events, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EXPORT_ASYNC_THRESHOLD = 2
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get(f"{EXPORT_URL}?severity__exact=CRITICAL&_export=xlsx")
    assert len(callbacks) == 1, "the task is enqueued once, after the commit"
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:lists_exportjob_change", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE  # the task ran (eagerly in tests) once committed
    assert job.rows_total == 3 and job.fmt == "xlsx"
    progress = client.get(reverse("admin:lists_exportjob_progress", args=[job.pk])).json()
    assert progress["percent"] == 100 and progress["download"]
    download = client.get(progress["download"])
    assert download.status_code == 200
    assert Path(job.file.path).exists()


def test_sorting_a_changelist_orders_its_export(client, superuser, events):
    client.force_login(superuser)
    page = client.get("/admin/blackouts/event/")
    cl = page.context["cl"]
    index = next(i for i, name in enumerate(cl.list_display) if name == "received_at")
    ascending = _rows(client.get(f"{EXPORT_URL}?o={index}&_export=csv"))
    descending = _rows(client.get(f"{EXPORT_URL}?o=-{index}&_export=csv"))
    column = ascending[0].index("Received (UTC)")
    # compared as instants: a stamp on a whole second has no fraction, so text order is not time order
    up = [datetime.fromisoformat(r[column]) for r in ascending[1:]]
    down = [datetime.fromisoformat(r[column]) for r in descending[1:]]
    assert len(up) > 1 and up == sorted(up)
    assert down == sorted(down, reverse=True)


def test_a_filter_the_list_cannot_express_is_refused_not_widened(client, superuser, events):
    client.force_login(superuser)
    response = client.get(f"{EXPORT_URL}?msg__startswith=disk&_export=csv")
    assert response.status_code == 302
    assert "msg__startswith" in " ".join(m.message for m in response.wsgi_request._messages)


def test_background_job_holds_the_list_and_its_filter_query(
    client, superuser, events, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.EXPORT_ASYNC_THRESHOLD = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"{EXPORT_URL}?severity__exact=MINOR&q=DISK&_export=csv")
    job = ExportJob.objects.get()
    assert job.list_key == "blackouts.events"
    assert QueryDict(job.query) == QueryDict("severity=MINOR&search=DISK")
    assert job.status == ExportJob.Status.DONE and job.rows_total == 1
