"""The contacts admin: list, filters, search by account/person/address/id, detail with history, actions."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from contacts import services
from contacts.models import ContactStatusEvent, CustomerContact
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
