"""The bounds of a UIM bundle body (docs/inventory.md, "Bounds"): at most ``MAX_ITEMS`` items, ``MAX_PER_ITEM``
elements in each list of an item, ``MAX_ELEMENTS`` over the items' lists together. Over a bound is a 400 in the
UIM envelope naming the list, decided on lengths alone: no element is looked up, validated or written (the attack
run's 10,001 relatedParty or supportingResource got no answer within 30 s; 10,001 serviceCharacteristic were
stored).

"No per-element work" is proven without a clock: the reference lookups and every element serializer are made to
fail if they are reached.
"""

import json

import pytest

from inventory.api import serializers as bundle_serializers
from inventory.api.serializers import ITEM_LISTS, MAX_ELEMENTS, MAX_ITEMS, MAX_PER_ITEM
from inventory.models import BusinessInteraction, Service
from tests.factories.inventory import bundle_items

from .conftest import BASE, example

BUNDLE = f"{BASE}/v3/bundle"

ELEMENT_SERIALIZERS = (
    bundle_serializers.BundleItemSerializer,
    bundle_serializers.BundleUpdateItemSerializer,
    bundle_serializers.ResourceRefSerializer,
    bundle_serializers.PartyRefSerializer,
    bundle_serializers.PlaceRefSerializer,
    bundle_serializers.CharacteristicSerializer,
    bundle_serializers.RelationshipSerializer,
)


def post(client, body):
    return client.post(BUNDLE, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def no_element_work(monkeypatch):
    """Reaching a reference lookup or validating any element fails the test."""

    def reached(*args, **kwargs):
        raise AssertionError("per-element work before the bounds were checked")

    from inventory.services import references

    monkeypatch.setattr(references, "resolve_references", reached)
    for serializer in ELEMENT_SERIALIZERS:
        monkeypatch.setattr(serializer, "run_validation", reached)


ELEMENTS = {  # one valid element of each list, as the spec's create example and the demo data have them
    "supportingResource": {"id": "1-1", "@referredType": "LogicalDevice", "consumerName": "DOCSISRFS"},
    "relatedParty": {"id": "225002", "referenceType": "Association", "consumerName": "BroadbandCFS1"},
    "place": {"id": "310001", "@referredType": "GeographicAddress"},
    "serviceCharacteristic": {"name": "speed", "value": "100 Mbps"},
    "serviceRelationship": {"relationshipType": "relies-on", "service": {"id": "450005"}},
}


def _refused(response, path: str) -> None:
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert body["status"] == "400-2", body
    assert any(message.startswith(f"{path}: ") for message in body["message"]), body["message"]


@pytest.mark.parametrize("name", ITEM_LISTS)
def test_a_list_of_an_item_over_its_bound_is_refused_before_any_element_work(
    demo, integration_client, no_element_work, name
):
    body = example("create-request")
    body["items"][1][name] = [ELEMENTS[name]] * (MAX_PER_ITEM + 1)
    before = Service.objects.count()
    _refused(post(integration_client, body), f"items[1].{name}")
    assert Service.objects.count() == before


def test_items_over_their_bound_are_refused_before_any_element_work(demo, integration_client, no_element_work):
    body = {"items": [{"name": "x"}] * (MAX_ITEMS + 1)}
    _refused(post(integration_client, body), "items")


def test_the_attack_body_10001_related_parties(demo, integration_client, no_element_work):
    body = example("create-request")
    body["items"][0]["relatedParty"] = body["items"][0]["relatedParty"][:1] * 10_001
    _refused(post(integration_client, body), "items[0].relatedParty")


def test_the_items_lists_together_over_their_bound_are_refused_before_any_element_work(
    demo, integration_client, no_element_work
):
    per_item = MAX_PER_ITEM
    count = MAX_ELEMENTS // per_item + 1
    body = {
        "items": [{"name": f"CFS-{i}", "relatedParty": [ELEMENTS["relatedParty"]] * per_item} for i in range(count)]
    }
    response = post(integration_client, body)
    _refused(response, "items")
    assert f"{count * per_item:,} elements" in response.json()["message"][0]


def test_an_update_is_bounded_alike(demo, integration_client, no_element_work):
    bundle = BusinessInteraction.objects.filter(parent__isnull=True).order_by("pk").first()
    body = {"id": str(bundle.pk), "items": [{"id": "450006", "relatedParty": [{"id": "225004"}] * (MAX_PER_ITEM + 1)}]}
    _refused(post(integration_client, body), "items[0].relatedParty")


def test_a_body_at_every_bound_is_accepted(demo, integration_client):
    """``MAX_PER_ITEM`` elements in a list is allowed (the bound is inclusive)."""
    items = bundle_items(1)
    items[0]["relatedParty"] = items[0]["relatedParty"] * MAX_PER_ITEM
    items[0]["serviceCharacteristic"] = [
        {"name": f"c{i}", "value": "x", "serviceName": items[0]["name"]} for i in range(MAX_PER_ITEM)
    ]
    response = post(integration_client, {"items": items})
    assert response.status_code == 201, response.content[:500]


def test_the_published_schema_states_the_bounds():
    from drf_spectacular.generators import SchemaGenerator

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for request, item in (
        ("BundleCreateRequest", "BundleItemRequest"),
        ("BundleUpdateRequest", "BundleUpdateItemRequest"),
    ):
        assert schemas[request]["properties"]["items"]["maxItems"] == MAX_ITEMS
        assert schemas[request]["properties"]["items"]["minItems"] == 1
        properties = schemas[item]["properties"]
        assert {name: properties[name]["maxItems"] for name in ITEM_LISTS} == dict.fromkeys(ITEM_LISTS, MAX_PER_ITEM)


def test_the_bundle_id_is_a_string_or_a_number_in_the_schema():
    """The server takes a number as an id (``BundleUpdateSerializer.id``); the schema says so (Schemathesis'
    negative_data_rejection found an integer id accepted while the schema said string)."""
    from drf_spectacular.generators import SchemaGenerator

    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    id_schema = schemas["BundleUpdateRequest"]["properties"]["id"]
    assert sorted(option["type"] for option in id_schema["oneOf"]) == ["integer", "string"]
