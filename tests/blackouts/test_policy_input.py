"""One validator for policy input: the published OpenAPI request schemas agree with what the endpoints validate,
and the admin form shows each error once, on its field."""

import copy
import json

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft7Validator
from schemathesis.specs.openapi.converter import to_json_schema

from blackouts import spec_examples as spec
from blackouts.api import schemas
from blackouts.models import BlackoutPolicy

BASE = "/events-service/api/v1.0/blackout_policies"


@pytest.fixture(scope="module")
def published():
    """The request body schema OpenAPI publishes for each (path, method), as plain JSON schema."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    out = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if body:
                out[(path, method)] = to_json_schema(body["schema"], nullable_keyword="nullable")
    return out


def _timeframe(body: dict) -> dict:
    return body["configurations"]["definition"]["timeframeDetails"]


def _variant(change) -> dict:
    body = copy.deepcopy(spec.CREATE_WEEKLY_NEVER)
    change(body)
    return body


def _set(path: str, value):
    def change(body):
        *parents, last = path.split("/")
        node = body
        for key in parents:
            node = node[key]
        node[last] = value

    return change


TF = "configurations/definition/timeframeDetails"
VALID_POLICIES = [
    *spec.CREATE_BODIES,
    spec.UPDATE_BODY,
    _variant(_set(f"{TF}/startTime", "10:35:00")),  # seconds are accepted (the drift: the docs said HH:MM)
    _variant(_set(f"{TF}/recurrencePattern/details/daysOfWeek", "1-3,5")),  # a string (the docs said int array)
    _variant(_set(f"{TF}/recurrencePattern/details/daysOfWeek", ["1-3", 5])),
    _variant(_set(f"{TF}/endsOn", {"occurrences": "5"})),
    _variant(_set("enabled", "True")),
    _variant(_set("configurations/timeframeStatus", "EXPIRED,LastRun:,NextRun:")),  # echoed from a GET
]
INVALID_POLICIES = [
    _variant(_set("executionOrder", "high")),
    _variant(_set("executionOrder", 10000)),
    _variant(_set("enabled", "yes")),
    _variant(_set("name", "")),
    _variant(_set("id", "x")),
    _variant(_set(f"{TF}/startTime", "1035")),
    _variant(_set(f"{TF}/startDate", "3022021")),
    _variant(_set(f"{TF}/recurrencePattern/details/daysOfWeek", {"day": 3})),
    _variant(_set(f"{TF}/recurrencePattern/recurrence", "hourly")),
    _variant(_set(f"{TF}/endsOn", {"occurrences": 0})),
    _variant(_set(f"{TF}/timeZone", {"id": "UTC", "zone": "x"})),
    {"name": "no-configurations", "executionOrder": 1, "eventSelectorCriteria": "class equals 'A'"},
]
OTHER_BODIES = [
    ("/blackout_policies/delete", schemas.IDS, [spec.BULK_DELETE_BODY], [{"ids": "x"}, {"ids": [1]}, {"id": []}]),
    (
        "/blackout_policies/search",
        schemas.SEARCH,
        [spec.SEARCH_BODY, {}, {"sortCriteria": {"order": "desc"}}],
        [{"recordsPerPage": "25"}, {"pageIndex": 0}, {"searchString1": "x"}, {"sortCriteria": {"attribute": "x"}}],
    ),
    (
        "/events",
        schemas.EVENTS,
        [[{"class": "EVENT", "location": "Lisbon"}], [{"msg": "x", "repeat_count": 3, "slots": {"a": "b"}}]],
        [[], [{"severity": "LOUD"}], [{"repeat_count": -1}], [{"slots": "x"}], {"class": "EVENT"}],
    ),
]


def _valid(schema, body) -> bool:
    return not list(Draft7Validator(schema).iter_errors(body))


# The spellings the published enums leave out (one spelling per value, issue 23), as the published one.
OTHER_SPELLINGS = {"True": "true", "False": "false", "asc": "ASC", "desc": "DESC"}


def _published_spelling(body):
    """``body`` with each enum value in the spelling the document publishes (the validator accepts both)."""
    if isinstance(body, dict):
        return {key: _published_spelling(value) for key, value in body.items()}
    if isinstance(body, list):
        return [_published_spelling(value) for value in body]
    return OTHER_SPELLINGS.get(body, body) if isinstance(body, str) else body


@pytest.mark.parametrize("method", ["post", "put"])
def test_published_policy_schema_and_validator_agree(published, method):
    path = BASE if method == "post" else BASE + "/{policy_id}"
    documented = published[(path, method)]
    for body in VALID_POLICIES:
        assert _valid(schemas.POLICY, body), body["name"]
        assert _valid(documented, _published_spelling(body)), body["name"]
    for body in INVALID_POLICIES:
        assert not _valid(schemas.POLICY, body), body
        assert not _valid(documented, body), body


@pytest.mark.parametrize(
    ("path", "schema", "valid", "invalid"), OTHER_BODIES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_published_schemas_of_the_other_operations_agree(published, path, schema, valid, invalid):
    documented = published[("/events-service/api/v1.0" + path, "post")]
    for body in valid:
        assert _valid(schema, body) and _valid(documented, _published_spelling(body)), body
    for body in invalid:
        assert not _valid(schema, body) and not _valid(documented, body), body


def test_published_event_schema_is_never_stricter_than_the_validator(published):
    """OpenAPI 3.0 has no propertyNames: the documented event accepts a name the validator refuses (so the
    ingest operation keeps negative_data_rejection, not positive_data_acceptance); never the reverse."""
    documented = published[("/events-service/api/v1.0/events", "post")]
    body = [{"class": "EVENT", "bad name!": "x"}]
    assert _valid(documented, body) and not _valid(schemas.EVENTS, body)


# --- The admin form: each error once, on its field ---------------------------------------------------------------
@pytest.fixture
def admin_client_logged(client, superuser):
    client.force_login(superuser)
    return client


GOOD_TIMEFRAME = {
    "startDate": "01012030",
    "startTime": "10:00",
    "endTime": "11:00",
    "endsOn": {"never": True},
    "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
    "timeZone": {"id": "UTC"},
}


def _post_add(client, **changes):
    data = {
        "name": "form-policy",
        "description": "",
        "execution_order": 1,
        "selector_criteria": "class equals 'A'",
        "timeframe": json.dumps(GOOD_TIMEFRAME),
        **changes,
    }
    response = client.post(reverse("admin:blackouts_blackoutpolicy_add"), data)
    assert response.status_code == 200, "the form was expected to be refused"
    return response.context["adminform"].form.errors


@pytest.mark.django_db
def test_bad_criteria_is_one_error_on_its_field_and_none_elsewhere(admin_client_logged):
    errors = _post_add(admin_client_logged, selector_criteria="class equals")
    assert list(errors) == ["selector_criteria"]
    (message,) = errors["selector_criteria"]
    assert "position 13" in message and "empty" not in message
    assert not BlackoutPolicy.objects.exists()


@pytest.mark.django_db
def test_a_timeframe_object_is_never_told_it_is_not_an_object(admin_client_logged):
    bad = dict(GOOD_TIMEFRAME, recurrencePattern={"recurrence": "monthly", "details": {"dates": "32"}})
    errors = _post_add(admin_client_logged, timeframe=json.dumps(bad))
    assert list(errors) == ["timeframe"]
    (message,) = errors["timeframe"]
    assert "/recurrencePattern/details/dates" in message
    assert "must be an object" not in str(errors)


@pytest.mark.django_db
def test_unreadable_json_is_only_the_json_error(admin_client_logged):
    errors = _post_add(admin_client_logged, timeframe="{not json")
    assert list(errors) == ["timeframe"]
    assert len(errors["timeframe"]) == 1 and "must be an object" not in str(errors)


@pytest.mark.django_db
def test_admin_and_api_refuse_the_same_timeframe_shape(admin_client_logged, bmc_client):
    """The admin judges timeframeDetails with the schema the API validates (an unknown property, here)."""
    bad = dict(GOOD_TIMEFRAME, colour="blue")
    errors = _post_add(admin_client_logged, timeframe=json.dumps(bad))
    assert "colour" in str(errors["timeframe"])
    body = copy.deepcopy(spec.CREATE_DAILY)
    _timeframe(body)["colour"] = "blue"
    response = bmc_client.post(BASE, data=body, format="json")
    assert response.status_code == 400 and "colour" in response.json()[0]["message"]
