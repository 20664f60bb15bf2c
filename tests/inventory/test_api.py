"""The UIM bundle-service API: the family contract, the spec's own examples, and each endpoint's rules."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from inventory.api.render import SERVICE_ATTRIBUTES
from inventory.models import (
    BusinessInteraction,
    InteractionState,
    InteractionTransition,
    ReferenceState,
    Service,
    ServiceCharacteristic,
    ServicePartyRef,
    SupportingService,
)
from tests.contract import UIMContract
from tests.factories.inventory import bundle_items

from .conftest import BASE, example

BUNDLE = f"{BASE}/v3/bundle"


def post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def create(client, body=None, query=""):
    response = post(client, f"{BUNDLE}{query}", body if body is not None else example("create-request"))
    assert response.status_code == 201, response.content
    return response.json()


def update_from_example(created: dict) -> dict:
    """The spec's update example with the ids the create returned (its two items both say 825007)."""
    body = example("update-request")
    body["id"] = int(created["id"])  # the spec sends the bundle id as a number
    for item, made in zip(body["items"], created["items"], strict=True):
        item["id"] = made["id"]
    return body


# --- the family contract on every endpoint ----------------------------------------------------------------


class TestBundleCreateContract(UIMContract):
    path = BUNDLE
    valid_body = example("create-request")
    invalid_body = {"items": [{"name": "x", "state": "designed"}]}
    invalid_field = "items[0].serviceSpecification"

    @pytest.fixture
    def contract_data(self, demo):
        return demo


class TestBundleReadContract(UIMContract):
    method = "get"
    success_status = 200

    @pytest.fixture
    def contract_data(self, demo):
        return BusinessInteraction.objects.get(parent__isnull=True).pk

    def get_path(self, contract_data):
        return f"{BUNDLE}/{contract_data}"


class TestBundleTaskContract(UIMContract):
    method = "post"
    success_status = 200

    @pytest.fixture
    def contract_data(self, demo):
        return BusinessInteraction.objects.get(parent__isnull=True).pk

    def get_path(self, contract_data):
        return f"{BUNDLE}/{contract_data}/APPROVE"

    has_body = False  # the task endpoint reads no body


class TestServiceListContract(UIMContract):
    method = "get"
    success_status = 200
    path = f"{BASE}/v3/service"

    @pytest.fixture
    def contract_data(self, demo):
        return demo


class TestServiceReadContract(UIMContract):
    method = "get"
    success_status = 200
    path = f"{BASE}/v3/service/450005"

    @pytest.fixture
    def contract_data(self, demo):
        return demo


# --- create -------------------------------------------------------------------------------------------


@pytest.fixture
def client(demo, integration_client):
    return integration_client


def test_spec_create_example_gives_the_spec_response(client):
    spec_response = example("create-response")
    body = create(client)
    assert body["state"] == spec_response["state"] == "CREATED"
    assert body["href"].endswith(f"/InventoryRSOpenAPI/serviceInventoryManagement/v3/bundle/{body['id']}")
    assert len(body["items"]) == 2
    request_items = example("create-request")["items"]
    for item, expected, sent in zip(body["items"], spec_response["items"], request_items, strict=True):
        assert item["businessInteraction"]["state"] == "IN_PROGRESS"
        assert item["businessInteraction"]["id"] != body["id"]
        for key in ("category", "hasStarted", "isServiceEnabled", "name", "serviceType", "state"):
            assert item[key] == expected[key], key
        spec = {k: v for k, v in item["serviceSpecification"].items() if k != "href"}
        assert spec == {k: v for k, v in expected["serviceSpecification"].items() if k != "href"}
        assert item["serviceSpecification"]["href"].endswith("/specification/Broadband_Internet_Access_CFS")
        parties = [
            {k: p.get(k) for k in ("id", "name", "role", "referenceType", "consumerName")} for p in item["relatedParty"]
        ]
        assert parties == [
            {k: p.get(k) for k in ("id", "name", "role", "referenceType", "consumerName")}
            for p in expected["relatedParty"]
        ]
        assert {p["referenceState"] for p in item["relatedParty"]} == {"PENDING_REFERENCE"}
        # The characteristics come back as sent (the spec's response has a typo in one serviceName).
        assert item["serviceCharacteristic"] == sent["serviceCharacteristic"]
        assert [r["service"]["id"] for r in item["serviceRelationship"]] == ["450005"]
        assert item["serviceRelationship"][0]["relationshipType"] == "relies-on"
        assert [r["id"] for r in item["supportingResource"]] == [r["id"] for r in sent["supportingResource"]]
        assert [s["name"] for s in item["supportingService"]] == ["DOCSISRFS"]
        for key in ("serviceDate", "startDate", "effectiveDate"):
            assert item[key].endswith("Z") and len(item[key]) == 24


