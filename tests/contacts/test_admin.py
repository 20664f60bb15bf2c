"""The contacts admin: list, filters, search by account/person/address/id, detail with history, actions."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import ContactStatusEvent, CustomerContact, CustomerContactIdentifier
from core.errors import Conflict
from tests.factories.contacts import CustomerContactFactory

CHANGELIST = reverse("admin:contacts_customercontact_changelist")


@pytest.fixture
def contacts(db):
    CustomerContactFactory.create_batch(30)
    target = CustomerContactFactory(
        external_cc_id="NP-FIND-ME",
        account_id="1589809032",
        person_id="0023939882",
        delivery_channel="SMS ",
        delivery_value="+14155552671",
        status="C1CK",
        notification_type="OUTAGE_RESTORED",
    )
    services.contact_upsert(
        external_cc_id="NP-FIND-ME",
        fields={},
        identifiers=[{"external_ref_id": "OMS-77", "identifier_type": "C1OS"}],
        template_data=[{"key": "eta", "value": "18:30"}],
    )
    services.contact_upsert(
        external_cc_id="NP-FIND-ME",
        fields={"status": "C1ST", "reason": "late", "event_captured_at": datetime(2020, 1, 1, tzinfo=UTC)},
    )
    return target


def test_changelist_lists_the_columns_in_bounded_queries(admin_client, contacts, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    text = response.content.decode()
    for header in (
        "External CC id",
        "CC id",
        "Account id",
        "Person id",
        "Delivery channel",
        "Status",
        "Event captured",
    ):
        assert header in text
    assert contacts.cc_id in text


@pytest.mark.parametrize("query", ["1589809032", "0023939882", "NP-FIND-ME", "+14155552671", "4155552671"])
def test_search_by_account_person_id_and_address(admin_client, contacts, query):
    response = admin_client.get(CHANGELIST, {"q": query})
    assert response.status_code == 200
    result = list(response.context["cl"].result_list)
    assert result == [contacts]


def test_search_by_cc_id(admin_client, contacts):
    assert list(admin_client.get(CHANGELIST, {"q": contacts.cc_id}).context["cl"].result_list) == [contacts]


@pytest.mark.parametrize(
    "params",
    [{"status__exact": "C1CK"}, {"delivery_channel__exact": "SMS "}, {"notification_type": "OUTAGE_RESTORED"}],
)
def test_filters(admin_client, contacts, params):
    response = admin_client.get(CHANGELIST, params)
    assert response.status_code == 200
    assert contacts in list(response.context["cl"].result_list)
    assert all(
        getattr(c, next(iter(params)).split("__")[0]) == next(iter(params.values()))
        for c in response.context["cl"].result_list
    )


def test_origin_and_date_filters_answer(admin_client, contacts):
    assert admin_client.get(CHANGELIST, {"origin__exact": "NMS "}).status_code == 200
    assert admin_client.get(CHANGELIST, {"event_captured_at__gte": "2020-01-01"}).status_code == 200


def test_detail_shows_identifiers_template_data_and_history(admin_client, contacts):
    url = reverse("admin:contacts_customercontact_change", args=[contacts.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert "OMS-77" in text and "18:30" in text
    assert "Status history" in text
    assert "late" in text  # the out-of-order report is in the history
    assert contacts.cc_id in text


def test_mark_failed_action_calls_the_service(admin_client, contacts):
    response = admin_client.post(CHANGELIST, {"action": "mark_failed", "_selected_action": [contacts.pk]}, follow=True)
    assert response.status_code == 200
    contacts.refresh_from_db()
    assert contacts.status == "C1FL"
    assert ContactStatusEvent.objects.filter(contact=contacts, status="C1FL", applied=True).exists()


def test_status_event_changelist(admin_client, contacts, django_assert_max_num_queries):
    url = reverse("admin:contacts_contactstatusevent_changelist")
    with django_assert_max_num_queries(10):
        response = admin_client.get(url, {"q": "NP-FIND-ME"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1


def test_other_admin_pages_answer(admin_client, contacts):
    for name in ("contacts_customercontactidentifier", "contacts_templateparameter"):
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_admin_edit_keeps_the_delivery_rule(admin_client, contacts):
    url = reverse("admin:contacts_customercontact_change", args=[contacts.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"delivery_channel": "EMAI", "delivery_value": "+14155552671"})
    for prefix in ("identifiers", "template_data", "status_events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = admin_client.post(url, data)
    assert response.status_code == 200  # the form is shown again with the error
    assert "is not an e-mail address" in response.content.decode()
    assert CustomerContact.objects.get(pk=contacts.pk).delivery_channel == "SMS "


# --- Admin writes go through the same service as the wire PUT ---------------------------------------------------

ADD = reverse("admin:contacts_customercontact_add")


def form_data(response, **values) -> dict:
    """The POST body of an admin change form as shown (fields and inline management forms), with ``values``."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        initial = form.initial.get(name, field.initial)
        if initial is not None:
            data[name] = initial
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-TOTAL_FORMS": "0", f"{formset.prefix}-INITIAL_FORMS": "0"})
        existing = list(formset.initial_forms)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(existing))
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(len(existing))
        for sub in existing:
            for name in sub.fields:
                value = sub.initial.get(name, sub.fields[name].initial)
                if name == "id":
                    value = sub.instance.pk
                elif name == "contact":
                    value = sub.instance.contact_id
                if value is not None:
                    data[f"{sub.prefix}-{name}"] = value
    data.update(values)
    return data


