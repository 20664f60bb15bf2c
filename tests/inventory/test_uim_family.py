"""The Oracle UIM family (``inventory/api/uim.py``) on a minimal endpoint: the envelope, ``entityType`` on a 404,
unknown paths answered in the envelope (the endpoint: tests/inventory/uim_echo_urls.py)."""

import pytest

from tests.contract import UIMContract
from tests.core.auth_helpers import echo_user  # noqa: F401  (a fixture)

PREFIX = "/InventoryRSOpenAPI/serviceInventoryManagement/v1/"


@pytest.mark.urls("tests.inventory.uim_echo_urls")
class TestUIMFamily(UIMContract):
    path = f"{PREFIX}test/echo"
    valid_body = {"name": "demo", "items": [1, 2]}
    invalid_body = {"items": []}
    invalid_field = "name"

    @pytest.fixture
    def wire_user(self, echo_user):  # noqa: F811
        return echo_user

    def test_not_found_names_entity_type(self, client):
        response = client.post(self.path, data={"name": "ghost"}, format="json")
        body = self.assert_envelope(response, 404)
        assert body["entityType"] == "Party"
        assert "225009" in body["message"][0]

    def test_unknown_path_under_prefix_is_404_in_the_family_envelope(self, client):
        """The error pages find the family by its prefix: inventory registers it (core/families.py)."""
        body = self.assert_envelope(client.get(f"{PREFIX}no/such/thing"), 404)
        assert (body["code"], body["status"]) == ("ENTITY_NOT_FOUND", "404-1")
