"""The BMC blackout-policy API: every endpoint inherits the family contract, then the spec's own cases."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from blackouts import spec_examples as spec
from blackouts.models import BlackoutPolicy, Event
from tests.contract import BMCContract
from tests.factories.blackouts import BlackoutPolicyFactory, timeframe

BASE = "/events-service/api/v1.0/blackout_policies"
SPEC_IDS = spec.BULK_DELETE_BODY["ids"]
ENABLE_IDS = spec.ENABLE_BODY["ids"]


def create(client, body):
    return client.post(BASE, data=body, format="json")


def active_timeframe(**changes) -> dict:
    """A oneTime window open from an hour ago to an hour from now (UTC)."""
    now = timezone.now()
    start, end = now - timedelta(hours=1), now + timedelta(hours=1)
    return {
        "startDate": start.strftime("%d%m%Y"),
        "startTime": start.strftime("%H:%M"),
        "endTime": end.strftime("%H:%M"),
        "endsOn": {"endDate": end.strftime("%d%m%Y")},
        "recurrencePattern": {"recurrence": "oneTime"},
        "timeZone": {"id": "UTC", "offset": "+00:00"},
        **changes,
    }


class TestCreate(BMCContract):
    path = BASE
    valid_body = spec.CREATE_ONE_TIME
    invalid_body = spec.body(spec.CREATE_ONE_TIME, executionOrder="high")
    invalid_field = "/executionOrder"

    @pytest.mark.parametrize("body", spec.CREATE_BODIES, ids=lambda b: b["name"])
    def test_every_spec_example_is_accepted(self, bmc_client, body):
        response = create(bmc_client, body)
        assert response.status_code == 200, response.content
        (resource_id,) = response.json()["resourceId"]
        policy = BlackoutPolicy.objects.get(pk=resource_id)
        assert policy.name == body["name"]
        assert policy.blackout_existing_events is True  # "true" as a string
        assert policy.reset_status_on_blackout_end is False
        assert policy.owner == "oms"

    def test_name_is_unique(self, bmc_client):
        assert create(bmc_client, spec.CREATE_DAILY).status_code == 200
        response = create(bmc_client, spec.CREATE_DAILY)
        assert response.status_code == 409
        assert response.json()["statusCode"] == "POLICY_ALREADY_EXIST"

    def test_invalid_selector_names_position_and_token(self, bmc_client):
        body = spec.body(spec.CREATE_DAILY, eventSelectorCriteria="( class equals 'EVENT' ) AND AND msg")
        response = create(bmc_client, body)
        assert response.status_code == 400
        (item,) = response.json()
        assert item["key"] == "400"
        assert "position 30" in item["message"] and "'AND'" in item["message"]

    def test_impossible_timeframe_is_a_400_naming_the_path(self, bmc_client):
        body = spec.body(spec.CREATE_MONTHLY)
        body["configurations"]["definition"]["timeframeDetails"]["recurrencePattern"]["details"]["dates"] = "0-32"
        response = create(bmc_client, body)
        assert response.status_code == 400
        assert (
            "/configurations/definition/timeframeDetails/recurrencePattern/details/dates"
            in response.json()[0]["message"]
        )

    def test_unknown_property_is_refused_like_the_spec(self, bmc_client):
        body = spec.body(spec.CREATE_DAILY, id="x")
        response = create(bmc_client, body)
        assert response.status_code == 400
        assert response.json()[0] == {
            "key": "validation.schema.additionalProperties",
            "level": "ERROR",
            "message": 'Object instance has properties which are not allowed by the schema: ["id"]',
            "additionalInfo": [],
        }

    def test_execution_order_range(self, bmc_client):
        response = create(bmc_client, spec.body(spec.CREATE_DAILY, executionOrder=10000))
        assert response.status_code == 400
        assert response.json()[0]["key"] == "validation.schema.maximum"


@pytest.fixture
def spec_policy(db):
    """The spec's testpolicy3, created through the service as a client would."""
    from blackouts.api.serializers import policy_fields
    from blackouts.services import policy_create

    return policy_create(fields=policy_fields(spec.UPDATE_BODY), owner="admin")


