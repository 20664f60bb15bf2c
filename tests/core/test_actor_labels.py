"""One actor label everywhere (issue #24): every door that writes records the signed-in user the same way,
``user:<username>`` (imports were once logged as ``user:<id>``), and the labels are built in one place
(``core.context``: ``user_actor``, ``task_actor``, ``command_actor``).

Each door below writes as a user whose name is not its id, through the door's own authentication (a session, a
JWT, HTTP Basic, an import job run in the background); every change row the write recorded must name that user.
"""

import ast
import base64
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from core import context
from core.changes.models import Change
from core.imports.models import ImportJob
from tests.factories.blackouts import BlackoutPolicyFactory
from tests.factories.outages import ExternalSystemFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "jane.ops"
PASSWORD = "jane-password-1"


def _user(django_user_model, *, group: str | None = None, superuser: bool = False):
    if superuser:
        return django_user_model.objects.create_superuser(USERNAME, "jane@example.com", PASSWORD)
    user = django_user_model.objects.create_user(USERNAME, "jane@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


# --- The doors, each one write through its own authentication ------------------------------------------------------
def admin_save(client, django_user_model, **_):
    client.force_login(_user(django_user_model, superuser=True))
    response = client.post(reverse("admin:outages_externalsystem_add"), {"name": "OMS-DOOR", "is_active": "on"})
    assert response.status_code == 302, response.content


def admin_action(client, django_user_model, **_):
    policy = BlackoutPolicyFactory(enabled=False)
    Change.objects.all().delete()
    client.force_login(_user(django_user_model, superuser=True))
    response = client.post(
        reverse("admin:blackouts_blackoutpolicy_changelist"),
        {"action": "enable_policies", "_selected_action": [str(policy.pk)]},
    )
    assert response.status_code in (200, 302)


def _admin_import(client, django_user_model, capture):
    client.force_login(_user(django_user_model, group="operator"))
    upload = SimpleUploadedFile("premises.csv", b"cis_premise_id,city\nP-DOOR-1,Springfield\nP-DOOR-2,Shelbyville\n")
    with capture(execute=True):
        client.post(reverse("admin:enrollments_premise_import"), {"file": upload})
    job = ImportJob.objects.get()
    with capture(execute=True):
        client.post(reverse("admin:enrollments_premise_import_job", args=[job.pk]))
    assert ImportJob.objects.get().report["applied"] is True


def admin_import(client, django_user_model, capture, **_):
    _admin_import(client, django_user_model, capture)


def admin_import_in_the_background(client, django_user_model, capture, settings, **_):
    """The job runs as a Celery task (eager here): the task's own actor must give way to the user's."""
    settings.IMPORT_ASYNC_THRESHOLD = 0
    _admin_import(client, django_user_model, capture)
    assert ImportJob.objects.get().background


def wire_api(client, django_user_model, **_):
    ExternalSystemFactory(name="OMS1")
    Change.objects.all().delete()
    api = APIClient()
    token = AccessToken.for_user(_user(django_user_model, group="integration"))
    body = {"externalSystem": "OMS1", "outageMessages": [{"eventDetails": {"externalOutageId": "OUT-DOOR"}}]}
    response = api.post(
        "/rest/apis/customer/service/outageEventNotifications/",
        data=body,
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code in (200, 201), response.content


def analyst_api(client, django_user_model, **_):
    _user(django_user_model, group="operator")
    basic = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    response = APIClient().post(
        "/api/webhooks/subscriptions/",
        {"target_url": "https://hooks.example.com/door", "event_types": ["outage.created"]},
        format="json",
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 201, response.content


DOORS = [admin_save, admin_action, admin_import, admin_import_in_the_background, wire_api, analyst_api]


@pytest.mark.parametrize("door", DOORS, ids=lambda f: f.__name__)
def test_every_door_records_the_user_as_user_colon_username(
    door, client, django_user_model, django_capture_on_commit_callbacks, settings
):
    door(client, django_user_model, capture=django_capture_on_commit_callbacks, settings=settings)
    recorded = list(Change.objects.values_list("actor", "action", "object_type"))
    assert recorded, "the door recorded no change"
    assert {actor for actor, _, _ in recorded} == {f"user:{USERNAME}"}, recorded


def test_an_admin_import_names_the_user_on_every_row_and_on_the_file(
    client, django_user_model, django_capture_on_commit_callbacks
):
    _admin_import(client, django_user_model, django_capture_on_commit_callbacks)
    rows = Change.objects.filter(object_type="enrollments.premise")
    assert sorted(rows.values_list("action", flat=True)) == ["created", "created", "imported"]
    assert set(rows.values_list("actor", flat=True)) == {"user:jane.ops"}
    assert not rows.filter(actor__regex=r"^user:[0-9]+$").exists()


def test_the_labels_are_built_in_core_context_only():
    """No product module spells an actor prefix itself: each calls ``core.context`` (migrations, which must not
    import app code, excepted)."""
    prefixes = (context.USER_PREFIX, context.TASK_PREFIX, context.COMMAND_PREFIX)
    apps = ("config", "core", "outages", "contacts", "enrollments", "blackouts", "inventory")
    offenders = []
    for app in apps:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path == ROOT / "core" / "context.py":
                continue
            tree = ast.parse(path.read_text(), str(path))
            described = {  # a field's help text may name the forms ("user:…, task:…"): it builds no label
                id(keyword.value)
                for keyword in ast.walk(tree)
                if isinstance(keyword, ast.keyword) and keyword.arg == "help_text"
            }
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and node.value.startswith(prefixes)
                    and id(node) not in described
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert not offenders, offenders


def test_the_label_functions():
    class User:
        is_authenticated = True

        def get_username(self):
            return "jane.ops"

    assert context.user_actor(User()) == "user:jane.ops"
    assert context.task_actor("core.tasks.run_import") == "task:core.tasks.run_import"
    assert context.command_actor("load_demo") == "command:load_demo"
    assert context.actor_username("user:jane.ops") == "jane.ops"
    assert context.actor_username("command:load_demo") is None
