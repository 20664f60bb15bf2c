"""The wire's XML is djangorestframework-xml's parser and renderer, subclassed (issue 22, "Dependencies and names"):
no type guessing (codes and leading zeros stay text), the input discipline of ``core/wire/parsers.py`` and
``core/text.py`` on XML text too, and answers that stay well-formed whatever was stored."""

import io
from xml.etree.ElementTree import Element, SubElement

import defusedxml.ElementTree as SafeET
import pytest
from django.contrib.auth import get_user_model
from rest_framework import exceptions
from rest_framework.test import APIClient
from rest_framework_xml.parsers import XMLParser
from rest_framework_xml.renderers import XMLRenderer

from core.wire import oracle
from core.wire.xml import OracleXMLParser, OracleXMLRenderer, SafeXMLRenderer, check_tree


def test_the_oracle_family_parses_and_renders_xml_with_djangorestframework_xml():
    assert issubclass(OracleXMLParser, XMLParser)
    assert issubclass(OracleXMLRenderer, XMLRenderer)
    assert issubclass(SafeXMLRenderer, XMLRenderer)
    assert OracleXMLParser in oracle.OracleAPIView.parser_classes
    assert OracleXMLRenderer in oracle.OracleAPIView.renderer_classes


def test_type_guessing_is_off():
    parser = OracleXMLParser()
    for text in ("007", "1.50", "2025-01-02 03:04:05", "1e309", "NaN"):
        assert parser._type_convert(text) == text
    assert XMLParser()._type_convert("007") == 7  # what the library alone would have made of it


def test_leading_zeros_survive_a_round_trip_without_a_schema():
    body = b"<anyRoot><accountId>007</accountId><amount>0012.50</amount><codes>0001</codes><codes>02</codes></anyRoot>"
    data = OracleXMLParser().parse(io.BytesIO(body), "application/xml", {})
    assert data == {"accountId": "007", "amount": "0012.50", "codes": ["0001", "02"]}
    rendered = OracleXMLRenderer().render(data, "application/xml", {})
    assert rendered.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<root>')
    assert OracleXMLParser().parse(io.BytesIO(rendered), "application/xml", {}) == data


@pytest.mark.django_db
@pytest.mark.urls("tests.core.wire_urls")
def test_leading_zeros_survive_a_round_trip_on_the_wire(django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("echo", password="echo-password")
    user.user_permissions.add(Permission.objects.get(codename="add_group"))
    client = APIClient()
    client.force_authenticate(user)
    body = b"<anyRoot><name>007</name><items><code>SMS </code><amount>0012</amount></items></anyRoot>"
    response = client.post("/rest/apis/test/echo", data=body, content_type="application/xml")
    assert response.status_code == 200, response.content
    root = SafeET.fromstring(response.content)
    assert root.tag == "EchoResponse"
    assert root.findtext("name") == "007"  # a string field: the text as sent
    assert root.findtext("items/amount") == "12"  # a number field: the number the schema asks for


def test_xml_text_is_held_to_the_character_rule_naming_its_path():
    root = Element("r")
    SubElement(SubElement(root, "customers"), "accountId").text = "bell\x07"
    with pytest.raises(exceptions.ValidationError) as caught:
        check_tree(root)
    assert list(caught.value.detail) == ["customers.accountId"]
    assert "Control characters" in str(caught.value.detail["customers.accountId"][0])
    root = Element("r")
    SubElement(root, "a").text = "nul\x00"
    with pytest.raises(exceptions.ValidationError, match="Null characters"):
        check_tree(root)


def test_an_answer_holding_what_xml_cannot_carry_stays_well_formed():
    stored = {"reason": "bell\x07 and \ud800", "ok": True, "gone": None, "empty": "", "list": ["a", None, "b"]}
    rendered = OracleXMLRenderer().render(stored, "application/xml", {})
    root = SafeET.fromstring(rendered)
    assert root.findtext("reason") == "bell\\u0007 and \\ud800"
    assert root.findtext("ok") == "true"
    assert root.find("gone") is None
    assert root.findtext("empty") == ""
    assert [e.text for e in root.findall("list")] == ["a", "b"]


def test_the_library_shapes_stay_for_the_plain_renderer():
    rendered = SafeXMLRenderer().render({"results": [{"code": "007", "flag": False}], "next": None}, None, {})
    root = SafeET.fromstring(rendered)
    assert root.tag == "root"
    assert [item.findtext("code") for item in root.find("results")] == ["007"]
    assert root.find("results/list-item/flag").text == "false"
    assert root.find("next") is None


@pytest.mark.django_db
@pytest.mark.urls("tests.lists.export_urls")
@pytest.mark.parametrize("how", ["format", "accept"])
def test_the_analyst_lists_answer_in_xml(superuser, how):
    from core.lists import specs
    from tests.lists.export_urls import USER_SPEC

    specs.register(USER_SPEC)
    try:
        get_user_model().objects.create(username="007", first_name="bell\x07")
        client = APIClient()
        client.force_authenticate(superuser)
        query = "?username=007&fields=username,first_name,is_staff"
        if how == "format":
            response = client.get(f"/api/tests/users/{query}&format=xml")
        else:
            response = client.get(f"/api/tests/users/{query}", HTTP_ACCEPT="application/xml")
    finally:
        specs.REGISTRY.pop(USER_SPEC.key, None)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    root = SafeET.fromstring(response.content)
    assert root.findtext("count") == "1"
    (row,) = root.find("results")
    assert row.tag == "list-item"
    assert (row.findtext("username"), row.findtext("first_name"), row.findtext("is_staff")) == (
        "007",
        "bell\\u0007",
        "false",
    )
