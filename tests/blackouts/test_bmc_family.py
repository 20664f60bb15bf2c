"""The BMC Helix family (``blackouts/api/bmc.py``) on a minimal endpoint: envelopes, Bearer-only auth, the schema
check worded like the product, status bodies (the endpoint: tests/blackouts/bmc_echo_urls.py)."""

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.contract import BMCContract
from tests.core.auth_helpers import PASSWORD, USERNAME, basic, echo_user  # noqa: F401  (a fixture)

PREFIX = "/events-service/api/v1.0/"


@pytest.mark.urls("tests.blackouts.bmc_echo_urls")
class TestBMCFamily(BMCContract):
    path = f"{PREFIX}test/echo"
    valid_body = {"name": "demo", "recordsPerPage": 25}
    invalid_body = {"name": "demo", "recordsPerPage": "25"}
    invalid_field = "/recordsPerPage"

    @pytest.fixture
    def wire_user(self, echo_user):  # noqa: F811
        return echo_user

    @pytest.fixture
    def client(self, wire_user, contract_data):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(wire_user)}")
        return client

    def test_wrong_type_is_worded_like_the_spec(self, client):
        body = client.post(self.path, data=self.invalid_body, format="json").json()
        assert body == [
            {
                "key": "validation.schema.type",
                "level": "ERROR",
                "message": "[Path '/recordsPerPage'] Instance type (string) does not match any allowed primitive "
                'type (allowed: ["integer"])',
                "additionalInfo": [],
            }
        ]

    def test_unknown_property_is_refused_like_the_spec(self, client):
        body = client.post(self.path, data={"name": "x", "searchString1": "a"}, format="json").json()
        assert body[0]["key"] == "validation.schema.additionalProperties"
        assert body[0]["message"] == (
            'Object instance has properties which are not allowed by the schema: ["searchString1"]'
        )

    def test_business_error_is_a_status_body(self, client):
        response = client.post(self.path, data={"name": "missing"}, format="json")
        assert response.status_code == 404
        body = response.json()
        assert body["statusCode"] == "POLICY_NOT_EXIST"
        assert body["statusMsg"] == "[Failed to delete policy, entry doesn't exist in database]"
        assert isinstance(body["responseTimeStamp"], int)

    def test_basic_auth_is_not_accepted(self, wire_user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=basic(USERNAME, PASSWORD))
        response = client.post(self.path, data=self.valid_body, format="json")
        self.assert_envelope(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")

    def test_unknown_path_under_prefix_is_404_in_the_family_envelope(self, client):
        """The error pages find the family by its prefix: blackouts registers it (core/families.py)."""
        response = client.get(f"{PREFIX}no/such/thing")
        self.assert_envelope(response, 404)
        assert response.json()[0]["key"] == "404"
