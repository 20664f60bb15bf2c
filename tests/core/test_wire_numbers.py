"""Numbers Python cannot hold (``1e309`` is infinity as a float, ``1`` followed by 400 zeros overflows one) are a
400 naming the field in every number field of every Oracle Utilities body, JSON and XML — never a 500 (issue 21,
finding 7). Generated from the schema and the endpoints' request serializers, so a number field added later is
covered for free.
"""

import json

import pytest
from django.urls import resolve
from rest_framework import exceptions, serializers
from rest_framework.test import APIClient

from core.wire.parsers import parse_json_bytes
from tests.contract import to_xml

from .test_hostile_input import OPERATIONS, _fill

PLACEHOLDER = "__number__"
NUMBER_FIELDS = (serializers.IntegerField, serializers.FloatField, serializers.DecimalField)


def _number_paths(field, prefix: str = ""):
    """(dotted wire path, body with a placeholder at that path) for every number field under ``field``."""
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        for path, value in _number_paths(field.child, f"{prefix}[0]"):
            yield path, [value]
        return
    if isinstance(field, serializers.Serializer):
        for name, child in field.fields.items():
            if child.read_only:
                continue
            for path, value in _number_paths(child, f"{prefix}.{name}" if prefix else name):
                yield path, {name: value}
        return
    if isinstance(field, NUMBER_FIELDS):
        yield prefix, PLACEHOLDER


def _view_class(path: str):
    """The view a published path is served by: the document publishes paths without their trailing slash, which
    the middleware serves as the slashed route (``core.middleware.OptionalTrailingSlashMiddleware``)."""
    for candidate in (path, path + "/"):
        view_class = getattr(resolve(candidate).func, "view_class", None)
        if view_class is not None:
            return view_class
    return None


def _oracle_number_cases():
    cases = []
    for family, method, path in OPERATIONS:
        if family != "oracle" or method not in ("post", "put", "patch"):
            continue
        view_class = _view_class(_fill(path))
        get_serializer = getattr(view_class, "get_request_serializer", None)
        serializer = get_serializer(view_class()) if get_serializer else None
        if serializer is None:
            continue
        for field_path, shape in _number_paths(serializer):
            cases.append((method, path, field_path, shape))
    return cases


CASES = _oracle_number_cases()
IDS = [f"{method} {path} {field}" for method, path, field, _ in CASES]


def test_every_oracle_family_has_number_fields_covered():
    """The generation finds the number fields of outages and enrollments (contacts has none)."""
    fields = {field.rsplit(".", 1)[-1] for _, _, field, _ in CASES}
    assert {"impactedCustomers", "sequence", "workAvailabilityDuration"} <= fields


@pytest.fixture
def client(superuser):
    api = APIClient()
    api.force_authenticate(superuser)
    return api


def _wire_detail(response) -> str:
    assert response.status_code == 400, (response.status_code, response.content[:500])
    if response["Content-Type"].startswith("application/xml"):
        return response.content.decode()
    body = response.json()
    assert body["serverMessage"]["messageNbr"] in (4000, 4001), body
    return body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "field", "shape"), CASES, ids=IDS)
@pytest.mark.parametrize("number", ["1e309", "-1e309", "1E+400", "1" + "0" * 400, "1" + "0" * 400 + ".5"])
def test_a_json_number_python_cannot_hold_is_400_naming_the_field(client, method, path, field, shape, number):
    raw = json.dumps(shape).replace(f'"{PLACEHOLDER}"', number).encode()
    response = client.generic(method.upper(), _fill(path), raw, content_type="application/json")
    assert field in _wire_detail(response)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "field", "shape"), CASES, ids=IDS)
@pytest.mark.parametrize("number", ["1e309", "-1e309", "1" + "0" * 400, "NaN", "inf", "-Infinity"])
def test_an_xml_number_python_cannot_hold_is_400_naming_the_field(client, method, path, field, shape, number):
    raw = to_xml(json.loads(json.dumps(shape).replace(PLACEHOLDER, number)))
    response = client.generic(method.upper(), _fill(path), raw, content_type="application/xml")
    assert field.rsplit(".", 1)[-1] in _wire_detail(response)


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (b'{"a": 1e309}', "a"),
        (b'{"a": [1, {"b": -1E999}]}', "a[1].b"),
        (b"[1.5, 2e400]", "[1]"),
        (b"1e309", ""),
    ],
)
def test_the_parser_refuses_a_number_that_overflows_naming_its_path(raw, path):
    with pytest.raises(exceptions.ValidationError) as caught:
        parse_json_bytes(raw)
    detail = caught.value.detail
    message = detail[path][0] if path else detail[0]
    assert "too large" in str(message)


@pytest.mark.parametrize(
    "raw",
    [b'{"a": 1e308}', b'{"a": -1.7976931348623157e308}', b'{"a": 1e-400}', b'{"a": 10000000000000000000000}'],
)
def test_the_parser_keeps_numbers_that_fit(raw):
    assert parse_json_bytes(raw) == json.loads(raw)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), 1.5, True, "12"])
def test_the_integer_field_refuses_what_is_no_integer_without_the_parser(value):
    """The field holds the rule too (a serializer fed from elsewhere than the parser)."""
    from core.wire.fields import StrictIntegerField

    with pytest.raises(serializers.ValidationError):
        StrictIntegerField().run_validation(value)
