"""Bounds at the BMC door (issue #21, finding 7 and the Low list): dates whose windows Python cannot compute are a
400 naming the field at every door (create, preview, import), an ingest over the limit names the limit without
echoing the input, and an imported policy's owner is the importing actor, as on the wire."""

import io
import json

import pytest

from blackouts import spec_examples as spec
from blackouts import windows
from blackouts.api import bmc
from blackouts.models import BlackoutPolicy
from core import context
from core.errors import Invalid
from core.imports import specs
from core.imports.engine import run_import

pytestmark = pytest.mark.django_db

BASE = "/events-service/api/v1.0/blackout_policies"
PREVIEW = "/api/blackouts/preview/"
DAILY = {
    "startDate": "01012026",
    "startTime": "10:00",
    "endTime": "11:00",
    "endsOn": {"never": True},
    "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
    "timeZone": {"id": "UTC"},
}
# (timeframe changes, the field named): each of these was a 500 (OverflowError) at one door or another.
LOS_ANGELES, KIRITIMATI = {"id": "America/Los_Angeles"}, {"id": "Pacific/Kiritimati"}
MONTHLY, ONE_TIME = {"recurrence": "monthly", "details": {"dates": "1"}}, {"recurrence": "oneTime"}
OVERFLOWING = [
    ({"startDate": "31129999", "startTime": "23:00", "endTime": "01:00"}, "startDate"),
    ({"startDate": "30129999", "startTime": "20:00", "endTime": "23:00", "timeZone": LOS_ANGELES}, "startDate"),
    ({"startDate": "01019999", "endsOn": {"occurrences": 5000}}, "startDate"),
    ({"startDate": "01019500", "endsOn": {"occurrences": 9999}, "recurrencePattern": MONTHLY}, "endsOn/occurrences"),
    ({"startDate": "01011990", "endsOn": {"endDate": "31129999"}}, "endsOn/endDate"),
    ({"startDate": "30129998", "endsOn": {"endDate": "31129999"}, "recurrencePattern": ONE_TIME}, "endsOn/endDate"),
    ({"startDate": "01010001", "timeZone": KIRITIMATI, "startTime": "00:00"}, "startDate"),
]


def _timeframe(changes: dict) -> dict:
    return {**DAILY, **changes}


@pytest.mark.parametrize(("changes", "field"), OVERFLOWING)
def test_the_engine_refuses_dates_it_cannot_compute_naming_the_field(changes, field):
    with pytest.raises(Invalid) as info:
        windows.parse_timeframe(_timeframe(changes))
    assert info.value.field == "timeframe." + field.replace("/", ".")


@pytest.mark.parametrize(("changes", "field"), OVERFLOWING)
def test_bmc_create_is_a_400_naming_the_field(bmc_client, changes, field):
    body = spec.body(spec.CREATE_DAILY)
    body["configurations"]["definition"]["timeframeDetails"] = _timeframe(changes)
    response = bmc_client.post(BASE, data=body, format="json")
    assert response.status_code == 400, response.content
    (item,) = response.json()
    assert f"[Path '/configurations/definition/timeframeDetails/{field}']" in item["message"]
    assert not BlackoutPolicy.objects.exists()


@pytest.mark.parametrize(("changes", "field"), OVERFLOWING)
def test_the_preview_is_a_400_naming_the_field(api_client, analyst_user, changes, field):
    api_client.force_authenticate(analyst_user)
    body = {"selector_criteria": "class equals 'A'", "timeframe": _timeframe(changes)}
    response = api_client.post(PREVIEW, body, format="json")
    assert response.status_code == 400, response.content
    assert "timeframe." + field.replace("/", ".") in response.json()


@pytest.mark.parametrize(("changes", "field"), OVERFLOWING[:3])
def test_the_policy_import_refuses_the_row(changes, field):
    row = {
        "name": "far",
        "execution_order": 1,
        "selector_criteria": "class equals 'A'",
        "timeframe": _timeframe(changes),
    }
    report = run_import(specs.get_spec("blackouts.BlackoutPolicy"), io.BytesIO(json.dumps([row]).encode()), fmt="json")
    assert report.refused == 1 and report.refusals[0].column == "timeframe", list(report.lines())
    assert not BlackoutPolicy.objects.exists()


