"""Statement budgets of a bundle through the UIM API (issue #25): a create and a read at depth 2 cost a fixed
number of statements whatever the number of items (10 or 100), on SQLite as on PostgreSQL.

A read at depth 2: the bundle with its items, one query per level of links (relationships and supporting
services together), one for the services met, one per kind of row (characteristics, resource, party and place
references). A design-only create: one query per kind of entity the body names (specifications, resources,
parties, related services), one ``INSERT`` per kind of row written (the bundle, its item interactions, the
services, supporting links, characteristics, resource and party references, relationships, the bundle's
transition), and two change-log inserts (the bundle, its services); the answer is rendered from the rows
written, not read back."""

import json

import pytest

from tests import query_budget
from tests.factories.inventory import bundle_items

from .conftest import BASE, example

BUNDLE = f"{BASE}/v3/bundle"
assert_max_statements = query_budget.assert_max_statements  # the fixture
READ_BUDGET = 10
# One statement per kind of row written (10) and per kind of entity named (4), plus the second change-log insert.
CREATE_BUDGET = 15


@pytest.fixture
def client(demo, integration_client):
    integration_client.post(BUNDLE, data=json.dumps({"items": bundle_items(1)}), content_type="application/json")
    return integration_client  # its permissions are loaded: what follows counts the bundle's statements only


def _create(client, count: int, assert_max_statements) -> tuple[dict, int]:
    with assert_max_statements(CREATE_BUDGET) as captured:
        response = client.post(
            f"{BUNDLE}?designOnly=true",
            data=json.dumps({"items": bundle_items(count)}),
            content_type="application/json",
        )
    assert response.status_code == 201, response.content[:300]
    return response.json(), len(query_budget.statements(captured))


def _read(client, bundle_id: str, assert_max_statements) -> tuple[dict, int]:
    with assert_max_statements(READ_BUDGET) as captured:
        response = client.get(f"{BUNDLE}/{bundle_id}", {"depth": "2"})
    assert response.status_code == 200, response.content[:300]
    return response.json(), len(query_budget.statements(captured))


def test_a_100_item_bundle_is_created_and_read_at_depth_2_in_a_fixed_number_of_statements(
    client, assert_max_statements
):
    small, small_create = _create(client, 10, assert_max_statements)
    large, large_create = _create(client, 100, assert_max_statements)
    assert len(large["items"]) == 100
    assert large_create == small_create

    _, small_read = _read(client, small["id"], assert_max_statements)
    large_read_body, large_read = _read(client, large["id"], assert_max_statements)
    assert large_read == small_read
    # What was read is what was embedded: the item's RFS and the related service, two levels down.
    item = large_read_body["items"][0]
    assert item["supportingService"][0]["serviceCharacteristic"][0]["name"] == "profile"
    assert item["serviceRelationship"][0]["service"]["id"] == "450005"


def _body() -> dict:
    """The spec's create example with what a database may give back otherwise than sent: an object value (its keys
    out of order), a float beyond the integers, dates with offsets; and a place."""
    body = example("create-request")
    item = body["items"][0]
    item["place"] = [{"id": "310001", "role": "ServiceAddress", "consumerName": item["name"]}]
    item["serviceCharacteristic"] += [
        {"name": "object", "value": {"zz": 1, "a": [1.5, {"y": 2, "b": 1e300}], "mm": None}},
        {"name": "large", "value": 1e300},
    ]
    item["startDate"] = "2026-12-01T10:00:00.123456+05:30"
    body["effectiveDate"] = "2026-11-01T10:00:00.5-03:00"
    return body


@pytest.mark.parametrize("query", ["", "?depth=2", "?expand=supportingService&fields=name,serviceCharacteristic"])
def test_a_design_only_create_answers_what_a_read_answers(client, query):
    """The create's answer is rendered from the rows it wrote, not read back: the same body, key for key and value
    for value, as a read of the bundle with the same options."""
    response = client.post(f"{BUNDLE}{query}", data=json.dumps(_body()), content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    created = response.json()
    read = client.get(f"{BUNDLE}/{created['id']}{query}").json()
    assert json.dumps(created) == json.dumps(read)
