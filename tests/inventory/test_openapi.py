"""The published OpenAPI document of the UIM door is true to the requests the server takes (issue 23): the
spec's own create and update examples validate against the request schemas of the live document, create and
update have their own schemas, every item field the server accepts is declared with its enum, and the hub's
``query`` is one string that an empty query matches.

The document is OpenAPI 3.0; ``as_json_schema`` turns its ``nullable`` into JSON Schema so that ``jsonschema``
judges the examples as a client generator or validator would read the document.
"""

import jsonschema
import pytest

from inventory.models import ServiceCategory, ServiceState

from .conftest import BASE, example

BUNDLE = f"{BASE}/{{version}}/bundle"
HUB = f"{BASE}/{{version}}/hub"


def as_json_schema(node):
    """An OpenAPI 3.0 schema as JSON Schema (2020-12): ``nullable: true`` admits ``null``."""
    if isinstance(node, list):
        return [as_json_schema(value) for value in node]
    if not isinstance(node, dict):
        return node
    schema = {key: as_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "type" in schema:
            schema["type"] = [schema["type"], "null"]
        else:
            schema = {"anyOf": [schema, {"type": "null"}]}
    return schema


@pytest.fixture(scope="module")
def document(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def request_validator(document, path, method="post"):
    """A validator of an operation's JSON request body, against the document's own components."""
    schema = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    root = {**as_json_schema(schema), "components": as_json_schema(document["components"])}
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def errors(validator, body) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}" for error in validator.iter_errors(body)
    ]


def component(document, name):
    return as_json_schema(document["components"]["schemas"][name]) | {
        "components": as_json_schema(document["components"])
    }


def test_every_documented_request_example_of_the_door_validates(document):
    """Each request example the document shows on a UIM operation is valid against that operation's schema."""
    checked = []
    for path, operations in document["paths"].items():
        if not path.startswith(BASE):
            continue
        for method, operation in operations.items():
            media = (operation.get("requestBody") or {}).get("content", {}).get("application/json", {})
            for name, shown in media.get("examples", {}).items():
                assert errors(request_validator(document, path, method), shown["value"]) == [], (path, name)
                checked.append((method, path, name))
    assert len(checked) >= 3, checked  # the bundle's create and update, the hub's registration


@pytest.mark.parametrize(("name", "schema"), [("create-request", "BundleCreate"), ("update-request", "BundleUpdate")])
def test_the_specs_examples_validate_against_their_own_request_schema(document, name, schema):
    body = example(name)
    assert errors(request_validator(document, BUNDLE), body) == []  # the operation's: exactly one of the two
    assert errors(jsonschema.Draft202012Validator(component(document, f"{schema}Request")), body) == []
    other = "BundleUpdate" if schema == "BundleCreate" else "BundleCreate"
    assert errors(jsonschema.Draft202012Validator(component(document, f"{other}Request")), body) != []


def test_create_and_update_items_have_their_own_rules(document):
    schemas = document["components"]["schemas"]
    create, update = schemas["BundleItemRequest"], schemas["BundleUpdateItemRequest"]
    assert set(create["required"]) == {"name", "state", "serviceSpecification"}
    assert update["required"] == ["id"]
    assert "serviceSpecification" not in update["properties"]  # refused on an update (400)
    for field in ("category", "serviceType", "startDate", "endDate", "effectiveDate"):  # accepted and stored
        assert field in create["properties"], field
    assert create["properties"]["category"]["oneOf"][0]["enum"] == ServiceCategory.values
    for item in (create, update):
        assert item["properties"]["state"]["oneOf"][0]["enum"] == ServiceState.values


def test_an_update_item_restating_its_specification_is_no_valid_update(document, update_body):
    """What the server refuses (an update item's ``serviceSpecification``, 400) the document does not promise."""
    update_body["items"][0] |= {"serviceSpecification": {"id": "x"}, "state": "designed", "name": "n"}
    validator = jsonschema.Draft202012Validator(component(document, "BundleUpdateItemRequest"))
    assert errors(validator, update_body["items"][0]) == []  # unknown properties are not forbidden by the schema…
    assert set(document["components"]["schemas"]["BundleUpdateItemRequest"]["properties"]) == {
        "id",
        "name",
        "description",
        "externalIdentity",
        "supportingResource",
        "relatedParty",
        "place",
        "serviceCharacteristic",
        "state",
        "serviceRelationship",
    }  # …but none is declared beyond the attributes an update takes


@pytest.mark.parametrize(
    "query", ["", "  ", "eventType=ServiceStateChangeEvent", "eventType=ServiceCreateEvent, ServiceDeleteEvent"]
)
def test_the_hub_query_is_one_string_the_empty_query_matches(document, query):
    schema = document["components"]["schemas"]["HubInputRequest"]["properties"]["query"]
    assert schema["type"] == "string" and "oneOf" not in schema
    assert errors(request_validator(document, HUB), {"callback": "https://l.example.com/e", "query": query}) == []


def test_the_hub_query_pattern_refuses_what_the_server_refuses(document):
    body = {"callback": "https://l.example.com/e", "query": "eventType=NoSuchEvent"}
    assert errors(request_validator(document, HUB), body) != []


def test_the_bundle_post_declares_its_body_required(document):
    """A create or an update always has a body: published as optional, a generated client (and Schemathesis) would
    send none and get the 400 "items: This field is required."."""
    post = document["paths"]["/InventoryRSOpenAPI/serviceInventoryManagement/{version}/bundle"]["post"]
    assert post["requestBody"]["required"] is True