def test_create_makes_one_rfs_per_item_holding_its_characteristics_and_references(client):
    body = create(client)
    for item in body["items"]:
        cfs = Service.objects.get(pk=item["id"])
        (link,) = SupportingService.objects.filter(service=cfs)
        rfs = link.supporting
        assert (rfs.name, rfs.category, rfs.specification_id) == ("DOCSISRFS", "RFS", "DOCS_RFS")
        assert rfs.business_interaction_id == cfs.business_interaction_id
        assert list(rfs.characteristics.values_list("name", flat=True)) == [
            "Config_Profile_ID",
            "CPE_Enabled",
            "MaxUpstream",
            "MaxDownstream",
        ]
        assert list(cfs.characteristics.values_list("name", flat=True)) == ["serviceRelType1", "serviceRel1"]
        assert set(rfs.resource_refs.values_list("resource_id", flat=True)) == {
            r["id"] for r in item["supportingResource"]
        }
        assert list(rfs.party_refs.values_list("party_id", flat=True)) == ["225003"]
        assert list(cfs.party_refs.values_list("party_id", flat=True)) == ["225002"]


@pytest.mark.parametrize("version", ["v1", "v2", "v3"])
def test_hrefs_echo_the_version_used(client, version):
    response = post(client, f"{BASE}/{version}/bundle", example("create-request"))
    assert response.status_code == 201
    body = response.json()
    assert f"/serviceInventoryManagement/{version}/bundle/" in body["href"]
    assert f"/serviceInventoryManagement/{version}/service/" in body["items"][0]["href"]


def test_unknown_version_is_404_in_the_envelope(client):
    response = post(client, f"{BASE}/v4/bundle", example("create-request"))
    assert response.status_code == 404
    assert response.json()["status"] == "404-1"


@pytest.mark.parametrize("field", ["name", "serviceSpecification", "state"])
def test_create_item_missing_a_mandatory_field_is_400_naming_item_and_field(client, field):
    body = example("create-request")
    del body["items"][1][field]
    response = post(client, BUNDLE, body)
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == "400-2"
    assert any(f"items[1].{field}" in message for message in error["message"]), error
    assert not BusinessInteraction.objects.filter(parent__isnull=True).exclude(description__startswith="Demo").exists()


@pytest.mark.parametrize(
    ("mutate", "entity_type", "entity_id"),
    [
        (lambda b: b["items"][0]["serviceSpecification"].update(id="No_Such_CFS"), "Service", "No_Such_CFS"),
        (lambda b: b["items"][0]["relatedParty"][0].update(id="999999"), "Party", "999999"),
        (lambda b: b["items"][1]["supportingResource"][1].update(id="1-99999"), "LogicalDevice", "1-99999"),
        (lambda b: b["items"][0]["serviceRelationship"][0]["service"].update(id="424242"), "Service", "424242"),
        (lambda b: b["items"][0]["serviceCharacteristic"][3].update(serviceSpecName="NO_RFS"), "Service", "NO_RFS"),
        (
            lambda b: b["items"][0].update(place=[{"id": "777", "@referredType": "GeographicSite"}]),
            "GeographicSite",
            "777",
        ),
    ],
    ids=["specification", "party", "resource", "related-service", "rfs-specification", "place"],
)
def test_unknown_reference_is_404_naming_entity_type_and_id(client, mutate, entity_type, entity_id):
    body = example("create-request")
    mutate(body)
    before = Service.objects.count()
    response = post(client, BUNDLE, body)
    assert response.status_code == 404, response.content
    error = response.json()
    assert error["status"] == "404-1"
    assert error["code"] == "ENTITY_NOT_FOUND"
    assert error["entityType"] == entity_type
    assert entity_id in error["message"][0]
    assert Service.objects.count() == before


