"""Rough edges of the blackouts admin found on a first tour (issue 14), each pinned by a test."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from blackouts.models import BlackoutPolicy
from tests.factories.blackouts import BlackoutPolicyFactory, EventFactory, timeframe

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged(client, superuser):
    client.force_login(superuser)
    return client


CALENDAR = "/admin/blackouts/blackoutpolicy/calendar/"
DAY = re.compile(r'class="bo-day" data-date="([0-9-]+)"\s+data-left="([0-9.]+)" data-width="([0-9.]+)"')
BAR = re.compile(r'class="bo-bar" data-left="([0-9.]+)" data-start="([^"]+)"')


def _calendar(client, **query):
    response = client.get(CALENDAR, query)
    assert response.status_code == 200
    html = response.content.decode()
    days = [(d, float(left), float(width)) for d, left, width in DAY.findall(html)]
    bars = [(float(left), datetime.fromisoformat(start)) for left, start in BAR.findall(html)]
    return html, days, bars


def _day_of(days, left: float) -> str:
    return next(d for d, start, width in days if start <= left < start + width)


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/Los_Angeles"])
def test_calendar_days_run_midnight_to_midnight_in_the_named_zone(admin_client_logged, zone):
    # 01:00-02:00 in the zone every day: each bar must sit in the column of its own date, not the day before.
    BlackoutPolicyFactory(enabled=True, timeframe=timeframe(startTime="01:00", endTime="02:00", timeZone={"id": zone}))
    html, days, bars = _calendar(admin_client_logged, tz=zone)
    assert f'id="calendar-zone">{zone}<' in html
    assert len(days) == 14 and abs(sum(width for _, _, width in days) - 100) < 0.01
    assert days[0][1] == 0.0
    assert len(bars) >= 13
    for left, start in bars:
        assert _day_of(days, left) == start.astimezone(ZoneInfo(zone)).date().isoformat()


def test_calendar_refuses_an_unknown_zone_clearly(admin_client_logged):
    response = admin_client_logged.get(CALENDAR, {"tz": "Mars/Olympus"}, follow=True)
    assert response.status_code == 200
    assert "Unknown time zone &#x27;Mars/Olympus&#x27;" in response.content.decode()
    assert 'id="calendar-zone">UTC<' in response.content.decode()


def test_timeframe_status_reads_as_dates(admin_client_logged):
    policy = BlackoutPolicyFactory(enabled=True, timeframe=timeframe(startTime="01:00", endTime="02:00"))
    html = admin_client_logged.get(reverse("admin:blackouts_blackoutpolicy_change", args=[policy.pk])).content.decode()
    assert "LastRun:" not in html and "NextRun:" not in html
    assert re.search(r"(ACTIVE|INACTIVE) — last run \d{4}-\d\d-\d\d \d\d:\d\d UTC, next run \d{4}-", html)


def test_the_add_page_has_no_timeframe_status_yet(admin_client_logged):
    html = admin_client_logged.get(reverse("admin:blackouts_blackoutpolicy_add")).content.decode()
    assert "timeframeDetails must be an object" not in html


@pytest.mark.parametrize(("count", "text"), [(1, "Disabled 1 policy."), (2, "Disabled 2 policies.")])
def test_the_disable_message_says_policy_or_policies(admin_client_logged, count, text):
    policies = BlackoutPolicyFactory.create_batch(count, enabled=True, timeframe=timeframe(startDate="01012099"))
    response = admin_client_logged.post(
        reverse("admin:blackouts_blackoutpolicy_changelist"),
        {"action": "disable_policies", "_selected_action": [str(p.pk) for p in policies]},
        follow=True,
    )
    assert text in [str(m) for m in response.context["messages"]]
    assert not BlackoutPolicy.objects.filter(enabled=True).exists()


def test_the_identifier_column_and_csv_header_say_identifier(admin_client_logged):
    EventFactory(identifier="evt-1")
    html = admin_client_logged.get(reverse("admin:blackouts_event_changelist")).content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>.*?<(?:a|span)[^>]*>([^<]+)<', html, re.S)
    assert "Identifier" in headers and "_identifier" not in headers
    export = admin_client_logged.get(reverse("admin:blackouts_event_export"), {"_export": "csv"})
    first_line = b"".join(export.streaming_content).decode().splitlines()[0]
    assert "Identifier" in first_line.split(",") and "_identifier" not in first_line
