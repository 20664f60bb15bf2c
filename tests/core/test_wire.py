"""The Oracle Utilities family (core/wire/oracle.py) on minimal endpoints: envelopes, auth, malformed and hostile
bodies, XML rules. The BMC and UIM families, each in its app: tests/blackouts/test_bmc_family.py,
tests/inventory/test_uim_family.py."""

import pytest
from rest_framework.test import APIClient

from tests.contract import OracleContract, to_xml, xml_root

pytestmark = pytest.mark.urls("tests.core.wire_urls")

VALID = {"name": "demo", "flag": False, "items": [{"code": "SMS ", "amount": 3}]}


@pytest.fixture
def echo_user(django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("echo", password="echo-password")
    user.user_permissions.add(Permission.objects.get(codename="add_group"))
    return user


class TestOracleFamily(OracleContract):
    path = "/rest/apis/test/echo"
    valid_body = VALID
    invalid_body = {"name": "demo", "items": [{"code": "XXXX", "amount": 3}]}
    invalid_field = "items[0].code"
    xml_root = "EchoResponse"

    @pytest.fixture
    def wire_user(self, echo_user):
        return echo_user

    def test_xml_single_element_is_a_one_item_list_and_booleans_parse(self, client):
        body = b"<anyRoot><name>x</name><flag>false</flag><items><code>SMS </code><amount>7</amount></items></anyRoot>"
        response = client.post(self.path, data=body, content_type="application/xml", HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content
        assert response.json() == {"name": "x", "flag": False, "items": [{"code": "SMS ", "amount": 7}]}

    def test_xml_arrays_render_as_repeated_elements(self, client):
        body = {"name": "x", "items": [{"code": "SMS ", "amount": 1}, {"code": "EMAI", "amount": 2}]}
        response = client.post(self.path, data=to_xml(body), content_type="application/xml")
        assert response.status_code == 200
        text = response.content.decode()
        assert text.count("<items>") == 2
        assert "<list-item>" not in text and "<root>" not in text
        assert "<code>SMS </code>" in text  # 4-character codes keep their padding

    def test_format_query_parameter_selects_xml(self, client):
        response = client.post(f"{self.path}?format=xml", data=VALID, format="json")
        assert response.status_code == 200
        assert xml_root(response.content) == "EchoResponse"

    def test_validation_error_in_xml_names_field(self, client):
        response = client.post(self.path, data=to_xml({"name": "far-too-long-name"}), content_type="application/xml")
        assert response.status_code == 400
        assert xml_root(response.content) == "problemDetailDocument"
        assert "name" in response.content.decode()

    def test_unsupported_media_type_is_415_in_envelope(self, client):
        response = client.post(self.path, data="name=x", content_type="text/plain")
        self.assert_envelope(response, 415)

    def test_basic_auth_challenge_on_anonymous(self, db):
        response = APIClient().post(self.path, data=VALID, format="json")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Basic")

    def test_basic_credentials_work(self, echo_user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Basic ZWNobzplY2hvLXBhc3N3b3Jk")  # echo:echo-password
        assert client.post(self.path, data=VALID, format="json").status_code == 200

    def test_jwt_bearer_works(self, echo_user):
        client = APIClient()
        token = client.post(
            "/api/auth/token/", {"username": "echo", "password": "echo-password"}, format="json"
        ).json()["access"]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.post(self.path, data=VALID, format="json").status_code == 200

    def test_unhandled_error_is_500_envelope_without_internals(self, client):
        response = client.post("/rest/apis/test/boom", data=VALID, format="json")
        body = self.assert_envelope(response, 500)
        assert "secret internals" not in response.content.decode()
        assert "Traceback" not in body["detail"]

    def test_unknown_path_under_prefix_is_404_envelope(self, client):
        response = client.get("/rest/apis/no/such/thing")
        self.assert_envelope(response, 404)