def test_place_reference_is_resolved(client):
    body = example("create-request")
    body["items"][0]["place"] = [{"id": "310001", "role": "ServiceAddress", "consumerName": "BroadbandCFS1"}]
    item = create(client, body)["items"][0]
    (place,) = item["place"]
    assert place["name"].startswith("500 Oracle Parkway")
    assert place["role"] == "ServiceAddress"
    assert place["referenceState"] == "PENDING_REFERENCE"


def test_rfs_characteristic_without_spec_name_is_400(client):
    body = example("create-request")
    for char in body["items"][0]["serviceCharacteristic"]:
        char.pop("serviceSpecName")
    response = post(client, BUNDLE, body)
    assert response.status_code == 400
    assert "items[0].serviceCharacteristic[2].serviceSpecName" in response.json()["message"][0]


def test_too_long_name_is_400_not_500(client):
    body = example("create-request")
    body["items"][0]["name"] = "x" * 300
    response = post(client, BUNDLE, body)
    assert response.status_code == 400
    assert "items[0].name" in response.json()["message"][0]


def test_null_character_in_a_value_is_400(client):
    body = example("create-request")
    body["items"][0]["serviceCharacteristic"][0]["value"] = "a\x00b"
    assert post(client, BUNDLE, body).status_code == 400


def test_null_value_of_a_characteristic_is_400(client):
    # The spec: value (required); a null would be stored as no value and leave the response without one.
    body = example("create-request")
    body["items"][0]["serviceCharacteristic"][0]["value"] = None
    services = Service.objects.count()
    response = post(client, BUNDLE, body)
    assert response.status_code == 400
    assert "items[0].serviceCharacteristic[0].value" in response.json()["message"][0]
    assert Service.objects.count() == services


@pytest.mark.parametrize("value", ["", [], {}, 0, False])
def test_empty_or_falsy_characteristic_value_is_rendered(client, value):
    body = example("create-request")
    body["items"][0]["serviceCharacteristic"][0]["value"] = value
    created = create(client, body)
    for rendered in (created, client.get(f"{BUNDLE}/{created['id']}").json()):
        name = body["items"][0]["serviceCharacteristic"][0]["name"]
        (char,) = [c for c in rendered["items"][0]["serviceCharacteristic"] if c["name"] == name]
        assert char["value"] == value


# --- update -------------------------------------------------------------------------------------------


def test_spec_update_example_updates_the_bundle_create_made(client):
    created = create(client)
    response = post(client, BUNDLE, update_from_example(created))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"] == created["id"]
    first, second = body["items"]
    assert (first["id"], second["id"]) == (created["items"][0]["id"], created["items"][1]["id"])
    assert (first["name"], second["name"]) == ("BroadbandCFS1Updated", "BroadbandCFS2Updated")
    assert [(p["id"], p["consumerName"]) for p in first["relatedParty"]] == [
        ("225003", "BroadbandCFS1Updated"),
        ("225004", "DOCSISRFS"),
    ]
    assert [r["id"] for r in first["supportingResource"]] == ["1-2", "1-75002"]
    assert [r["id"] for r in second["supportingResource"]] == ["1-3", "1-75003"]
    upstream = {c["name"]: c["value"] for c in first["serviceCharacteristic"]}
    assert (upstream["MaxUpstream"], upstream["MaxDownstream"]) == ("30 Mbps", "160 Mbps")
    assert [c["serviceName"] for c in first["serviceCharacteristic"][:2]] == ["BroadbandCFS1Updated"] * 2
    # The same supporting service was updated, not a second one created.
    assert [s["id"] for s in first["supportingService"]] == [s["id"] for s in created["items"][0]["supportingService"]]
    assert SupportingService.objects.filter(service_id=first["id"]).count() == 1
    assert ServiceCharacteristic.objects.filter(service_id=first["supportingService"][0]["id"]).count() == 4
    assert (
        ServicePartyRef.objects.filter(service_id__in=[first["id"], first["supportingService"][0]["id"]]).count() == 2
    )
    # The relationship restated by the example is still there, once.
    assert [r["service"]["id"] for r in first["serviceRelationship"]] == ["450005"]


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("serviceSpecification", {"id": "Broadband_Internet_Access_CFS"}),
        ("category", "RFS"),
        ("serviceType", "Other"),
        ("hasStarted", True),
    ],
)
def test_update_item_with_an_attribute_outside_the_list_is_400(client, attribute, value):
    created = create(client)
    body = update_from_example(created)
    body["items"][1][attribute] = value
    response = post(client, BUNDLE, body)
    assert response.status_code == 400
    assert f"items[1].{attribute}" in " ".join(response.json()["message"])
    assert Service.objects.get(pk=created["items"][0]["id"]).name == "BroadbandCFS1"


