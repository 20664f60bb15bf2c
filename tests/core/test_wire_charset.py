"""A JSON body is UTF-8 (RFC 8259 §8.1): another charset in ``Content-Type`` is a 415 in the family's envelope, for
every body operation of every family (generated from the OpenAPI schema, as the hostile corpus is), and a lone
surrogate can never reach a view through a charset that decodes escapes itself (issue #21, finding 7)."""

import pytest
from rest_framework import exceptions
from rest_framework.test import APIClient

from core.wire.parsers import parse_json_bytes
from tests.core.test_hostile_input import BODY_OPERATIONS, _assert_envelope, _fill

BODY = b'{"name": "\\ud800", "x": "\\udc00"}'
ODD = ["raw_unicode_escape", "unicode_escape", "utf-16", "latin-1", "utf-7", "cp037", "x-unknown"]


@pytest.fixture
def api(superuser):
    client = APIClient()
    client.force_authenticate(superuser)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "method", "path"), BODY_OPERATIONS, ids=lambda v: str(v))
@pytest.mark.parametrize("charset", ODD)
def test_a_charset_other_than_utf8_is_a_415_in_the_family_envelope(api, family, method, path, charset):
    response = api.generic(method.upper(), _fill(path), BODY, content_type=f"application/json; charset={charset}")
    _assert_envelope(family, response)
    assert response.status_code in ({415} if "{" not in path else {400, 404, 415}), response.content[:300]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/events-service/api/v1.0/blackout_policies", "/events-service/api/v1.0/events"])
def test_bmc_names_the_charset(api, path):
    response = api.post(path, BODY, content_type="application/json; charset=raw_unicode_escape")
    assert response.status_code == 415
    (item,) = response.json()
    assert item["key"] == "415" and "UTF-8" in item["message"] and "raw_unicode_escape" in item["message"]


@pytest.mark.django_db
def test_the_analyst_preview_refuses_it_too(api):
    response = api.post("/api/blackouts/preview/", BODY, content_type="application/json; charset=raw_unicode_escape")
    assert response.status_code == 415 and "UTF-8" in response.json()["detail"]


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8", "us-ascii", "ascii"])
def test_utf8_and_its_ascii_subset_are_read(charset):
    assert parse_json_bytes(b'{"a": "b"}', charset) == {"a": "b"}


@pytest.mark.parametrize("charset", ODD)
def test_the_parser_refuses_other_charsets(charset):
    with pytest.raises(exceptions.UnsupportedMediaType) as caught:
        parse_json_bytes(BODY, charset)
    assert charset in str(caught.value.detail)
