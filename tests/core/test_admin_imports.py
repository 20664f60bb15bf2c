"""The admin's Import button on every importable changelist (generated over the import registry): who may use it,
upload → dry run → confirm → result, the background path and the downloadable report."""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.imports import specs
from core.imports.admin import ImportExportMixin
from core.imports.models import ImportJob
from enrollments.models import Premise

IMPORTABLE = sorted(specs.REGISTRY.values(), key=lambda s: s.label)


def _url(model, name, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def _staff(django_user_model, name, group):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def test_every_importable_model_has_an_import_button_in_its_admin():
    for spec in IMPORTABLE:
        model_admin = admin.site._registry.get(spec.model)
        assert isinstance(model_admin, ImportExportMixin), f"{spec.label}: its admin has no Import button"


@pytest.mark.django_db
def test_the_import_permission_is_the_operators_only(django_user_model):
    operator = _staff(django_user_model, "op", "operator")
    analyst = _staff(django_user_model, "an", "analyst")
    integration = _staff(django_user_model, "int", "integration")
    assert operator.has_perm("imports.import_data")
    assert not analyst.has_perm("imports.import_data") and not integration.has_perm("imports.import_data")


@pytest.mark.django_db
@pytest.mark.parametrize("spec", IMPORTABLE, ids=[s.label for s in IMPORTABLE])
def test_the_import_page_answers_operators_and_refuses_analysts_and_integration(client, django_user_model, spec):
    url = _url(spec.model, "import")
    changelist = _url(spec.model, "changelist")
    client.force_login(_staff(django_user_model, "op", "operator"))
    assert client.get(url).status_code == 200
    assert url in client.get(changelist).content.decode()
    for name, group in (("an", "analyst"), ("int", "integration")):
        client.force_login(_staff(django_user_model, name, group))
        assert client.get(url).status_code == 403
        assert client.post(url, {"file": SimpleUploadedFile("x.csv", b"a\n")}).status_code == 403


@pytest.mark.django_db
def test_upload_dry_run_confirm_result(client, django_user_model, media, django_capture_on_commit_callbacks):
    client.force_login(_staff(django_user_model, "op", "operator"))
    Premise.objects.create(cis_premise_id="P-1", city="Old")
    upload = SimpleUploadedFile("premises.csv", b"cis_premise_id,city\nP-1,New\nP-2,Fresh\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(Premise, "import"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == _url(Premise, "import_job", job.pk)
    page = client.get(response["Location"]).content.decode()
    assert "Dry run: nothing has been written" in page and 'id="import-confirm"' in page
    assert '<td id="count-created">1</td>' in page and '<td id="count-updated">1</td>' in page
    assert Premise.objects.get().city == "Old", "the dry run wrote nothing"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(Premise, "import_job", job.pk))
    page = client.get(_url(Premise, "import_job", job.pk)).content.decode()
    assert "Applied. 2 rows: 1 created, 1 updated" in page
    assert sorted(Premise.objects.values_list("city", flat=True)) == ["Fresh", "New"]
    report = client.get(_url(Premise, "import_report", job.pk))
    assert list(csv.reader(io.StringIO(report.content.decode())))[1][2].startswith("Applied.")


@pytest.mark.django_db
def test_a_refused_row_is_listed_and_cannot_be_confirmed(
    client, django_user_model, media, django_capture_on_commit_callbacks
):
    client.force_login(_staff(django_user_model, "op", "operator"))
    upload = SimpleUploadedFile("premises.csv", b"cis_premise_id,state\nP-1,CA\nP-2,TOOLONGSTATE\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(Premise, "import"), {"file": upload})
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-confirm"' not in page
    assert "<td>3</td><td>state</td>" in page and "at most 6 characters" in page
    job = ImportJob.objects.get()
    client.post(_url(Premise, "import_job", job.pk))
    assert not Premise.objects.exists()
    rows = list(csv.reader(io.StringIO(client.get(_url(Premise, "import_report", job.pk)).content.decode())))
    assert rows[2][:2] == ["3", "state"]


@pytest.mark.django_db
def test_a_hostile_upload_is_a_clear_report_not_a_500(
    client, django_user_model, media, django_capture_on_commit_callbacks
):
    client.force_login(_staff(django_user_model, "op", "operator"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(Premise, "import"), {"file": SimpleUploadedFile("p.xlsx", b"not a workbook")})
    page = client.get(response["Location"]).content.decode()
    assert "File refused, nothing written: Not an XLSX file" in page
    bad_name = client.post(_url(Premise, "import"), {"file": SimpleUploadedFile("p.exe", b"x")})
    assert bad_name.status_code == 200 and "Cannot tell the format" in bad_name.content.decode()


@pytest.mark.django_db
def test_a_large_file_runs_in_the_background(
    client, django_user_model, media, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_ASYNC_THRESHOLD = 10
    client.force_login(_staff(django_user_model, "op", "operator"))
    upload = SimpleUploadedFile("premises.jsonl", b'{"cis_premise_id": "P-1"}\n{"cis_premise_id": "P-2"}\n')
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(Premise, "import"), {"file": upload})
    job = ImportJob.objects.get()
    assert job.background and job.status == ImportJob.Status.DONE
    progress = client.get(_url(Premise, "import_progress", job.pk)).json()
    assert progress["percent"] == 100 and progress["rows_done"] == 2
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-bar"' in page and "2 to create" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(Premise, "import_job", job.pk))
    assert Premise.objects.count() == 2


@pytest.mark.django_db
def test_an_operator_sees_only_their_own_jobs(client, django_user_model, media, django_capture_on_commit_callbacks):
    client.force_login(_staff(django_user_model, "op", "operator"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(Premise, "import"), {"file": SimpleUploadedFile("p.csv", b"cis_premise_id\nP-1\n")})
    job = ImportJob.objects.get()
    client.force_login(_staff(django_user_model, "op2", "operator"))
    assert client.get(_url(Premise, "import_job", job.pk)).status_code == 404
