"""A change in staff language, wherever it is shown (History, the change log's list and detail): choices by label,
date-times in the admin's zone, a timeframe as a sentence; never a code where the form shows a label, never a
Python repr or raw JSON of a nested value."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from core.changes.models import Change
from tests.factories.blackouts import BlackoutPolicyFactory, timeframe
from tests.factories.contacts import CustomerContactFactory

pytestmark = pytest.mark.django_db

REPRS = ("{'", '{"', "C1ST", "C1DV", "'never'")


def _record(obj, object_type, changes, natural_key):
    return Change.objects.create(
        actor="user:admin",
        object_type=object_type,
        object_id=str(obj.pk),
        natural_key=natural_key,
        action="updated",
        changes=changes,
    )


@pytest.fixture
def staff(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def contact_change():
    contact = CustomerContactFactory()
    _record(contact, "contacts.customercontact", {"status": [None, "C1ST"]}, "cc-1")
    change = _record(
        contact,
        "contacts.customercontact",
        {"status": ["C1ST", "C1DV"], "event_captured_at": ["2026-01-01T12:00:00+00:00", None]},
        "cc-1",
    )
    return contact, change


@pytest.fixture
def policy_change():
    policy = BlackoutPolicyFactory(name="nightly")
    before = timeframe(startDate="03022021", startTime="10:35", endTime="11:36", timeZone={"id": "Atlantic/Azores"})
    after = {**before, "endsOn": {"occurrences": 3}}
    change = _record(policy, "blackouts.blackoutpolicy", {"timeframe": [before, after], "enabled": [True, False]}, "n")
    return policy, change


def _lines(html: str) -> str:
    start = html.index('id="change-history"') if 'id="change-history"' in html else html.index('id="result_list"')
    return html[start:]


@override_settings(TIME_ZONE="Europe/Paris")
def test_history_shows_labels_zone_and_readable_nested_values(staff, contact_change, policy_change):
    contact, _ = contact_change
    page = staff.get(reverse("admin:contacts_customercontact_history", args=[contact.pk])).content.decode()
    text = _lines(page)
    assert "∅ → Sent" in text and "Sent → Delivered" in text
    assert "2026-01-01 13:00:00 CET → ∅" in text  # the admin's zone, named
    assert not [r for r in REPRS if r in text], text
    policy, _ = policy_change
    page = staff.get(reverse("admin:blackouts_blackoutpolicy_history", args=[policy.pk])).content.decode()
    text = _lines(page)
    assert "Atlantic/Azores, from 3 Feb 2021, never ends →" in text
    assert "for 3 windows" in text and "yes → no" in text
    assert not [r for r in REPRS if r in text], text


def test_the_change_list_and_detail_read_the_same(staff, contact_change, policy_change):
    changelist = staff.get(reverse("admin:changes_change_changelist")).content.decode()
    text = " | ".join(re.findall(r'field-what_changed">(.*?)</td>', changelist))
    assert "Sent → Delivered" in text and "from 3 Feb 2021" in text
    assert not [r for r in REPRS if r in text], text
    _, change = policy_change
    detail = staff.get(reverse("admin:changes_change_change", args=[change.pk])).content.decode()
    fields = detail[detail.index('class="change-fields"') :]
    fields = fields[: fields.index("</ul>")]
    assert "never ends →" in fields and "for 3 windows" in fields
    assert not [r for r in REPRS if r in fields], fields