def test_update_cannot_change_state_or_relationships(client):
    created = create(client)
    body = update_from_example(created)
    body["items"][0]["state"] = "active"
    response = post(client, BUNDLE, body)
    assert response.status_code == 400 and "items[0].state" in response.json()["message"][0]
    body = update_from_example(created)
    body["items"][0]["serviceRelationship"][0]["relationshipType"] = "enables"
    response = post(client, BUNDLE, body)
    assert response.status_code == 400 and "items[0].serviceRelationship" in response.json()["message"][0]


def test_update_of_unknown_bundle_or_item_is_404(client):
    created = create(client)
    body = update_from_example(created)
    body["id"] = 987654
    assert post(client, BUNDLE, body).json()["status"] == "404-1"
    body = update_from_example(created)
    body["items"][0]["id"] = "450005"  # a service, but not an item of this bundle
    response = post(client, BUNDLE, body)
    assert response.status_code == 404
    assert response.json()["entityType"] == "Service"


@pytest.mark.parametrize("empty", ["", "   ", "\t"])
def test_an_empty_bundle_id_is_400_and_creates_nothing(client, empty):
    """The spec creates without an id and updates with one; ``"id": ""`` is neither (issue 21: it created a bundle).
    An absent id or ``null`` creates; an empty one is refused in the UIM envelope, naming ``id``."""
    body = {**example("create-request"), "id": empty}
    before = BusinessInteraction.objects.count()
    response = post(client, BUNDLE, body)
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["status"].startswith("400")
    assert any(line.startswith("id:") and "empty" in line for line in error["message"]), error
    assert BusinessInteraction.objects.count() == before
    assert create(client, {**example("create-request"), "id": None})["id"]  # null: as absent, a create


def test_update_item_needs_an_id(client):
    created = create(client)
    body = update_from_example(created)
    del body["items"][0]["id"]
    response = post(client, BUNDLE, body)
    assert response.status_code == 400
    assert "items[0].id" in response.json()["message"][0]