class TestGet(BMCContract):
    method = "get"
    valid_body = None

    @pytest.fixture
    def contract_data(self, spec_policy):
        return spec_policy

    def get_path(self, contract_data):
        return f"{BASE}/{contract_data.pk}"

    def test_found_has_every_field_of_the_spec(self, bmc_client, spec_policy):
        body = bmc_client.get(f"{BASE}/{spec_policy.pk}").json()
        assert body["statusCode"] == "200"
        assert body["statusMsg"] == "[Policy found!]"
        policy = body["blackoutPolicy"]
        assert set(policy) >= {
            "name", "description", "executionOrder", "selector", "eventSelectorCriteria", "timeframes", "owner",
            "enabled", "readOnly", "creationTime", "modificationTime", "configurations",
        }  # fmt: skip
        assert policy["eventSelectorCriteria"] == spec.UPDATE_BODY["eventSelectorCriteria"]
        config = policy["configurations"]
        assert config["policyId"] == str(spec_policy.pk)
        assert set(config) >= {"tenantId", "policyId", "id", "configOrder", "definition", "timeframeStatus"}
        assert config["definition"] == spec.UPDATE_BODY["configurations"]["definition"]
        assert config["timeframeStatus"] == "EXPIRED,LastRun:1611576960000,NextRun:"
        assert config["timeframeStatusDetails"]["state"] == "EXPIRED"
        assert isinstance(policy["creationTime"], int) and policy["creationTime"] > 1_600_000_000_000

    def test_bad_uuid_answers_400_in_the_same_shape(self, bmc_client):
        response = bmc_client.get(f"{BASE}/not-a-uuid-at-all-and-far-too-long")
        assert response.status_code == 400
        body = response.json()
        assert body["statusCode"] == "400" and body["blackoutPolicy"] is None
        assert isinstance(body["responseTimeStamp"], int)

    def test_unknown_id_answers_404_in_the_same_shape(self, bmc_client):
        response = bmc_client.get(f"{BASE}/{uuid.uuid4()}")
        assert response.status_code == 404
        body = response.json()
        assert body.pop("requestId") == response["X-Request-ID"]  # ours, beside the spec's fields (operations.md)
        assert body | {"responseTimeStamp": 0} == {
            "responseTimeStamp": 0,
            "statusCode": "404",
            "statusMsg": "[No policy found matching input request!]",
            "blackoutPolicy": None,
        }


class TestUpdate(BMCContract):
    method = "put"
    valid_body = spec.UPDATE_BODY
    invalid_body = spec.body(spec.UPDATE_BODY, enabled="yes")
    invalid_field = "/enabled"

    @pytest.fixture
    def contract_data(self, spec_policy):
        return spec_policy

    def get_path(self, contract_data):
        return f"{BASE}/{contract_data.pk}"

    def test_update_changes_the_policy(self, bmc_client, spec_policy):
        body = spec.body(spec.UPDATE_BODY, description="changed", executionOrder=5)
        response = bmc_client.put(f"{BASE}/{spec_policy.pk}", data=body, format="json")
        assert response.json() == {"resourceId": [str(spec_policy.pk)]}
        spec_policy.refresh_from_db()
        assert (spec_policy.description, spec_policy.execution_order) == ("changed", 5)

    def test_name_must_not_change(self, bmc_client, spec_policy):
        response = bmc_client.put(f"{BASE}/{spec_policy.pk}", data=spec.body(spec.UPDATE_BODY, name="x"), format="json")
        assert response.status_code == 400
        assert "name" in response.json()[0]["message"]

    def test_active_policy_cannot_be_updated(self, bmc_client):
        policy = BlackoutPolicyFactory(name="active", enabled=True, timeframe=active_timeframe())
        body = spec.body(spec.UPDATE_BODY, name="active")
        response = bmc_client.put(f"{BASE}/{policy.pk}", data=body, format="json")
        assert response.status_code == 409
        body = response.json()
        assert body["statusCode"] == "BLACKOUT_POLICY_ACTIVE"
        assert body["statusMsg"] == "[Failed to update, policy is in active state]"

    def test_unknown_policy(self, bmc_client):
        response = bmc_client.put(f"{BASE}/{uuid.uuid4()}", data=spec.UPDATE_BODY, format="json")
        assert response.status_code == 404
        assert response.json()["statusCode"] == "POLICY_NOT_EXIST"

    def test_a_get_answer_can_be_sent_back(self, bmc_client, spec_policy):
        policy = bmc_client.get(f"{BASE}/{spec_policy.pk}").json()["blackoutPolicy"]
        response = bmc_client.put(f"{BASE}/{spec_policy.pk}", data=policy, format="json")
        assert response.status_code == 200, response.content


