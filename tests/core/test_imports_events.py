"""An applied import raises the outbound events its changes imply (issue #24): each row it writes raises what the
single-record service raises (a service created: ``service.created``), and the file itself, for every importable
model, raises ``import.applied`` with the counts. A dry run, or a file refused, raises nothing."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.changes.models import Delivery, Subscription
from core.changes.rendering import Rendering
from core.imports.models import ImportJob
from tests.factories.inventory import SpecificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def receiver():
    return Subscription.objects.create(
        name="all", target_url="https://receiver.example.com/hook", event_types=["*"], secret="whsec_" + "A" * 32
    )


@pytest.fixture
def operator_client(client, django_user_model):
    user = django_user_model.objects.create_user("op", "op@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="operator"))
    client.force_login(user)
    return client


def _import(client, capture, url_prefix: str, content: bytes, *, confirm: bool = True) -> ImportJob:
    with capture(execute=True):
        client.post(reverse(f"admin:{url_prefix}_import"), {"file": SimpleUploadedFile("rows.csv", content)})
    job = ImportJob.objects.latest("created_at")
    if confirm:
        with capture(execute=True):
            client.post(reverse(f"admin:{url_prefix}_import_job", args=[job.pk]))
    return ImportJob.objects.get(pk=job.pk)


def _payload(delivery: Delivery) -> dict:
    return Rendering([delivery.change]).payload(
        delivery.change, delivery.subscription, delivery.event_type, delivery.event_id
    )


def test_an_import_raises_import_applied_with_its_counts(
    operator_client, media, receiver, django_capture_on_commit_callbacks
):
    content = b"cis_premise_id,city\nP-EV-1,Springfield\nP-EV-2,Shelbyville\n"
    job = _import(operator_client, django_capture_on_commit_callbacks, "enrollments_premise", content)
    assert job.report["applied"] is True
    delivery = Delivery.objects.get()
    assert delivery.event_type == "import.applied"
    payload = _payload(delivery)
    assert payload["type"] == "import.applied"
    data = payload["data"]
    assert data["object_type"] == "enrollments.premise" and data["action"] == "imported"
    assert data["counts"]["created"] == 2 and data["actor"] == "user:op"


def test_an_import_of_services_raises_each_rows_events_and_the_files(
    operator_client, media, receiver, django_capture_on_commit_callbacks
):
    spec = SpecificationFactory()
    content = f"id,name,service_type,category,state,specification\n,Svc one,CFS,CFS,designed,{spec.id}\n".encode()
    _import(operator_client, django_capture_on_commit_callbacks, "inventory_service", content)
    events = sorted(Delivery.objects.values_list("event_type", flat=True))
    assert events == ["import.applied", "service.created", "service.state_changed"]


def test_a_dry_run_raises_nothing(operator_client, media, receiver, django_capture_on_commit_callbacks):
    content = b"cis_premise_id,city\nP-EV-1,Springfield\n"
    job = _import(operator_client, django_capture_on_commit_callbacks, "enrollments_premise", content, confirm=False)
    assert job.dry_run_report["created"] == 1
    assert not Delivery.objects.exists()
