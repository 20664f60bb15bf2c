"""Admin: lists within a query budget, the form validates like the API, actions call services, the calendar."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blackouts.filters import BlackoutPolicyFilterSet, EventFilterSet
from blackouts.models import BlackoutPolicy, Event
from tests.factories.blackouts import BlackoutPolicyFactory, EventFactory, timeframe

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged(client, superuser):
    client.force_login(superuser)
    return client


def test_policy_list_and_query_budget(admin_client_logged, django_assert_max_num_queries):
    for n in range(15):
        BlackoutPolicyFactory(name=f"p{n}", enabled=n % 2 == 0)
    with django_assert_max_num_queries(12):
        response = admin_client_logged.get(reverse("admin:blackouts_blackoutpolicy_changelist"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "p14" in text and "INACTIVE" in text and "Calendar (14 days)" in text


def test_event_list_filters_and_query_budget(admin_client_logged, django_assert_max_num_queries):
    policy = BlackoutPolicyFactory(name="nightly")
    EventFactory.create_batch(20, status="BLACKOUT", blackout_policy=policy)
    EventFactory.create_batch(5, msg="disk full", identifier="disk-1")
    url = reverse("admin:blackouts_event_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client_logged.get(url, {"status__exact": "BLACKOUT"})
    assert response.status_code == 200 and "nightly" in response.content.decode()
    found = admin_client_logged.get(url, {"q": "disk"})
    assert found.context["cl"].result_count == 5


def test_policy_form_refuses_bad_selector_and_impossible_timeframe(admin_client_logged):
    url = reverse("admin:blackouts_blackoutpolicy_add")
    data = {
        "name": "bad",
        "description": "",
        "execution_order": 1,
        "selector_criteria": "class equals",
        "timeframe": '{"startDate": "01012030", "startTime": "10:00", "endTime": "11:00", "endsOn": {"never": true},'
        ' "recurrencePattern": {"recurrence": "monthly", "details": {"dates": "32"}}}',
    }
    response = admin_client_logged.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "position 13" in str(errors["selector_criteria"])
    assert "/recurrencePattern/details/dates" in str(errors["timeframe"])
    assert not BlackoutPolicy.objects.exists()


def test_policy_form_creates_and_reconciles(admin_client_logged, superuser):
    EventFactory(event_class="DB")
    url = reverse("admin:blackouts_blackoutpolicy_add")
    data = {
        "name": "always",
        "description": "",
        "execution_order": 1,
        "selector_criteria": "class equals 'DB'",
        "enabled": "on",
        "blackout_existing_events": "on",
        "timeframe": '{"startDate": "01012020", "startTime": "00:00", "endTime": "00:00", "endsOn": {"never": true},'
        ' "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}}, "timeZone": {"id": "UTC"}}',
    }
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert BlackoutPolicy.objects.get().owner == "root"
    assert Event.objects.get().status == "BLACKOUT"


def test_enable_and_disable_actions_call_services(admin_client_logged):
    policy = BlackoutPolicyFactory(enabled=False, timeframe=timeframe(startTime="00:00", endTime="00:00"))
    event = EventFactory()
    url = reverse("admin:blackouts_blackoutpolicy_changelist")
    admin_client_logged.post(url, {"action": "enable_policies", "_selected_action": [policy.pk]})
    event.refresh_from_db()
    assert event.status == "BLACKOUT"
    admin_client_logged.post(url, {"action": "disable_policies", "_selected_action": [policy.pk]})
    event.refresh_from_db()
    assert event.status == "OPEN"


def test_calendar_shows_enabled_policies_windows(admin_client_logged):
    today = timezone.now()
    BlackoutPolicyFactory(
        name="weekly-window",
        enabled=True,
        timeframe=timeframe(
            startDate=today.strftime("%d%m%Y"),
            recurrencePattern={"recurrence": "weekly", "details": {"daysOfWeek": [1, 4]}},
            startTime="01:00",
            endTime="03:00",
        ),
    )
    BlackoutPolicyFactory(name="disabled-one", enabled=False)
    response = admin_client_logged.get(reverse("admin:blackouts_blackoutpolicy_calendar"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.policy.name for r in rows] == ["weekly-window"]
    assert len(rows[0].bars) == 4  # two weekdays a week, two weeks
    assert all(0 <= bar.left <= 100 for bar in rows[0].bars)


def test_calendar_needs_staff(client, plain_user):
    client.force_login(plain_user)
    response = client.get(reverse("admin:blackouts_blackoutpolicy_calendar"))
    assert response.status_code == 302  # to the admin login


def test_filtersets():
    BlackoutPolicyFactory(name="Night", description="db maintenance", enabled=True)
    BlackoutPolicyFactory(name="Day", enabled=False)
    assert [p.name for p in BlackoutPolicyFilterSet({"search": "maint"}).qs] == ["Night"]
    assert [p.name for p in BlackoutPolicyFilterSet({"enabled": "false"}).qs] == ["Day"]
    EventFactory(status="OPEN", severity="MINOR")
    EventFactory(status="CLOSED", severity="MAJOR", received_at=timezone.now() - timedelta(days=1))
    assert EventFilterSet({"status": ["OPEN", "CLOSED"], "severity": ["MAJOR"]}).qs.count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_calendar_in_a_browser(admin_page):
    BlackoutPolicyFactory(name="browser-daily", enabled=True, timeframe=timeframe(startTime="08:00", endTime="12:00"))
    admin_page.goto("/admin/blackouts/blackoutpolicy/")
    admin_page.click("text=Calendar (14 days)")
    admin_page.wait_for_selector("#blackout-calendar")
    assert admin_page.locator(".bo-row").count() == 1
    assert admin_page.locator(".bo-row .bo-bar").count() >= 14
    assert "browser-daily" in admin_page.inner_text("#blackout-calendar")
    box = admin_page.locator(".bo-row .bo-bar").first.bounding_box()
    assert box is not None and box["width"] > 0


def test_policy_form_edit_keeps_the_api_rules(admin_client_logged):
    policy = BlackoutPolicyFactory(name="edit-me", enabled=False)
    url = reverse("admin:blackouts_blackoutpolicy_change", args=[policy.pk])
    data = {
        "name": "renamed",
        "description": "x",
        "execution_order": 7,
        "selector_criteria": "class equals 'DB'",
        "timeframe": json.dumps(policy.timeframe),
    }
    response = admin_client_logged.post(url, data)
    assert "cannot be changed" in str(response.context["adminform"].form.errors)
    response = admin_client_logged.post(url, data | {"name": "edit-me"})
    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.execution_order, policy.selector_criteria) == (7, "class equals 'DB'")
    active = BlackoutPolicyFactory(
        name="active-one", enabled=True, timeframe=timeframe(startTime="00:00", endTime="00:00")
    )
    url = reverse("admin:blackouts_blackoutpolicy_change", args=[active.pk])
    response = admin_client_logged.post(url, data | {"name": "active-one", "enabled": "on"})
    assert "active state" in response.content.decode()