def add_contact(client, **values):
    return client.post(ADD, form_data(client.get(ADD), **values))


ADMIN_CONTACT = {
    "external_cc_id": "ADMIN-1",
    "account_id": "1589809012",
    "delivery_channel": "SMS ",
    "delivery_value": "+14155552671",
    "notification_type": "OUTAGE_START",
    "origin": "NMS ",
    "status": "C1PN",
    "reason": "queued by hand",
    "event_captured_at_0": "2025-02-06",
    "event_captured_at_1": "10:00:00",
}


@pytest.mark.django_db
def test_admin_add_assigns_a_cc_id_and_records_the_status_as_the_wire_does(admin_client, integration_client):
    response = add_contact(admin_client, **ADMIN_CONTACT)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    contact = CustomerContact.objects.get(external_cc_id="ADMIN-1")
    assert re.fullmatch(r"\d{10}", contact.cc_id)
    assert (contact.status, contact.reason) == ("C1PN", "queued by hand")
    assert contact.event_captured_at == datetime(2025, 2, 6, 10, 0, tzinfo=UTC)
    events = list(contact.status_events.values_list("status", "reason", "applied"))
    assert events == [("C1PN", "queued by hand", True)]
    wire = integration_client.get(f"/rest/apis/customer/v-model/customerContact/{contact.external_cc_id}")
    assert wire.status_code == 200
    assert wire.json()["ccId"] == contact.cc_id
    assert wire.json()["status"] == "C1PN" and wire.json()["deliveryChannel"] == "SMS "


@pytest.mark.django_db
def test_admin_adds_a_second_contact(admin_client):
    """Used to be a 500 IntegrityError: both admin-made contacts had an empty ccId."""
    assert add_contact(admin_client, **ADMIN_CONTACT).status_code == 302
    assert add_contact(admin_client, **{**ADMIN_CONTACT, "external_cc_id": "ADMIN-2"}).status_code == 302
    cc_ids = set(CustomerContact.objects.values_list("cc_id", flat=True))
    assert len(cc_ids) == 2 and all(re.fullmatch(r"\d{10}", c) for c in cc_ids)


@pytest.mark.django_db
def test_admin_add_without_status_records_no_history(admin_client):
    values = {**ADMIN_CONTACT, "status": "", "reason": "", "event_captured_at_0": "", "event_captured_at_1": ""}
    assert add_contact(admin_client, **values).status_code == 302
    contact = CustomerContact.objects.get()
    assert re.fullmatch(r"\d{10}", contact.cc_id) and contact.status == ""
    assert not contact.status_events.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"delivery_channel": "EMAI"}, "delivery_value", "is not an e-mail address"),
        ({"delivery_value": "not a number"}, "delivery_value", "is not a phone number"),
        ({"external_cc_id": ""}, "external_cc_id", "This field is required."),
        ({"status": "C1XX"}, "status", "is not one of the available choices"),
    ],
)
def test_admin_add_of_invalid_input_is_a_form_error(admin_client, values, field, message):
    response = add_contact(admin_client, **{**ADMIN_CONTACT, **values})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors.get(field, [])), errors
    assert not CustomerContact.objects.exists()


