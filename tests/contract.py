"""Contract tests every wire endpoint inherits, one base class per family (NetBox's APIViewTestCases way).

An endpoint's test class declares ``path``, ``method``, ``valid_body``, ``invalid_body`` (and for Oracle
``xml_root``), and may override the ``wire_user`` fixture (default: a member of the ``integration`` group) or
add a ``contract_data`` fixture that creates what the valid body refers to. It inherits: anonymous → 401,
no permission → 403, malformed body → 400, invalid body → 400 naming the field, all in the family's envelope,
and (Oracle) the JSON and XML round trip and refusal of hostile XML.
"""

import json
from xml.etree.ElementTree import Element, tostring

import defusedxml.ElementTree as SafeET
import pytest
from rest_framework.test import APIClient

ORACLE_KEYS = {"httpStatus", "problemType", "title", "detail", "problemInstance", "serverMessage"}
UIM_KEYS = {"code", "reason", "message", "status", "referenceError"}

MALFORMED_JSON = b'{"externalSystem": "x", '
MALFORMED_XML = b"<request><a>1</a>"
XXE_XML = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<request><externalSystem>&xxe;</externalSystem></request>"""
BILLION_LAUGHS_XML = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<request><externalSystem>&lol3;</externalSystem></request>"""


def to_xml(data: dict, root: str = "request") -> bytes:
    """Encode a JSON-shaped body the Oracle Utilities way: lists as repeated elements."""

    def build(parent, value):
        if isinstance(value, dict):
            for key, item in value.items():
                if item is None:
                    continue
                for element_value in item if isinstance(item, list) else [item]:
                    child = Element(key)
                    build(child, element_value)
                    parent.append(child)
        elif isinstance(value, bool):
            parent.text = "true" if value else "false"
        else:
            parent.text = str(value)

    element = Element(root)
    build(element, data)
    return tostring(element, encoding="utf-8")


def xml_root(content: bytes) -> str:
    return SafeET.fromstring(content).tag


class _WireContract:
    path: str = ""
    method: str = "post"
    valid_body: dict | list | None = None
    invalid_body: dict | list | None = None
    invalid_field: str = ""  # a path the 400 for invalid_body must name
    success_status: int = 200
    has_body: bool | None = None  # default: every method but GET and DELETE takes a body

    BODY_TESTS = (
        "test_malformed_json_gets_400",
        "test_xml_request_gets_xml_answer_without_accept",
        "test_bad_xml_gets_400_in_xml",
    )
    INVALID_BODY_TESTS = (
        "test_invalid_body_gets_400_naming_the_field",
        "test_invalid_body_in_xml_gets_400_naming_the_field",
    )

    def __init_subclass__(cls, **kwargs):
        """Tests that cannot apply to an endpoint (a body test on a GET) are not generated, rather than skipped."""
        super().__init_subclass__(**kwargs)
        takes_body = cls.has_body if cls.has_body is not None else cls.method not in ("get", "delete")
        dropped = (() if takes_body else cls.BODY_TESTS) + (cls.INVALID_BODY_TESTS if cls.invalid_body is None else ())
        for name in dropped:
            if hasattr(cls, name):
                setattr(cls, name, None)

    @pytest.fixture
    def wire_user(self, integration_user):
        return integration_user

    @pytest.fixture
    def contract_data(self, db):
        """Override to create what ``valid_body`` refers to."""
        return None

    @pytest.fixture
    def client(self, wire_user, contract_data):
        client = APIClient()
        client.force_authenticate(wire_user)
        return client

    def get_path(self, contract_data) -> str:
        return self.path

    def call(self, client, body=None, *, content_type="application/json", raw: bytes | None = None, **extra):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return getattr(client, self.method)(self.path_for_call, data=data, content_type=content_type, **extra)

    @pytest.fixture(autouse=True)
    def _bind_path(self, contract_data):
        self.path_for_call = self.get_path(contract_data)

    def assert_envelope(self, response, status: int):  # pragma: no cover - each family defines it
        raise NotImplementedError

    def test_anonymous_gets_401(self, db, contract_data):
        response = self.call(APIClient(), self.valid_body)
        self.assert_envelope(response, 401)

    def test_without_permission_gets_403(self, plain_user, contract_data):
        client = APIClient()
        client.force_authenticate(plain_user)
        response = self.call(client, self.valid_body)
        self.assert_envelope(response, 403)

    def test_malformed_json_gets_400(self, client):
        response = self.call(client, raw=MALFORMED_JSON)
        self.assert_envelope(response, 400)

    def test_invalid_body_gets_400_naming_the_field(self, client):
        response = self.call(client, self.invalid_body)
        self.assert_envelope(response, 400)
        if self.invalid_field:
            assert self.invalid_field in response.content.decode()

    def test_valid_body_succeeds(self, client):
        response = self.call(client, self.valid_body)
        assert response.status_code == self.success_status, response.content
        assert response["Content-Type"].startswith("application/json")


class OracleContract(_WireContract):
    xml_root: str = ""

    def assert_envelope(self, response, status: int):
        assert response.status_code == status, response.content
        if response["Content-Type"].startswith("application/xml"):
            document = SafeET.fromstring(response.content)
            assert document.tag == "problemDetailDocument"
            assert document.findtext("httpStatus") == str(status)
            return document
        body = response.json()
        assert set(body) >= ORACLE_KEYS, body
        assert body["httpStatus"] == status
        assert "stackTrace" not in body
        assert body["serverMessage"]["messageNbr"] // 10 == status
        return body

    def test_xml_round_trip(self, client):
        if self.method in ("get", "delete"):
            response = self.call(client, HTTP_ACCEPT="application/xml")
        else:
            response = self.call(
                client, raw=to_xml(self.valid_body), content_type="application/xml", HTTP_ACCEPT="application/xml"
            )
        assert response.status_code == self.success_status, response.content
        assert response["Content-Type"].startswith("application/xml")
        assert xml_root(response.content) == self.xml_root

    def test_xml_request_gets_xml_answer_without_accept(self, client):
        response = self.call(client, raw=to_xml(self.valid_body), content_type="application/xml")
        assert response.status_code == self.success_status, response.content
        assert xml_root(response.content) == self.xml_root

    @pytest.mark.parametrize("body", [MALFORMED_XML, XXE_XML, BILLION_LAUGHS_XML], ids=["malformed", "xxe", "laughs"])
    def test_bad_xml_gets_400_in_xml(self, client, body):
        response = self.call(client, raw=body, content_type="application/xml")
        document = self.assert_envelope(response, 400)
        assert b"root:x:0:0" not in response.content
        assert b"lollollol" not in response.content
        assert document is not None

    def test_invalid_body_in_xml_gets_400_naming_the_field(self, client):
        response = self.call(client, raw=to_xml(self.invalid_body), content_type="application/xml")
        self.assert_envelope(response, 400)
        if self.invalid_field:
            assert self.invalid_field in response.content.decode()


class BMCContract(_WireContract):
    def assert_envelope(self, response, status: int):
        assert response.status_code == status, response.content
        body = response.json()
        if isinstance(body, list):
            assert body and all({"key", "level", "message", "additionalInfo"} <= set(item) for item in body), body
            assert all(item["level"] == "ERROR" for item in body)
        else:
            assert {"responseTimeStamp", "statusCode", "statusMsg"} <= set(body), body
        return body


class UIMContract(_WireContract):
    success_status = 201

    def assert_envelope(self, response, status: int):
        assert response.status_code == status, response.content
        body = response.json()
        assert set(body) >= UIM_KEYS, body
        assert body["status"].startswith(str(status))
        assert isinstance(body["message"], list)
        return body