def test_update_of_a_completed_bundle_is_400_naming_the_state(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = create(client, query="?designOnly=false")
    response = post(client, BUNDLE, update_from_example(created))
    assert response.status_code == 400
    assert response.json()["status"] == "400-3"
    assert "COMPLETED" in response.json()["message"][0]


# --- designOnly=false: activation -----------------------------------------------------------------------


def test_design_only_true_activates_nothing(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = create(client, query="?designOnly=true")
    assert callbacks == []
    assert BusinessInteraction.objects.get(pk=created["id"]).state == InteractionState.CREATED


def test_design_only_false_approves_issues_and_activates_after_commit(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = create(client, query="?designOnly=false")
    assert created["items"][0]["state"] == "designed"  # nothing ran before the commit
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the chain runs (eagerly in tests)
    body = client.get(f"{BUNDLE}/{created['id']}").json()
    assert body["state"] == "COMPLETED"
    for item in body["items"]:
        assert item["businessInteraction"]["state"] == "COMPLETED"
        assert (item["state"], item["hasStarted"], item["isServiceEnabled"]) == ("active", True, True)
        refs = item["relatedParty"] + item["supportingResource"]
        assert {r["referenceState"] for r in refs} == {"REFERENCED"}
    rfs_id = body["items"][0]["supportingService"][0]["id"]
    assert Service.objects.get(pk=rfs_id).state == "active"
    steps = InteractionTransition.objects.filter(interaction_id=created["id"]).values_list("task", "to_state")
    assert list(steps) == [
        ("CREATE", "CREATED"),
        ("APPROVE", "APPROVED"),
        ("ISSUE", "ISSUED"),
        ("ACTIVATE", "COMPLETED"),
    ]


# --- reads ------------------------------------------------------------------------------------------------


def test_get_bundle_and_unknown_bundle(client):
    created = create(client)
    body = client.get(f"{BASE}/v2/bundle/{created['id']}").json()
    assert [i["id"] for i in body["items"]] == [i["id"] for i in created["items"]]
    assert "/v2/" in body["href"]
    for missing in ("999999", "abc", "9" * 30):
        response = client.get(f"{BUNDLE}/{missing}")
        assert response.status_code == 404, missing
        assert response.json()["status"] == "404-1"


def test_get_service(client):
    created = create(client)
    rfs = created["items"][0]["supportingService"][0]
    body = client.get(f"{BASE}/v3/service/{rfs['id']}").json()
    assert (body["name"], body["category"]) == ("DOCSISRFS", "RFS")
    assert [c["name"] for c in body["serviceCharacteristic"]] == [
        "Config_Profile_ID",
        "CPE_Enabled",
        "MaxUpstream",
        "MaxDownstream",
    ]
    assert client.get(f"{BASE}/v3/service/123456789").json()["entityType"] == "Service"


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sets(st.sampled_from(SERVICE_ATTRIBUTES), min_size=1, max_size=6))
def test_fields_selects_first_level_attributes(demo_client_and_bundle, chosen):
    client, bundle_id = demo_client_and_bundle
    response = client.get(f"{BUNDLE}/{bundle_id}", {"fields": ",".join(sorted(chosen))})
    assert response.status_code == 200
    for item in response.json()["items"]:
        assert {"id", "href"} <= set(item) <= chosen | {"id", "href"}
        if "serviceCharacteristic" in chosen:
            assert item["serviceCharacteristic"]


@pytest.fixture
def demo_client_and_bundle(demo, integration_client):
    return integration_client, BusinessInteraction.objects.get(parent__isnull=True).pk


def test_bad_depth_is_400_and_unknown_field_or_expand_names_are_ignored(client):
    created = create(client)
    for query in ("depth=11", "depth=-1", "depth=x"):
        response = client.get(f"{BUNDLE}/{created['id']}?{query}")
        assert response.status_code == 400, query
        assert response.json()["status"] == "400-2"
    item = client.get(f"{BUNDLE}/{created['id']}?fields=nope,name&expand=relatedParty").json()["items"][0]
    assert set(item) == {"id", "href", "name"}


def test_a_query_parameter_given_twice_is_400(client):
    # Attack run (issue 21, rerun): `depth=true&depth=` was read as its last value (none: depth 0) and answered 200,
    # a schema-violating request accepted. A one-value UIM query parameter repeated is ambiguous; the lists
    # (fields, expand) are comma-separated or repeated alike (issue 23).
    created = create(client)
    service_id = client.get(f"{BUNDLE}/{created['id']}").json()["items"][0]["id"]
    for path in (f"{BUNDLE}/{created['id']}", f"{BASE}/v3/service/{service_id}", f"{BASE}/v3/service"):
        repeated = client.get(f"{path}?fields=name&fields=state&expand=relatedParty&expand=x")
        commas = client.get(f"{path}?fields=name,state&expand=relatedParty,x")
        assert repeated.status_code == commas.status_code == 200, repeated.content[:300]
        assert repeated.json() == commas.json()
        for query in ("depth=true&depth=", "depth=1&depth=1", "limit=1&limit=2"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, (path, query)
            body = response.json()
            assert body["status"] == "400-2" and "more than once" in json.dumps(body), body
    assert client.get(f"{BUNDLE}/{created['id']}?depth=1&fields=name").status_code == 200


def test_expand_embeds_services_and_depth_recurses(client):
    created = create(client)
    path = f"{BUNDLE}/{created['id']}"
    link = client.get(path).json()["items"][0]
    assert link["serviceRelationship"][0]["service"] == {
        "id": "450005",
        "href": link["serviceRelationship"][0]["service"]["href"],
        "@type": "Service",
        "@referredType": "Service",
    }
    assert set(link["supportingService"][0]) == {"id", "href", "name", "@type", "@referredType"}
    assert "expandResource" not in link["supportingResource"][0]

    expanded = client.get(path, {"expand": "serviceRelationship,supportingService"}).json()["items"][0]
    related = expanded["serviceRelationship"][0]["service"]
    assert related["name"] == "EmaiLCFS" and related["state"] == "active"
    rfs = expanded["supportingService"][0]
    assert rfs["category"] == "RFS" and rfs["serviceCharacteristic"][0]["name"] == "Config_Profile_ID"

    deep = client.get(path, {"depth": "2"}).json()["items"][0]
    assert deep["supportingResource"][0]["expandResource"]["@type"] == "LogicalDevice"
    assert deep["serviceRelationship"][0]["service"]["serviceSpecification"]["id"] == "Email_CFS"


def test_depth_stops_at_links_on_a_relationship_cycle(client):
    created = create(client)
    first, second = (item["id"] for item in created["items"])
    from inventory.models import ServiceRelationship

    ServiceRelationship.objects.create(service_id=second, related_id=first, relationship_type="peer")
    ServiceRelationship.objects.create(service_id=first, related_id=second, relationship_type="peer")
    item = client.get(f"{BUNDLE}/{created['id']}", {"depth": "2"}).json()["items"][0]
    level1 = next(r["service"] for r in item["serviceRelationship"] if r["relationshipType"] == "peer")
    level2 = next(r["service"] for r in level1["serviceRelationship"] if r["relationshipType"] == "peer")
    assert level2["name"] == "BroadbandCFS1"
    level3 = next(r["service"] for r in level2["serviceRelationship"] if r["relationshipType"] == "peer")
    assert set(level3) == {"id", "href", "@type", "@referredType"}


def test_reads_do_not_grow_with_the_number_of_items(client, django_assert_max_num_queries):
    small = create(client, {"items": bundle_items(2)})
    large = create(client, {"items": bundle_items(40)})
    counts = {}
    for label, bundle in (("small", small), ("large", large)):
        with django_assert_max_num_queries(40) as captured:
            response = client.get(f"{BUNDLE}/{bundle['id']}", {"depth": "2"})
        assert response.status_code == 200
        counts[label] = len(captured.captured_queries)
    assert counts["large"] == counts["small"]


def test_create_query_count_does_not_grow_with_items(client, django_assert_max_num_queries):
    create(client, {"items": bundle_items(1)})  # warm the permission cache
    with django_assert_max_num_queries(60) as small:
        create(client, {"items": bundle_items(2)})
    with django_assert_max_num_queries(60) as large:
        create(client, {"items": bundle_items(30)})
    assert len(large.captured_queries) == len(small.captured_queries)


# --- tasks ----------------------------------------------------------------------------------------------


def task(client, bundle_id, name):
    return client.post(f"{BUNDLE}/{bundle_id}/{name}")


def test_tasks_in_order_complete_the_bundle(client):
    bundle_id = create(client)["id"]
    for name, state in (("APPROVE", "APPROVED"), ("ISSUE", "ISSUED"), ("ACTIVATE", "COMPLETED")):
        response = task(client, bundle_id, name)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["state"] == state
        assert {i["businessInteraction"]["state"] for i in body["items"]} == {state}
    assert {i["state"] for i in body["items"]} == {"active"}


@pytest.mark.parametrize(
    ("done", "name", "state"),
    [
        ((), "ISSUE", "CREATED"),
        ((), "ACTIVATE", "CREATED"),
        (("APPROVE",), "APPROVE", "APPROVED"),
        (("APPROVE",), "CANCEL", "APPROVED"),
        (("APPROVE", "ISSUE"), "APPROVE", "ISSUED"),
        (("APPROVE", "ISSUE", "ACTIVATE"), "CANCEL", "COMPLETED"),
        (("APPROVE", "ISSUE", "ACTIVATE"), "ACTIVATE", "COMPLETED"),
        (("CANCEL",), "APPROVE", "CANCELLED"),
    ],
)
def test_task_out_of_order_is_400_naming_the_state(client, done, name, state):
    bundle_id = create(client)["id"]
    for previous in done:
        assert task(client, bundle_id, previous).status_code == 200
    response = task(client, bundle_id, name)
    assert response.status_code == 400
    error = response.json()
    assert (error["status"], error["code"]) == ("400-3", "INVALID_STATE")
    assert state in error["message"][0]


def test_cancel_cancels_services_and_references(client):
    bundle_id = create(client)["id"]
    body = task(client, bundle_id, "CANCEL").json()
    assert body["state"] == "CANCELLED"
    assert {i["state"] for i in body["items"]} == {"cancelled"}
    assert not ServicePartyRef.objects.filter(
        service__business_interaction__parent_id=bundle_id, reference_state=ReferenceState.PENDING_REFERENCE
    ).exists()


def test_unknown_task_is_400_and_unknown_bundle_404(client):
    bundle_id = create(client)["id"]
    assert task(client, bundle_id, "REVERT").status_code == 400
    assert task(client, "999999", "APPROVE").status_code == 404


# --- service list ---------------------------------------------------------------------------------------


def test_service_list_filters_and_counts(client, django_assert_max_num_queries):
    create(client)
    path = f"{BASE}/v3/service"
    with django_assert_max_num_queries(15):
        response = client.get(path)
    total = Service.objects.count()
    assert response["X-Total-Count"] == str(total)
    assert response["X-Result-Count"] == str(len(response.json())) == str(total)

    def names(**params):
        return sorted(s["name"] for s in client.get(path, params).json())

    assert names(name="EmaiLCFS") == ["EmaiLCFS"]
    assert names(category="RFS") == ["DOCSISRFS"] * 4  # the demo bundle's two and ours
    assert names(**{"serviceSpecification.name": "Email_CFS"}) == ["EmaiLCFS"]
    assert names(**{"supportingResource.id": "1-75002"}) == ["BroadbandCFS2", "BroadbandCFS2", "DOCSISRFS", "DOCSISRFS"]
    assert names(**{"relatedParty.id": "225002"}) == [
        "BroadbandCFS1",
        "BroadbandCFS1",
        "BroadbandCFS2",
        "BroadbandCFS2",
    ]
    assert names(state="active") == ["EmaiLCFS"]

    page = client.get(path, {"offset": 2, "limit": 3})
    assert page["X-Total-Count"] == str(total)
    assert page["X-Result-Count"] == "3"
    ids = [s["id"] for s in client.get(path).json()]
    assert [s["id"] for s in page.json()] == ids[2:5]
    assert client.get(path, {"state": "bogus"}).json() == []
    assert client.get(path, {"limit": 0}).status_code == 400


def test_service_list_query_count_does_not_grow(client, django_assert_max_num_queries):
    create(client, {"items": bundle_items(30)})
    with django_assert_max_num_queries(15):
        response = client.get(f"{BASE}/v3/service", {"limit": 1000})
    assert len(response.json()) > 60


def test_basic_auth_against_the_spec_example(demo, integration_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic b21zOm9tcy1wYXNzd29yZA==")  # oms:oms-password
    response = post(client, BUNDLE, example("create-request"))
    assert response.status_code == 201


def test_a_typed_query_parameter_sent_empty_is_400(client):
    # Schemathesis (issue 21): `depth=` (and `limit=`) was read as the default and answered 200, a schema-violating
    # request accepted; the schema says integer.
    created = create(client)
    for path, query in (
        (f"{BUNDLE}/{created['id']}", "depth="),
        (f"{BASE}/v3/service", "limit="),
        (f"{BASE}/v3/service", "offset="),
    ):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert response.json()["status"] == "400-2", response.json()
    assert client.get(f"{BASE}/v3/service?depth=0&name=").status_code == 200