@pytest.mark.django_db
def test_admin_add_of_an_existing_external_id_is_a_form_error(admin_client, contacts):
    response = add_contact(admin_client, **{**ADMIN_CONTACT, "external_cc_id": "NP-FIND-ME"})
    assert response.status_code == 200
    assert "external_cc_id" in response.context["adminform"].form.errors
    assert CustomerContact.objects.filter(external_cc_id="NP-FIND-ME").count() == 1


@pytest.mark.django_db
def test_admin_add_with_identifiers_and_template_data(admin_client):
    values = {
        **ADMIN_CONTACT,
        "identifiers-TOTAL_FORMS": "2",
        "identifiers-0-position": "1",
        "identifiers-0-identifier_type": "C1OS",
        "identifiers-0-external_ref_id": "OMS-2",
        "identifiers-1-position": "0",
        "identifiers-1-identifier_type": "C1NS",
        "identifiers-1-external_ref_id": "NP-1",
        "template_data-TOTAL_FORMS": "1",
        "template_data-0-position": "0",
        "template_data-0-key": "eta",
        "template_data-0-value": "18:30",
    }
    assert add_contact(admin_client, **values).status_code == 302
    contact = CustomerContact.objects.get()
    assert list(contact.identifiers.order_by("position").values_list("position", "external_ref_id")) == [
        (0, "NP-1"),
        (1, "OMS-2"),
    ]
    assert list(contact.template_data.values_list("key", "value")) == [("eta", "18:30")]