class TestDeleteOne(BMCContract):
    method = "delete"
    valid_body = None

    @pytest.fixture
    def contract_data(self, spec_policy):
        return spec_policy

    def get_path(self, contract_data):
        return f"{BASE}/{contract_data.pk}"

    def test_deletes(self, bmc_client, spec_policy):
        response = bmc_client.delete(f"{BASE}/{spec_policy.pk}")
        assert response.json() == {"resourceId": [str(spec_policy.pk)]}
        assert not BlackoutPolicy.objects.exists()

    def test_unknown_is_policy_not_exist(self, bmc_client):
        response = bmc_client.delete(f"{BASE}/{uuid.uuid4()}")
        assert response.status_code == 404
        body = response.json()
        assert body["statusCode"] == "POLICY_NOT_EXIST"
        assert body["statusMsg"] == "[Failed to delete policy, entry doesn't exist in database]"

    def test_bad_uuid_is_400(self, bmc_client):
        response = bmc_client.delete(f"{BASE}/11")
        assert response.status_code == 400
        assert response.json()["statusCode"] == "400"


class TestBulkDelete(BMCContract):
    path = f"{BASE}/delete"
    valid_body = spec.BULK_DELETE_BODY
    invalid_body = {"ids": SPEC_IDS, "id": "x"}
    invalid_field = "not allowed by the schema"

    @pytest.fixture
    def contract_data(self, db):
        return [BlackoutPolicyFactory(id=uuid.UUID(i)) for i in SPEC_IDS]

    def test_all_deleted_is_ok(self, bmc_client, contract_data):
        body = bmc_client.post(self.path, data=spec.BULK_DELETE_BODY, format="json").json()
        assert (body["statusCode"], body["statusMsg"], body["resourceId"]) == ("OK", "[Deleted policies.]", SPEC_IDS)
        assert not BlackoutPolicy.objects.exists()

    def test_partial_success(self, bmc_client, contract_data):
        BlackoutPolicy.objects.all().delete()
        BlackoutPolicyFactory(id=uuid.UUID("fed979e8-cef8-11ed-8cc0-4f60774c0857"))
        response = bmc_client.post(
            self.path, data={"ids": ["fed979e8-cef8-11ed-8cc0-4f60774c0857", *SPEC_IDS]}, format="json"
        )
        body = response.json()
        assert response.status_code == 200
        assert body["statusCode"] == "PARTIAL_SUCCESS"
        assert body["resourceId"] == ["fed979e8-cef8-11ed-8cc0-4f60774c0857"]
        assert body["failedResource"] == SPEC_IDS

    def test_none_exists(self, bmc_client, contract_data):
        BlackoutPolicy.objects.all().delete()
        response = bmc_client.post(self.path, data={"ids": [*SPEC_IDS, "11"]}, format="json")
        assert response.status_code == 404
        body = response.json()
        assert body["statusCode"] == "POLICY_NOT_EXIST"
        assert body["statusMsg"] == "[Failed to delete policy, entry doesn't exist in database]"

    def test_spec_scenario_3_unknown_property(self, bmc_client, db):
        response = bmc_client.post(self.path, data={"ids": SPEC_IDS, "id": "x"}, format="json")
        assert response.json() == [
            {
                "key": "validation.schema.additionalProperties",
                "level": "ERROR",
                "message": 'Object instance has properties which are not allowed by the schema: ["id"]',
                "additionalInfo": [],
            }
        ]