def test_the_last_dates_that_can_be_computed_are_accepted():
    windows.parse_timeframe(_timeframe({"startDate": "01011970", "endsOn": {"endDate": "31129998"}}))
    never = windows.parse_timeframe(_timeframe({"startDate": "25129998"}))
    late = windows.to_instant(windows.datetime(9998, 12, 31, 12), never.zone, is_end=False)
    assert windows.next_window(never, late) is None


# --- Ingest over the limit ------------------------------------------------------------------------------------------
def test_too_many_events_is_a_short_400_that_names_the_limit(bmc_client):
    events = [{"class": "EVENT", "msg": "m" * 50, "_identifier": f"e{n}"} for n in range(10_001)]
    response = bmc_client.post("/events-service/api/v1.0/events", data=events, format="json")
    assert response.status_code == 400
    assert len(response.content) < 1000, response.content[:300]
    (item,) = response.json()
    assert "10000" in item["message"] and "10001" in item["message"]


def test_a_long_string_is_not_echoed_whole(bmc_client):
    body = spec.body(spec.CREATE_DAILY, description="d" * 100_000)
    response = bmc_client.post(BASE, data=body, format="json")
    assert response.status_code == 400
    assert len(response.content) < 1000, response.content[:300]


# --- The owner of an imported policy --------------------------------------------------------------------------------
def test_the_import_sets_the_owner_from_the_actor_never_from_the_file(superuser):
    row = {
        "name": "imported",
        "execution_order": 1,
        "selector_criteria": "class equals 'A'",
        "timeframe": DAILY,
        "owner": "mallory",
    }
    with context.bound(actor=context.user_actor(superuser)):
        report = run_import(
            specs.get_spec("blackouts.BlackoutPolicy"), io.BytesIO(json.dumps([row]).encode()), fmt="json"
        )
    assert report.created == 1, list(report.lines())
    assert BlackoutPolicy.objects.get().owner == "root"


def test_an_import_job_sets_the_owner_to_the_uploading_user(superuser, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.imports import jobs

    row = {"name": "via-job", "execution_order": 1, "selector_criteria": "class equals 'A'", "timeframe": DAILY}
    upload = SimpleUploadedFile("policies.json", json.dumps([{**row, "owner": "mallory"}]).encode())
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_job_create(user=superuser, model_label="blackouts.BlackoutPolicy", upload=upload)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.import_job_confirm(job_id=job.pk)
    assert BlackoutPolicy.objects.get().owner == "root"


# --- Array bounds first (the other families: tests/core/test_wire_bounds.py) -------------------------------------


def test_10001_bmc_events_are_refused_before_any_event_is_judged(integration_user, monkeypatch):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    def reached(*args, **kwargs):
        raise AssertionError("an event was judged before the array's length")

    monkeypatch.setattr(bmc, "schema_errors", reached)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(integration_user)}")
    events = [{"class": "EVENT", "msg": "m"}] * 10_001
    response = client.post("/events-service/api/v1.0/events", data=events, format="json")
    assert response.status_code == 400, response.content[:300]
    (item,) = response.json()
    assert item["key"] == "validation.schema.maxItems"
    assert "at most 10000 elements but instance has 10001 elements" in item["message"]


def test_a_nested_bmc_array_is_bounded_first_too():
    schema = {"type": "object", "properties": {"ids": {"type": "array", "maxItems": 2, "items": {"type": "string"}}}}
    with pytest.raises(bmc.BMCValidationError) as caught:
        bmc.check_max_items({"ids": ["a", "b", "c"]}, schema)
    assert caught.value.items[0]["message"].startswith("[Path '/ids'] Array is too long")
    bmc.check_max_items({"ids": ["a", "b"], "other": [1] * 10}, schema)
