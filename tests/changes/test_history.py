"""The change log where people read it: the History of change pages, the admin list of all changes (filters,
search by natural key, export) and the analyst list under /api/."""

import pytest
from django.urls import reverse

from core.changes.models import Change
from tests.factories.outages import ExternalSystemFactory

pytestmark = pytest.mark.django_db
NOTIFICATIONS = "/rest/apis/customer/service/outageEventNotifications/"


def notify(api, outage_id, reference, etr):
    details = {"externalOutageId": outage_id, "messageReference": reference, "estimatedRestorationTime": etr}
    body = {"externalSystem": "OMS1", "outageMessages": [{"eventDetails": details}]}
    assert api.post(NOTIFICATIONS, data=body, format="json").status_code in (200, 201)


@pytest.fixture
def two_outages(integration_client):
    ExternalSystemFactory(name="OMS1")
    notify(integration_client, "OUT-1", "1", "2026-01-01T12:00:00Z")
    notify(integration_client, "OUT-1", "2", "2026-01-01T15:30:00Z")
    notify(integration_client, "OUT-2", "1", "2026-01-02T12:00:00Z")
    from outages.models import OutageEvent

    return OutageEvent.objects.get(external_outage_id="OUT-1")


def test_change_page_history_shows_who_when_and_each_field(client, superuser, two_outages):
    client.force_login(superuser)
    url = reverse("admin:outages_outageevent_history", args=[two_outages.pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "user:oms" in text
    assert "<strong>ETR</strong>" in text  # the field's label, as the form shows it
    assert "2026-01-01 12:00:00 UTC → 2026-01-01 15:30:00 UTC" in text
    assert "outage.etr_changed" in text
    assert "OUT-2" not in text  # only this object's changes


def test_history_of_every_admin_is_the_change_log():
    from django.contrib import admin

    from core.changes.admin import history_view

    for model_admin in admin.site._registry.values():
        assert model_admin.history_view.__func__ is history_view


def test_changelist_filters_and_searches_by_natural_key(client, superuser, two_outages):
    client.force_login(superuser)
    url = reverse("admin:changes_change_changelist")
    page = client.get(url, {"q": "OMS1/OUT-2"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == list(Change.objects.filter(natural_key="OMS1/OUT-2"))
    page = client.get(url, {"object_type": "outages.outageevent", "action": "updated", "actor": "user:oms"})
    assert [c.natural_key for c in page.context["cl"].result_list] == ["OMS1/OUT-1"]
    assert client.get(url, {"at__gte": "2000-01-01"}).status_code == 200


def test_changelist_export_is_what_the_page_shows(client, superuser, two_outages):
    from django.contrib.auth.models import Permission

    superuser.user_permissions.add(Permission.objects.get(codename="export_data"))
    client.force_login(superuser)
    response = client.get(reverse("admin:changes_change_export"), {"q": "OMS1/OUT-1", "_export": "csv"})
    assert response.status_code == 200
    rows = b"".join(response.streaming_content).decode().strip().splitlines()
    assert len(rows) == 1 + Change.objects.filter(natural_key="OMS1/OUT-1").count()


def test_analyst_list_filters_and_exports(api_client, analyst_user, two_outages):
    api_client.force_authenticate(analyst_user)
    page = api_client.get("/api/core/changes/", {"natural_key": "OMS1/OUT-1", "action": "updated"})
    assert page.status_code == 200, page.content
    body = page.json()
    rows = body.get("results", body)
    assert [r["natural_key"] for r in rows] == ["OMS1/OUT-1"]
    assert rows[0]["actor"] == "user:oms"
    assert rows[0]["events"] == ["outage.updated", "outage.etr_changed"]
    by_event = api_client.get("/api/core/changes/", {"event": "outage.etr_changed"}).json()
    assert {r["natural_key"] for r in by_event.get("results", by_event)} == {"OMS1/OUT-1"}
    export = api_client.get("/api/core/changes/", {"object_type": "outages.outageevent", "format": "jsonl"})
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode().strip().splitlines()
    assert len(lines) == 3
    bad = api_client.get("/api/core/changes/", {"at_after": "yesterday-ish"})
    assert bad.status_code == 400
