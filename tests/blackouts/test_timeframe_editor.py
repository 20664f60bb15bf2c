"""The admin's structured timeframe editor: fields (recurrence, days, times, zone, end) that make the wire's
``timeframeDetails``, judged by the same validator as the wire; raw JSON only as an advanced option."""

import html
import json
import re

import pytest
from django.urls import reverse

from blackouts import policy_input
from blackouts.models import BlackoutPolicy
from blackouts.timeframe_editor import PARTS, compose
from core.errors import Invalid
from tests.factories.blackouts import BlackoutPolicyFactory, timeframe

pytestmark = pytest.mark.django_db
ADD = "admin:blackouts_blackoutpolicy_add"


@pytest.fixture
def staff(client, superuser):
    client.force_login(superuser)
    return client


def _policy(**fields) -> dict:
    return {
        "name": "weekly",
        "description": "",
        "execution_order": 1,
        "selector_criteria": "class equals 'DB'",
    } | fields


def _editor(**parts) -> dict:
    base = {
        "timeframe_recurrence": "weekly",
        "timeframe_start_date": "2030-01-06",
        "timeframe_start_time": "22:00",
        "timeframe_end_time": "23:30",
        "timeframe_zone": "Europe/Paris",
        "timeframe_days_of_week": ["2", "4"],
        "timeframe_ends": "occurrences",
        "timeframe_occurrences": "5",
        "timeframe": "",
    }
    return base | {f"timeframe_{k}": v for k, v in parts.items()}


def test_the_add_page_offers_fields_and_never_starts_with_null(staff):
    page = staff.get(reverse(ADD)).content.decode()
    for part in ("recurrence", "start_date", "start_time", "end_time", "zone", "days_of_week", "ends", "occurrences"):
        assert f'name="timeframe_{part}"' in page
    textarea = html.unescape(re.search(r'<textarea name="timeframe"[^>]*>(.*?)</textarea>', page, re.S).group(1))
    textarea = textarea.strip()
    assert not textarea.startswith("null") and json.loads(textarea)["recurrencePattern"]["recurrence"] == "daily"
    assert '<details class="tf-advanced">' in page  # the raw JSON: collapsed, an advanced option
    assert 'id="policy-preview-button"' in page  # the preview, in the same section


def test_the_fields_make_the_wire_timeframe(staff):
    response = staff.post(reverse(ADD), _policy() | _editor())
    assert response.status_code == 302, response.context["adminform"].form.errors
    stored = BlackoutPolicy.objects.get(name="weekly").timeframe
    assert stored == {
        "startDate": "06012030",
        "startTime": "22:00",
        "endTime": "23:30",
        "endsOn": {"occurrences": 5},
        "recurrencePattern": {"recurrence": "weekly", "details": {"daysOfWeek": [2, 4]}},
        "timeZone": {"id": "Europe/Paris"},
    }
    assert stored == policy_input.clean_policy(_policy(timeframe=stored) | {"enabled": False})["timeframe"]


@pytest.mark.parametrize(
    ("parts", "path"),
    [
        ({"recurrence": "monthly", "dates": "32"}, "/recurrencePattern/details/dates"),
        ({"days_of_week": []}, "/recurrencePattern/details/daysOfWeek"),
        ({"recurrence": "oneTime", "end_date": "2030-01-01"}, "/endsOn/endDate"),
        ({"ends": "occurrences", "occurrences": "0"}, "/endsOn/occurrences"),
    ],
)
def test_a_rule_of_the_wire_holds_in_the_editor(staff, parts, path):
    """The same words as the wire's validator, on the timeframe field; nothing saved."""
    response = staff.post(reverse(ADD), _policy() | _editor(**parts))
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["timeframe"])
    assert f"[Path '{path}']" in errors
    parts_dict = {k.removeprefix("timeframe_"): v for k, v in _editor(**parts).items()}
    with pytest.raises(Invalid) as wire:
        policy_input.clean_policy(
            {"timeframe": compose(parts_dict)}, skip=set(BlackoutPolicy.INPUT_FIELDS) - {"timeframe"}
        )
    assert wire.value.errors[0][1] in errors
    assert not BlackoutPolicy.objects.exists()


def test_missing_times_are_all_named_at_once(staff):
    response = staff.post(reverse(ADD), _policy() | _editor(start_time="", end_time="", start_date=""))
    errors = response.context["adminform"].form.errors["timeframe"]
    assert {"Enter the start date.", "Enter the start time.", "Enter the end time."} <= set(errors)


def test_the_advanced_json_is_used_only_when_ticked(staff):
    raw = timeframe(startDate="01012031", timeZone={"id": "UTC"})
    data = _policy(name="raw") | _editor(advanced="on") | {"timeframe": json.dumps(raw)}
    assert staff.post(reverse(ADD), data).status_code == 302
    assert BlackoutPolicy.objects.get(name="raw").timeframe["startDate"] == "01012031"
    for text, said in (("5", "timeframeDetails must be an object"), ("null", "Enter the timeframe."), ("{x", "JSON")):
        bad = _policy(name="raw2") | _editor(advanced="on") | {"timeframe": text}
        errors = staff.post(reverse(ADD), bad).context["adminform"].form.errors["timeframe"]
        assert said in " ".join(errors)


def test_saving_an_untouched_timeframe_keeps_it_as_stored(staff):
    """The editor shows the stored timeframe as fields; saved untouched, it is stored as it was (the informational
    offset and the list form of the days included)."""
    stored = timeframe(
        recurrencePattern={"recurrence": "weekly", "details": {"daysOfWeek": ["1-3", 5]}},
        timeZone={"id": "Atlantic/Azores", "offset": "-01:00"},
    )
    policy = BlackoutPolicyFactory(name="kept", enabled=False, timeframe=stored)
    url = reverse("admin:blackouts_blackoutpolicy_change", args=[policy.pk])
    form = staff.get(url).context["adminform"].form
    widget = form.fields["timeframe"].widget
    values = dict(zip((*PARTS, ""), widget.decompress(stored), strict=True))
    assert values["days_of_week"] == ["1", "2", "3", "5"] and values["zone"] == "Atlantic/Azores"
    data = _policy(name="kept", description="new words") | {
        f"timeframe_{k}" if k else "timeframe": v for k, v in values.items() if v not in (None, False)
    }
    assert staff.post(url, data).status_code == 302
    policy.refresh_from_db()
    assert policy.description == "new words" and policy.timeframe == stored


def test_the_preview_reads_the_fields(staff):
    data = {"selector_criteria": "class equals 'DB'", "windows": "3"} | _editor(recurrence="daily", days="all")
    response = staff.post(reverse("admin:blackouts_blackoutpolicy_preview"), data)
    assert response.status_code == 200, response.content.decode()[:400]
    assert "22:00" in response.content.decode()
