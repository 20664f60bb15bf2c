"""Generated History tests (finding 10 of issue #21): the History page of every registered ModelAdmin opens with
real change records, and no stored value can break it.

- Every admin whose model is described to the change log (``core.changes.track``) gets a real change made through
  its services: `make run`'s demo data (loaded by ``load_demo``, which writes through the services), or, for a
  model the demo leaves without a change, a recipe in ``MAKE_CHANGE``. The page answers 200 and shows the change.
- Every admin, tracked or not, opens with a change whose stored values are hostile: counts named like dict methods
  (``items``, ``keys``, ``values``: the bundle's ``items`` count was the 500), nested JSON, markup, no values.
"""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from core.changes import display, record
from core.changes.models import Change
from core.changes.registry import is_tracked, tracked
from tests.core.test_admin_generated import MAKE_ONE

ADMINS = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
TRACKED = [(m, a) for m, a in ADMINS if is_tracked(m)]


@pytest.fixture
def staff(demo_data, db, client, django_user_model):
    user = django_user_model.objects.create_superuser("history-admin", "ha@example.com", "pw-history-admin")
    client.force_login(user)
    return client


def _history_url(model, pk):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[pk])


def _premise():
    from enrollments.models import Premise
    from enrollments.services import reference

    premise = Premise.objects.order_by("pk").first()
    premise.city = "Generated City"
    return reference.reference_save(obj=premise)


def _service_point():
    from enrollments.models import ServicePoint
    from enrollments.services import reference

    point = ServicePoint.objects.order_by("pk").first()
    point.service_type = "G"
    return reference.reference_save(obj=point)


def _device():
    from enrollments.models import Device
    from enrollments.services import reference

    device = Device.objects.order_by("pk").first()
    device.asset_type = "Generated thermostat"
    return reference.reference_save(obj=device)


def _customer():
    from enrollments.models import Customer
    from enrollments.services import reference

    customer = Customer.objects.order_by("pk").first()
    customer.name = "Generated Name"
    return reference.reference_save(obj=customer)


def _contact():
    from contacts.models import CustomerContact
    from contacts.services import contacts_mark_status

    contact = CustomerContact.objects.order_by("pk").first()
    contacts_mark_status(contacts=CustomerContact.objects.filter(pk=contact.pk), status="C1ST", reason="generated")
    return contact


def _subscription():
    from core.changes import subscriptions

    sub = subscriptions.subscription_create(
        name="history", target_url="https://hooks.example.com/history", event_types=["outage.created"]
    )
    sub.secret = ""  # rotate: a new one is generated
    return subscriptions.subscription_save(subscription=sub)


# Tracked models the demo data leaves without a change: how the test makes one, through the services.
MAKE_CHANGE = {
    "enrollments.Premise": _premise,
    "enrollments.ServicePoint": _service_point,
    "enrollments.Device": _device,
    "enrollments.Customer": _customer,
    "contacts.CustomerContact": _contact,
    "changes.Subscription": _subscription,
}


# Tracked models whose writes are only ever set-based (one change per batch, on no single object): their History
# page opens and says so, and the change log list of the model holds the batches.
SET_BASED = {"blackouts.Event"}


def _changed_object(model):
    label = model._meta.label
    if label in MAKE_CHANGE:
        return MAKE_CHANGE[label]()
    change = Change.objects.filter(object_type=tracked(model).object_type).exclude(object_id="").order_by("-id")
    for object_id in change.values_list("object_id", flat=True)[:50]:
        obj = model._default_manager.filter(pk=object_id).first()
        if obj is not None:
            return obj
    pytest.fail(f"the demo data has no change of {label}: add a recipe to MAKE_CHANGE (through its services)")


@pytest.mark.parametrize(("model", "model_admin"), TRACKED, ids=[m._meta.label for m, _ in TRACKED])
def test_history_of_every_tracked_model_shows_its_changes(staff, model, model_admin):
    if model._meta.label in SET_BASED:
        obj = model._default_manager.order_by("pk").first()
        batches = Change.objects.filter(object_type=tracked(model).object_type, object_id="")
        assert batches.exists(), "the demo wrote no batch"
        response = staff.get(_history_url(model, obj.pk))
        assert response.status_code == 200
        assert f"?object_type={tracked(model).object_type}" in response.content.decode()
        return
    obj = _changed_object(model)
    found = Change.objects.filter(object_type=tracked(model).object_type, object_id=str(obj.pk)).order_by("-id")
    assert found.exists(), f"no change recorded for {obj!r}"
    response = staff.get(_history_url(model, obj.pk))
    assert response.status_code == 200, response.content[:500]
    rows = response.context["rows"]
    assert [row["change"].pk for row in rows] == list(found.values_list("pk", flat=True)[: len(rows)])
    text = response.content.decode()
    latest = found[0]
    assert latest.action in text
    for name in latest.changes:  # each field by its label, as the form shows it (core.changes.display)
        assert f"<strong>{escape(display.field_label(model, name))}</strong>" in text
    for name in latest.counts:
        assert name in text


def test_every_tracked_model_is_in_the_admin():
    """The History page is reached from the admin: a tracked model without an admin would go untested here."""
    from core.changes.registry import REGISTRY

    described = {m._meta.label for m, t in REGISTRY.items() if t.declared}
    assert described <= {m._meta.label for m, _ in ADMINS}


def response_user(client):
    return client.get(reverse("admin:index")).wsgi_request.user


HOSTILE_COUNTS = {"items": 3, "keys": 1, "values": None, "get": "x", "nested": {"a": [1, 2]}, "<b>": "<i>bold</i>"}
HOSTILE_CHANGES = {
    "items": [None, {"a": [1, {"b": None}]}],
    "keys": [[1, "two"], True],
    "markup": ["<script>alert(1)</script>", ""],
    "broken": "not a pair",
}


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=[m._meta.label for m, _ in ADMINS])
def test_no_stored_value_breaks_the_history_page(staff, model, model_admin):
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        obj = MAKE_ONE[model._meta.label](response_user(staff))
    record(obj, "updated", changes=HOSTILE_CHANGES, counts=HOSTILE_COUNTS)
    response = staff.get(_history_url(model, obj.pk))
    assert response.status_code == 200, response.content[:500]
    text = response.content.decode()
    assert "<script>alert(1)" not in text
    assert "items: 3" in text
    assert "nested: a: 1, 2" in text  # a nested value as labelled fields: neither JSON nor a Python repr
    assert "a: 1, b: ∅" in text
    assert "{&#x27;" not in text and "{&quot;" not in text
    assert "&lt;b&gt;: &lt;i&gt;bold&lt;/i&gt;" in text
