"""Array bounds, checked first (core/wire/bounds.py; the BMC schemas' ``check_max_items``, blackouts/api/bmc.py, in
tests/blackouts/test_wire_bounds.py): every list of every wire
request body has a declared maximum, and a body over one is a 400 in its family's envelope decided on lengths
alone — no element validated, looked up, written or logged one by one (attack run r3: 10,001 outageMessages were
refused only after 20 s, 10,001 BMC events were judged event by event before the limit was).

"No per-element work" is proven without a clock: the element serializers and validators are made to fail if they
are reached.
"""

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers

from core.wire.bounds import check_list_lengths, unbounded_lists
from tests.factories.outages import ExternalSystemFactory

NOTIFICATIONS = "/rest/apis/customer/service/outageEventNotifications/"


def _views(patterns=None):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "view_class", None)
            if view_class is not None:
                yield view_class


def _request_serializers():
    """Every wire request serializer: the Oracle views' (from the URL resolver, so a view added later is covered)
    and the UIM bundle's."""
    from inventory.api.serializers import BundleCreateSerializer, BundleUpdateSerializer

    found = {view.request_serializer_class for view in _views() if getattr(view, "request_serializer_class", None)}
    found |= {BundleCreateSerializer, BundleUpdateSerializer}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


SERIALIZERS = _request_serializers()


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=[cls.__name__ for cls in SERIALIZERS])
def test_every_list_of_every_wire_request_declares_its_maximum(serializer_class):
    assert unbounded_lists(serializer_class()) == []


def test_the_check_names_the_list_and_reads_no_element():
    class Leaf(serializers.Serializer):
        name = serializers.CharField()

        def run_validation(self, data=serializers.empty):
            raise AssertionError("an element was validated")

    class Item(serializers.Serializer):
        parts = Leaf(many=True, max_length=2)
        tags = serializers.ListField(child=serializers.CharField(), max_length=1)

    class Root(serializers.Serializer):
        items = Item(many=True, max_length=3)

    check_list_lengths(Root(), {"items": [{"parts": [{}, {}], "tags": ["a"]}]})  # within: nothing raised
    with pytest.raises(serializers.ValidationError) as caught:
        check_list_lengths(Root(), {"items": [{}, {"parts": [{}, {}, {}]}]})
    assert caught.value.detail == {
        "items[1].parts": ["Ensure this list has no more than 2 elements (it has 3)."],
    }
    with pytest.raises(serializers.ValidationError) as caught:
        check_list_lengths(Root(), {"items": [{"tags": "not a list"}, {}, {}, {}]})
    assert list(caught.value.detail) == ["items"]


# --- Oracle: outage notifications ------------------------------------------------------------------------------------


@pytest.fixture
def no_message_validated(monkeypatch):
    from outages.api import serializers as outage_serializers

    def reached(*args, **kwargs):
        raise AssertionError("an outage message was validated before the bounds were checked")

    monkeypatch.setattr(outage_serializers.OutageMessageSerializer, "run_validation", reached)
    monkeypatch.setattr(outage_serializers.OutageEventDetailsSerializer, "run_validation", reached)


def _message(n: int) -> dict:
    return {"eventDetails": {"externalOutageId": f"O-{n}", "messageReference": "1"}}


def test_10001_outage_messages_are_refused_on_their_length(integration_client, no_message_validated):
    from outages.models import OutageEvent, OutageMessage

    ExternalSystemFactory(name="CCB-NMS integration")
    body = {"externalSystem": "CCB-NMS integration", "outageMessages": [_message(n) for n in range(10_001)]}
    response = integration_client.post(NOTIFICATIONS, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    problem = response.json()
    assert "outageMessages: Ensure this list has no more than 500 elements (it has 10,001)." in problem["detail"]
    assert not OutageEvent.objects.exists()
    # The refusal is logged once, as its raw body (bounded), not as 10,001 entries.
    assert OutageMessage.objects.count() == 1


def test_outage_messages_at_their_bound_are_validated(integration_client):
    from outages.api.serializers import MAX_MESSAGES

    ExternalSystemFactory(name="CCB-NMS integration")
    body = {"externalSystem": "CCB-NMS integration", "outageMessages": [_message(n) for n in range(MAX_MESSAGES)]}
    body["outageMessages"][-1]["eventDetails"]["outageType"] = "NOPE"
    response = integration_client.post(NOTIFICATIONS, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert f"outageMessages[{MAX_MESSAGES - 1}].eventDetails.outageType" in response.json()["detail"]


@pytest.mark.parametrize(("name", "element"), [("characteristics", {}), ("additionalDetails", {"name": "x"})])
def test_a_list_of_a_message_over_its_bound_is_refused(integration_client, no_message_validated, name, element):
    ExternalSystemFactory(name="CCB-NMS integration")
    message = _message(1)
    if name == "additionalDetails":
        message["eventDetails"][name] = [element] * 101
    else:
        message[name] = [element] * 101
    body = {"externalSystem": "CCB-NMS integration", "outageMessages": [_message(0), message]}
    response = integration_client.post(NOTIFICATIONS, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    path = f"outageMessages[1].eventDetails.{name}" if name == "additionalDetails" else f"outageMessages[1].{name}"
    assert f"{path}: Ensure this list has no more than 100 elements" in response.json()["detail"]


def test_the_customers_list_has_its_bound():
    from outages.api.serializers import MAX_CUSTOMERS, OutageCustomerListField

    assert OutageCustomerListField().max_length == MAX_CUSTOMERS
    field = OutageCustomerListField(max_length=2)
    with pytest.raises(serializers.ValidationError):
        field.to_internal_value([{"accountId": "1"}] * 3)


# --- Oracle: customer contacts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["templateData", "customerContactIdentifier"])
def test_a_contact_list_over_its_bound_is_refused(integration_client, name):
    element = {"key": "k", "value": "v"} if name == "templateData" else {"externalRefId": "R1"}
    body = {"deliveryChannel": "SMS ", "deliveryValue": "+14155552671", name: [element] * 101}
    response = integration_client.put(
        "/rest/apis/customer/v-model/customerContact/NP-1", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert f"{name}: Ensure this" in response.json()["detail"]