@pytest.mark.django_db
def test_admin_change_goes_through_the_service(admin_client, contacts):
    url = reverse("admin:contacts_customercontact_change", args=[contacts.pk])
    before = CustomerContact.objects.get(pk=contacts.pk)
    page = admin_client.get(url)
    form = page.context["adminform"].form
    assert "external_cc_id" not in form.fields  # the key of the external system is not renamed here
    assert "status" not in form.fields  # statuses change through reports and the actions, with history
    data = form_data(
        page, delivery_channel="EMAI", delivery_value="jane@example.com", **{"template_data-0-value": "19:00"}
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    after = CustomerContact.objects.get(pk=contacts.pk)
    assert (after.delivery_channel, after.delivery_value) == ("EMAI", "jane@example.com")
    assert after.cc_id == before.cc_id and after.status == before.status
    assert list(after.template_data.values_list("key", "value")) == [("eta", "19:00")]
    assert list(after.identifiers.values_list("external_ref_id", flat=True)) == ["OMS-77"]
    assert after.status_events.count() == before.status_events.count()


@pytest.mark.django_db
def test_admin_change_deleting_an_inline_row(admin_client, contacts):
    url = reverse("admin:contacts_customercontact_change", args=[contacts.pk])
    response = admin_client.post(url, form_data(admin_client.get(url), **{"identifiers-0-DELETE": "on"}))
    assert response.status_code == 302
    assert not CustomerContactIdentifier.objects.filter(contact=contacts).exists()


@pytest.mark.django_db
def test_admin_deletes_a_contact_without_history_through_the_service(admin_client, monkeypatch):
    contact = CustomerContactFactory()
    calls = []
    monkeypatch.setattr(services, "contacts_delete", lambda *, contacts: calls.append(list(contacts)) or 1)
    url = reverse("admin:contacts_customercontact_delete", args=[contact.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert calls == [[contact]]


@pytest.mark.django_db
def test_admin_delete_and_bulk_delete_remove_a_contact_without_history(admin_client):
    one, two, three = CustomerContactFactory.create_batch(3)
    url = reverse("admin:contacts_customercontact_delete", args=[one.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    action = {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"}
    assert admin_client.post(CHANGELIST, action).status_code == 302
    assert not CustomerContact.objects.exists()


@pytest.mark.django_db
def test_a_contact_with_status_history_cannot_be_deleted(admin_client, contacts):
    """Deleting the contact would delete its history, which no one may delete."""
    history = ContactStatusEvent.objects.filter(contact=contacts).count()
    assert history >= 1
    url = reverse("admin:contacts_customercontact_delete", args=[contacts.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert ContactStatusEvent.objects.filter(contact=contacts).count() == history


# --- The status history is read-only for everyone -----------------------------------------------------------------


@pytest.mark.django_db
def test_status_history_admin_is_read_only_even_for_a_superuser(admin_client, contacts):
    event = ContactStatusEvent.objects.filter(contact=contacts).first()
    change = reverse("admin:contacts_contactstatusevent_change", args=[event.pk])
    assert admin_client.get(change).status_code == 200  # viewable
    assert admin_client.get(reverse("admin:contacts_contactstatusevent_add")).status_code == 403
    assert admin_client.post(change, {"status": "C1CK", "reason": "forged"}).status_code == 403
    delete = reverse("admin:contacts_contactstatusevent_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:contacts_contactstatusevent_changelist")
    admin_client.post(changelist, {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    event.refresh_from_db()
    assert (event.status, event.reason) != ("C1CK", "forged")


@pytest.mark.django_db
def test_status_history_inline_has_no_add_change_or_delete(admin_client, contacts, rf, admin_user):
    from django.contrib import admin as django_admin

    model_admin = django_admin.site._registry[CustomerContact]
    request = rf.get("/")
    request.user = admin_user
    inline = next(i for i in model_admin.get_inline_instances(request, contacts) if i.model is ContactStatusEvent)
    assert not inline.has_add_permission(request, contacts)
    assert not inline.has_change_permission(request, contacts)
    assert not inline.has_delete_permission(request, contacts)


@pytest.mark.django_db
def test_status_history_cannot_be_forged_through_the_contact_page(admin_client, contacts):
    url = reverse("admin:contacts_customercontact_change", args=[contacts.pk])
    page = admin_client.get(url)
    history = list(ContactStatusEvent.objects.filter(contact=contacts).values_list("pk", "status", "reason"))
    data = form_data(page)
    for index, (pk, _, _) in enumerate(history):
        data.update(
            {
                f"status_events-{index}-id": pk,
                f"status_events-{index}-contact": contacts.pk,
                f"status_events-{index}-status": "C1CK",
                f"status_events-{index}-reason": "forged",
                f"status_events-{index}-DELETE": "on",
            }
        )
    data.update(
        {
            "status_events-TOTAL_FORMS": str(len(history) + 1),
            "status_events-INITIAL_FORMS": str(len(history)),
            f"status_events-{len(history)}-status": "C1DV",
            f"status_events-{len(history)}-reason": "forged new",
        }
    )
    admin_client.post(url, data)
    after = list(ContactStatusEvent.objects.filter(contact=contacts).values_list("pk", "status", "reason"))
    assert sorted(after) == sorted(history)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["contacts_customercontactidentifier", "contacts_templateparameter"])
def test_list_rows_are_edited_only_through_their_contact(admin_client, contacts, name):
    """Identifiers and template data are written by the contact's service (its page's inlines), never alone."""
    assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 403


@pytest.mark.django_db
def test_a_domain_error_while_saving_is_a_message_never_a_500(admin_client, monkeypatch):
    """A refusal the form could not foresee (a race) rolls the add back and is shown on the page."""

    def refuse(**kwargs):
        raise Conflict("Customer contact ADMIN-1 could not be created or locked; try again.", code="x.y")

    monkeypatch.setattr(services, "contact_upsert", refuse)
    response = add_contact(admin_client, **ADMIN_CONTACT)
    assert response.status_code == 302 and response.url == ADD
    page = admin_client.get(ADD)
    assert "Not saved: Customer contact ADMIN-1 could not be created" in page.content.decode()
    assert not CustomerContact.objects.exists()
