"""The hostile-input corpus, run against every wire operation of every family (generated from the OpenAPI schema,
so an endpoint added later is covered for free): never a 5xx, always the family's envelope.

And the rules of the one input discipline (core/wire/parsers.py), each on its own.
"""

import json

import pytest
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework import exceptions
from rest_framework.test import APIClient

from core.wire.parsers import parse_json_bytes
from tests.contract import ORACLE_KEYS, UIM_KEYS

FAMILIES = {
    "/rest/apis/": "oracle",
    "/events-service/api/v1.0/": "bmc",
    "/InventoryRSOpenAPI/": "uim",
}


def _family(path: str) -> str | None:
    for prefix, family in FAMILIES.items():
        if path.startswith(prefix):
            return family
    return None


def _operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    out = []
    for path, item in schema["paths"].items():
        family = _family(path)
        if family is None:
            continue
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                out.append((family, method, path))
    return sorted(out)


OPERATIONS = _operations()
BODY_OPERATIONS = [op for op in OPERATIONS if op[1] in ("post", "put", "patch")]


def _fill(path: str, value: str = "1") -> str:
    """Put a value into every ``{param}`` of a templated path."""
    out, rest = "", path
    while "{" in rest:
        head, _, tail = rest.partition("{")
        _, _, rest = tail.partition("}")
        out += head + value
    return out + rest


JSON_CORPUS = {
    "array nested 1,000 deep": b"[" * 1000 + b"]" * 1000,
    "object nested 100 deep": b'{"a":' * 100 + b"1" + b"}" * 100,
    "lone surrogate": b'{"externalSystem": "\\ud800", "x": "\\udc00"}',
    "NUL in a string": b'{"externalSystem": "a\\u0000b", "name": "\\u0000"}',
    "invalid UTF-8": b'{"externalSystem": "\xff\xfe"}',
    "NaN": b'{"externalSystem": NaN}',
    "Infinity": b'{"x": -Infinity}',
    "scalar body": b"12",
    "null body": b"null",
    "empty array": b"[]",
    "truncated": b'{"a": [1, 2',
    "huge number": b'{"x": 1' + b"0" * 5000 + b"}",
}
XML_CORPUS = {
    "XML nested 500 deep": b"<r>" + b"<a>" * 500 + b"</a>" * 500 + b"</r>",
    "XML unknown encoding": b'<?xml version="1.0" encoding="nope"?><r><a>1</a></r>',
    "XML wrong encoding bytes": b'<?xml version="1.0" encoding="utf-8"?><r><a>\xff\xfe</a></r>',
    "XML NUL character reference": b"<r><a>&#0;</a></r>",
    "XML surrogate reference": b"<r><a>&#xD800;</a></r>",
}


def _assert_envelope(family: str, response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    assert response.status_code >= 400, response.status_code
    content_type = response.get("Content-Type", "")
    if "xml" in content_type:
        assert b"problemDetailDocument" in response.content
        return
    body = json.loads(response.content)
    if family == "oracle":
        assert set(body) >= ORACLE_KEYS, body
        assert "ErrorDetail" not in body["detail"]
    elif family == "uim":
        assert set(body) >= UIM_KEYS, body
    else:  # BMC: a validation list or a status body
        items = body if isinstance(body, list) else [body]
        assert all(("key" in i and "message" in i) or "statusCode" in i for i in items), body


@pytest.fixture
def client(superuser):
    api = APIClient()
    api.force_authenticate(superuser)
    return api


def test_the_corpus_reaches_every_family():
    assert {family for family, _, _ in BODY_OPERATIONS} == set(FAMILIES.values())


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "method", "path"), BODY_OPERATIONS, ids=lambda v: str(v))
@pytest.mark.parametrize("case", sorted(JSON_CORPUS))
def test_hostile_json_is_a_4xx_in_the_family_envelope(client, family, method, path, case):
    response = client.generic(method.upper(), _fill(path), JSON_CORPUS[case], content_type="application/json")
    _assert_envelope(family, response)


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "method", "path"), BODY_OPERATIONS, ids=lambda v: str(v))
@pytest.mark.parametrize("case", sorted(XML_CORPUS))
def test_hostile_xml_is_a_4xx_in_the_family_envelope(client, family, method, path, case):
    response = client.generic(method.upper(), _fill(path), XML_CORPUS[case], content_type="application/xml")
    _assert_envelope(family, response)


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "method", "path"), BODY_OPERATIONS, ids=lambda v: str(v))
def test_a_body_over_the_limit_is_413_before_it_is_read(client, family, method, path):
    with override_settings(WIRE_MAX_BODY_BYTES=1000):
        response = client.generic(
            method.upper(), _fill(path), b'{"x": "' + b"a" * 2000 + b'"}', content_type="application/json"
        )
    # An operation whose path value ("1") is refused first answers that without reading the body at all.
    expected = {413} if "{" not in path else {400, 404, 413}
    assert response.status_code in expected, response.content[:300]
    _assert_envelope(family, response)


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "method", "path"), BODY_OPERATIONS, ids=lambda v: str(v))
def test_a_declared_length_over_the_limit_is_413(client, family, method, path):
    response = client.generic(
        method.upper(), _fill(path), b"{}", content_type="application/json", CONTENT_LENGTH=str(10**12)
    )
    assert response.status_code in ({413} if "{" not in path else {400, 404, 413})
    _assert_envelope(family, response)


