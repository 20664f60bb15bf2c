"""Domain rules and how their errors reach the UIM envelope (one table, ``inventory/api/errors.py``)."""

import json

import pytest
from django.core.exceptions import ValidationError

from core.errors import Invalid
from inventory import services
from inventory.models import InteractionTransition, Service
from tests.factories.inventory import new_items

from .conftest import BASE, example

BUNDLE = f"{BASE}/v3/bundle"
pytestmark = pytest.mark.django_db


@pytest.fixture
def client(demo, integration_client):
    return integration_client


def post(client, path, body=None):
    return client.post(path, data=json.dumps(body) if body is not None else None, content_type="application/json")


def test_a_service_cannot_end_before_it_starts_on_the_wire(client):
    body = example("create-request")
    body["items"][1].update(startDate="2030-01-02T00:00:00Z", endDate="2030-01-01T00:00:00Z")
    before = Service.objects.count()
    response = post(client, BUNDLE, body)
    assert response.status_code == 400, response.content
    error = response.json()
    assert (error["code"], error["status"]) == ("INVALID_REQUEST", "400-2")
    assert error["message"] == ["items[1].endDate: The end date cannot be before the start date."]
    assert Service.objects.count() == before


def test_an_end_date_without_a_start_date_is_checked_against_now(client):
    body = example("create-request")
    body["items"][0]["endDate"] = "2001-01-01T00:00:00Z"  # the service starts now
    assert post(client, BUNDLE, body).status_code == 400
    body["items"][0]["endDate"] = "2099-01-01T00:00:00Z"
    assert post(client, BUNDLE, body).status_code == 201


def test_the_model_holds_the_same_date_rule(demo):
    service = Service.objects.get(pk=450005)
    service.end_date = service.start_date.replace(year=2000)
    with pytest.raises(ValidationError) as caught:
        service.full_clean()
    assert caught.value.message_dict == {"end_date": ["The end date cannot be before the start date."]}
    with pytest.raises(Invalid):
        services.service_update(service_id=service.pk, details=services.details_of(service))


def test_a_conflict_with_the_recorded_history_is_409_and_applies_nothing(client):
    bundle = services.bundle_create(items=new_items(1), design_only=True)
    InteractionTransition.objects.create(
        interaction=bundle, attempt=1, task="FORGED", from_state="CREATED", to_state="APPROVED"
    )
    response = post(client, f"{BUNDLE}/{bundle.pk}/APPROVE")
    assert response.status_code == 409
    assert response.json()["status"] == "409-1"
    assert "already records a change to APPROVED" in response.json()["message"][0]
    bundle.refresh_from_db()
    assert bundle.state == "CREATED"


@pytest.mark.parametrize("path", [f"{BASE}/v3/service?name=a%00b", f"{BASE}/v3/service?state=%00"])
def test_a_nul_character_in_a_filter_is_refused(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["status"] == "400-2"


def test_unknown_bundle_names_its_entity_type(client):
    response = client.get(f"{BUNDLE}/424242")
    assert response.status_code == 404
    body = response.json()
    assert (body["code"], body["entityType"], body["message"]) == (
        "ENTITY_NOT_FOUND",
        "Service",
        ["Bundle 424242 not found."],
    )