class TestSearch(BMCContract):
    path = f"{BASE}/search"
    valid_body = spec.SEARCH_BODY
    invalid_body = {**spec.SEARCH_BODY, "recordsPerPage": "25"}
    invalid_field = "/recordsPerPage"

    @pytest.fixture
    def wire_user(self, analyst_user):
        return analyst_user  # a read: the analyst role may search

    def test_spec_example_finds_matching_policies(self, bmc_client, spec_policy, django_assert_max_num_queries):
        BlackoutPolicyFactory(name="other", description="nothing")
        for n in range(5):
            BlackoutPolicyFactory(name=f"test-{n}")
        with django_assert_max_num_queries(5):  # auth 3, count, page
            response = bmc_client.post(self.path, data=spec.SEARCH_BODY, format="json")
        body = response.json()
        assert (body["statusCode"], body["statusMsg"], body["totalRecords"]) == ("200", "OK", 6)
        assert isinstance(body["responseTimeStamp"], int)
        names = [p["name"] for p in body["policies"]]
        assert "other" not in names and "testpolicy3" in names
        times = [p["modificationTime"] for p in body["policies"]]
        assert times == sorted(times)

    def test_paging_and_sorting(self, bmc_client, db):
        for n in range(7):
            BlackoutPolicyFactory(name=f"p{n}", execution_order=n)
        body = {"pageIndex": 2, "recordsPerPage": 3, "sortCriteria": {"attribute": "executionOrder", "order": "DESC"}}
        found = bmc_client.post(self.path, data=body, format="json").json()
        assert found["totalRecords"] == 7
        assert [p["executionOrder"] for p in found["policies"]] == [3, 2, 1]

    def test_the_total_is_counted_once_per_text_and_follows_every_policy_write(self, bmc_client, db):
        """One policy per page, so the page never says the total: it is counted, then kept for the text until a
        policy write (create, update, delete) replaces the policy set's token."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from blackouts import services

        for n in range(3):
            BlackoutPolicyFactory(name=f"night-{n}", description="backup")

        def total(text="backup"):
            body = {"searchString": text, "pageIndex": 1, "recordsPerPage": 1}
            with CaptureQueriesContext(connection) as captured:
                found = bmc_client.post(self.path, data=body, format="json").json()["totalRecords"]
            return found, sum("COUNT(" in q["sql"].upper() for q in captured.captured_queries)

        assert total() == (3, 1)
        assert total() == (3, 0)  # kept
        assert total("night") == (3, 1)  # another text, counted
        fields = {
            "name": "day",
            "description": "backup",
            "execution_order": 5,
            "selector_criteria": "class equals 'X'",
            "timeframe": timeframe(),
        }
        created = services.policy_create(fields=fields)
        assert total() == (4, 1)
        fields = {"name": "day", "description": "restore"}
        services.policy_update(policy_id=created.pk, fields=fields)
        assert total() == (3, 1)
        services.policy_delete(policy_id=BlackoutPolicy.objects.get(name="night-0").pk)
        assert total() == (2, 1)
        assert total("night") == (2, 1)

    def test_spec_wrong_type_message(self, bmc_client, db):
        response = bmc_client.post(self.path, data=self.invalid_body, format="json")
        assert response.json() == [
            {
                "key": "validation.schema.type",
                "level": "ERROR",
                "message": "[Path '/recordsPerPage'] Instance type (string) does not match any allowed primitive type "
                '(allowed: ["integer"])',
                "additionalInfo": [],
            }
        ]

    def test_spec_unknown_property_message(self, bmc_client, db):
        response = bmc_client.post(self.path, data={"searchString1": "x"}, format="json")
        assert response.json()[0]["message"] == (
            'Object instance has properties which are not allowed by the schema: ["searchString1"]'
        )

    @pytest.mark.parametrize("field", ["pageIndex", "recordsPerPage"])
    def test_page_numbers_start_at_one(self, bmc_client, db, field):
        response = bmc_client.post(self.path, data={field: 0}, format="json")
        assert response.status_code == 400
        assert response.json()[0]["key"] == "validation.schema.minimum"


class _EnableContract(BMCContract):
    valid_body = spec.ENABLE_BODY
    invalid_body = {"ids": "d6d8863c-3df8-11eb-9812-a972fa20cf57"}
    invalid_field = "/ids"
    message = ""
    start_enabled = False

    @pytest.fixture
    def contract_data(self, db):
        return [BlackoutPolicyFactory(id=uuid.UUID(i), enabled=self.start_enabled) for i in ENABLE_IDS]

    def test_spec_example(self, bmc_client, contract_data):
        response = bmc_client.post(self.path, data=spec.ENABLE_BODY, format="json")
        assert response.json() == {"message": self.message, "object": ENABLE_IDS}
        assert {p.enabled for p in BlackoutPolicy.objects.all()} == {not self.start_enabled}

    @pytest.mark.parametrize("body", [{"ids": []}, {"ids": None}])
    def test_no_id(self, bmc_client, db, body):
        response = bmc_client.post(self.path, data=body, format="json")
        assert response.status_code == 400
        assert response.json() == [
            {
                "key": "400",
                "level": "ERROR",
                "message": "Bad Request : Property is null or empty : resources",
                "additionalInfo": [],
            }
        ]

    @pytest.mark.parametrize("bad", ["11", "7c5a83b0-cee6-11ed-a01b-5f2f15df7a90"])
    def test_invalid_id(self, bmc_client, contract_data, bad):
        response = bmc_client.post(self.path, data={"ids": [ENABLE_IDS[0], bad]}, format="json")
        assert response.status_code == 400
        assert response.json()[0]["message"] == f"Bad Request : Invalid resource id specified: {bad}"
        assert {p.enabled for p in BlackoutPolicy.objects.all()} == {self.start_enabled}  # nothing changed


class TestEnable(_EnableContract):
    path = f"{BASE}/enable"
    message = "Enabled event policies"


class TestDisable(_EnableContract):
    path = f"{BASE}/disable"
    message = "Disabled event policies"
    start_enabled = True


class TestEventIngest(BMCContract):
    path = "/events-service/api/v1.0/events"
    valid_body = [
        {"class": "EVENT", "msg": "Test Message", "severity": "MAJOR", "_identifier": "123", "location": "Lisbon"}
    ]
    invalid_body = [{"class": "EVENT", "severity": "LOUD"}]
    invalid_field = "/0/severity"

    def test_matching_event_in_an_active_window_is_blacked_out(self, bmc_client):
        BlackoutPolicyFactory(
            name="late",
            enabled=True,
            execution_order=50,
            timeframe=active_timeframe(),
            selector_criteria="class equals 'EVENT'",
        )
        first = BlackoutPolicyFactory(
            name="early",
            enabled=True,
            execution_order=10,
            timeframe=active_timeframe(),
            selector_criteria="( class equals 'EVENT' ) AND _identifier within '123'",
        )
        BlackoutPolicyFactory(name="off", enabled=False, execution_order=1, timeframe=active_timeframe())
        events = [
            {"class": "EVENT", "_identifier": "123", "msg": "a", "status": "ACK"},
            {"class": "EVENT", "_identifier": "456", "msg": "b"},
            {"class": "OTHER", "_identifier": "123", "msg": "c"},
        ]
        response = bmc_client.post(self.path, data=events, format="json")
        assert response.status_code == 200, response.content
        stored = {e.msg: e for e in Event.objects.all()}
        assert (stored["a"].status, stored["a"].previous_status, stored["a"].blackout_policy) == (
            "BLACKOUT",
            "ACK",
            first,
        )
        assert stored["b"].status == "BLACKOUT" and stored["b"].blackout_policy.name == "late"
        assert stored["c"].status == "OPEN" and stored["c"].blackout_policy is None
        body = response.json()
        assert [e["status"] for e in body["events"]] == ["BLACKOUT", "BLACKOUT", "OPEN"]

    def test_free_slots_are_kept(self, bmc_client):
        bmc_client.post(self.path, data=self.valid_body, format="json")
        assert Event.objects.get().slots == {"location": "Lisbon"}

    def test_no_window_no_blackout(self, bmc_client):
        BlackoutPolicyFactory(enabled=True, timeframe=timeframe(startDate="01012100"))
        bmc_client.post(self.path, data=self.valid_body, format="json")
        assert Event.objects.get().status == "OPEN"


def test_unknown_path_under_the_prefix_is_the_family_404(bmc_client):
    response = bmc_client.get("/events-service/api/v1.0/blackout_policies_nope")
    assert response.status_code == 404