PATH_VALUES = {"NUL": "%00", "long": "a" * 5000, "surrogate": "%ED%A0%80", "traversal": "..%2F..%2Fetc"}


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "method", "path"), [op for op in OPERATIONS if "{" in op[2]], ids=lambda v: str(v))
@pytest.mark.parametrize("case", sorted(PATH_VALUES))
def test_hostile_path_values_are_never_a_5xx(client, family, method, path, case):
    response = client.generic(method.upper(), _fill(path, PATH_VALUES[case]), b"{}", content_type="application/json")
    assert response.status_code < 500, response.content[:300]


# --- The rules, one by one ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"a": "\\u0000"}', "Null characters"),
        (b'["\\u0000"]', "Null characters"),
        (b'{"\\u0000": 1}', "Null characters"),
        (b'"\\ud800"', "surrogate"),
        (b'{"a": "x\\udfff"}', "surrogate"),
        (b'{"a": "\\ude00\\ud83d"}', "surrogate"),  # a low before a high is no pair
        (b"\xff", "not valid utf-8"),
        (b"[" * 65 + b"]" * 65, "nested more than 64"),
        (b"[" * 5000 + b"]" * 5000, "nested more than 64"),
        (b'{"a": NaN}', "NaN is not a valid JSON value"),
    ],
)
def test_parser_refusals(raw, message):
    with pytest.raises((exceptions.ParseError, exceptions.ValidationError)) as caught:
        parse_json_bytes(raw)
    assert message in str(caught.value.detail)


def test_a_refused_string_names_its_path():
    with pytest.raises(exceptions.ValidationError) as caught:
        parse_json_bytes(b'{"a": [{"b": "ok"}, {"b": "x\\u0000"}]}')
    assert caught.value.detail == {"a[1].b": ["Null characters are not allowed."]}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": "\\ud83d\\ude00"}', {"a": "\U0001f600"}),  # a surrogate pair is one character
        (b'{"a": "\\\\u0000"}', {"a": "\\u0000"}),  # the text backslash-u0000 is not a NUL
        (b"[" * 64 + b"]" * 64, json.loads(b"[" * 64 + b"]" * 64)),
        (b'{"a": [1, {"b": null}]}', {"a": [1, {"b": None}]}),
    ],
)
def test_parser_accepts(raw, expected):
    assert parse_json_bytes(raw) == expected


ORACLE_OPERATIONS = [op for op in OPERATIONS if op[0] == "oracle"]


@pytest.mark.parametrize(("family", "method", "path"), ORACLE_OPERATIONS)
def test_an_empty_format_is_an_unknown_format_not_ignored(client, family, method, path):
    """``?format=`` names no format: a 404 in the envelope, as ``?format=nope`` (Schemathesis' negative check)."""
    for value in ("", "nope"):
        response = client.generic(
            method.upper(), f"{_fill(path)}?format={value}", b"{}", content_type="application/json"
        )
        assert response.status_code == 404, (value, response.content[:200])
        _assert_envelope(family, response)
