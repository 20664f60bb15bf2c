"""Issue 21, finding 6 at the door: the one character rule (``core/text.py``) refuses NUL and the other C0
control characters but tab, LF and CR in every string of every family's input, with a 400 in the family's
envelope: a stored one would break every XLSX export of its list."""

import json

import pytest
from rest_framework import exceptions, serializers
from rest_framework.test import APIClient

from contacts.models import CustomerContact
from core.text import CONTROL_MESSAGE, NUL_MESSAGE, text_problem
from core.wire.fields import StrictCharField
from core.wire.parsers import parse_json_bytes
from tests.contacts.conftest import PATH, SPEC_BODY
from tests.core.test_hostile_input import BODY_OPERATIONS, _assert_envelope, _fill

CONTROL = [chr(c) for c in range(0x01, 0x20) if chr(c) not in "\t\n\r"]


@pytest.mark.parametrize("char", CONTROL, ids=[f"U+{ord(c):04X}" for c in CONTROL])
def test_every_refused_control_character(char):
    assert text_problem(f"a{char}b") == CONTROL_MESSAGE
    assert text_problem(f"a{char}\x00") == NUL_MESSAGE


@pytest.mark.parametrize("text", ["", "plain", "tab\there", "two\nlines", "crlf\r\n", "\u0085\u00a0\u2028é😀", "\x7f"])
def test_text_the_rule_keeps(text):
    assert text_problem(text) is None


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (b'{"reason": "bell\\u0007"}', "reason"),
        (b'{"a": ["ok", "esc\\u001b[31m"]}', "a[1]"),
        (b'{"a": {"b": "back\\bspace"}}', "a.b"),
        (b'{"a": "form\\ffeed"}', "a"),
        (b'{"a": "\\u000B"}', "a"),
        (b'{"k\\u0001": 1}', "k\x01"),
    ],
)
def test_the_parser_refuses_a_control_character_naming_its_path(raw, path):
    with pytest.raises(exceptions.ValidationError) as caught:
        parse_json_bytes(raw)
    assert caught.value.detail == {path: [CONTROL_MESSAGE]}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": "tab\\tLF\\nCR\\r"}', {"a": "tab\tLF\nCR\r"}),
        (b'{"a": "\\\\u0007 \\\\b"}', {"a": "\\u0007 \\b"}),  # the text backslash-u0007 is not a control character
        (b'{"a": "\\u0009\\u000a\\u000D"}', {"a": "\t\n\r"}),
    ],
)
def test_the_parser_keeps_tab_lf_cr_and_escaped_backslashes(raw, expected):
    assert parse_json_bytes(raw) == expected


def test_the_oracle_string_field_applies_the_same_rule():
    field = StrictCharField()
    with pytest.raises(serializers.ValidationError) as caught:
        field.run_validation("bell\x07")
    assert caught.value.detail == [CONTROL_MESSAGE]
    assert field.run_validation("tab\tok") == "tab\tok"


@pytest.mark.django_db
def test_a_contact_with_a_bell_in_its_reason_is_400_and_not_stored(integration_client):
    """The finding: ``"reason": "bell\\u0007"`` was stored (200) and broke the contacts and history XLSX exports."""
    body = json.dumps({**SPEC_BODY, "reason": "bell\u0007"})
    response = integration_client.put(PATH + "NP-CTRL-1", data=body, content_type="application/json")
    assert response.status_code == 400
    answer = response.json()
    assert answer["detail"] == f"reason: {CONTROL_MESSAGE}"
    assert answer["serverMessage"]["messageNbr"] == 4000
    assert not CustomerContact.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "put"])
def test_a_control_character_in_the_contact_path_is_400(integration_client, method):
    response = getattr(integration_client, method)(PATH + "NP%07-1", data={}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == f"externalCCId: {CONTROL_MESSAGE}"


@pytest.fixture
def client(superuser):
    api = APIClient()
    api.force_authenticate(superuser)
    return api


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "method", "path"), BODY_OPERATIONS, ids=lambda v: str(v))
def test_every_wire_operation_refuses_a_control_character_in_its_envelope(client, family, method, path):
    body = b'{"externalSystem": "bell\\u0007", "name": "bell\\u0007", "items": [], "msg": "bell\\u0007"}'
    response = client.generic(method.upper(), _fill(path), body, content_type="application/json")
    _assert_envelope(family, response)
    if "{" not in path:  # a templated path's placeholder value may be refused (404) before the body is read
        assert response.status_code == 400
        assert "Control characters" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "method", "path"), BODY_OPERATIONS, ids=lambda v: str(v))
def test_xml_cannot_carry_a_control_character(client, family, method, path):
    response = client.generic(method.upper(), _fill(path), b"<r><a>bell&#x7;</a></r>", content_type="application/xml")
    _assert_envelope(family, response)
