"""Paths are published without their trailing slash (Redocly, Spectral); the wire serves both forms as the same
view, without a redirect (a POST would lose its body): core.middleware.OptionalTrailingSlashMiddleware."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient


@pytest.fixture
def staff(db, django_user_model):
    client = APIClient()
    client.force_authenticate(django_user_model.objects.create_superuser("slash", "s@example.com", "pw"))
    return client


def test_every_published_path_is_served_and_none_ends_with_a_slash(staff):
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    assert not [path for path in paths if path.endswith("/")]
    assert "/api/outages/events" in paths and "/rest/apis/customer/service/outageEventNotifications" in paths


@pytest.mark.parametrize("path", ["/api/outages/events", "/api/webhooks/subscriptions", "/api"])
def test_a_get_without_the_slash_is_the_same_answer(staff, path):
    bare, slashed = staff.get(path), staff.get(path + "/")
    assert bare.status_code == slashed.status_code == 200, (bare.status_code, bare.content[:200])
    assert bare.json() == slashed.json()


def test_a_post_without_the_slash_reaches_the_view_with_its_body(staff):
    body = {"externalSystem": "CCB-NMS integration", "outageMessages": []}
    bare = staff.post("/rest/apis/customer/service/outageEventNotifications", body, format="json")
    slashed = staff.post("/rest/apis/customer/service/outageEventNotifications/", body, format="json")
    assert bare.status_code == slashed.status_code == 400  # the same refusal: the body reached the view
    assert "outageMessages" in bare.content.decode() and "outageMessages" in slashed.content.decode()


def test_unknown_paths_stay_404_in_the_family_envelope(staff):
    for path in ("/api/no-such-list", "/rest/apis/no/such", "/api/outages/events/1/extra"):
        assert staff.get(path).status_code == 404, path
