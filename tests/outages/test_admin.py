"""Admin screens: list, filters, search by customer, detail without inline customers, read-only log; browser test."""

import pytest
from django.urls import reverse

from outages.filters import OutageEventFilterSet
from outages.models import ExternalSystem, OutageCustomer, OutageEvent, OutageMessage, OutageState
from outages.services import outage_notifications_apply
from tests.factories.outages import ExternalSystemFactory, OutageCustomerFactory, OutageEventFactory

from .conftest import customers, message, notifications

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def storm(db):
    ExternalSystemFactory(name="CCB-NMS integration")
    outage_notifications_apply(
        external_system="CCB-NMS integration",
        notifications=notifications(
            message("STORM-1", reference=1, customers=customers(0, 1500), impactedCustomers=1600)
        ),
    )
    return OutageEvent.objects.get(external_outage_id="STORM-1")


def test_event_list_filters_and_query_budget(admin_client_, django_assert_max_num_queries):
    system = ExternalSystemFactory()
    for n in range(30):
        OutageEventFactory(external_system=system, state=OutageState.ACTIVE if n % 2 else OutageState.RESTORED)
    url = reverse("admin:outages_outageevent_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client_.get(url, {"state__exact": "active"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 15


def test_search_by_account_or_service_point(admin_client_):
    hit = OutageEventFactory(external_outage_id="HIT")
    OutageEventFactory(external_outage_id="MISS")
    OutageCustomerFactory(event=hit, account_id="1589809032", sp_id="2486945183")
    url = reverse("admin:outages_outageevent_changelist")
    for term in ("1589809032", "2486945183", "HIT"):
        found = [e.external_outage_id for e in admin_client_.get(url, {"q": term}).context["cl"].result_list]
        assert found == ["HIT"], term
    filtered = admin_client_.get(url, {"q": "1589809032", "state__exact": "restored"}).context["cl"]
    assert list(filtered.result_list) == []  # search by customer keeps the sidebar filters


def test_detail_links_to_paginated_customer_list(admin_client_, storm, django_assert_max_num_queries):
    response = admin_client_.get(reverse("admin:outages_outageevent_change", args=[storm.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "1500 customers listed" in page
    assert page.count("0000000001") == 0  # no customer rows inline
    customers_url = reverse("admin:outages_outagecustomer_changelist")
    assert f"{customers_url}?event={storm.pk}" in page
    with django_assert_max_num_queries(10):
        listing = admin_client_.get(customers_url, {"event": storm.pk})
    assert listing.status_code == 200
    assert len(listing.context["cl"].result_list) == 100


def test_message_log_is_read_only(admin_client_, storm):
    entry = OutageMessage.objects.get()
    response = admin_client_.get(reverse("admin:outages_outagemessage_change", args=[entry.pk]))
    assert response.status_code == 200
    assert "STORM-1" in response.content.decode()
    assert b'name="_save"' not in response.content
    assert admin_client_.get(reverse("admin:outages_outagemessage_add")).status_code == 403


def test_delete_confirmation_summarises_and_deletes_customers(admin_client_, storm, django_assert_max_num_queries):
    url = reverse("admin:outages_outageevent_delete", args=[storm.pk])
    with django_assert_max_num_queries(15):
        page = admin_client_.get(url)
    assert page.status_code == 200
    assert "1500 outage customers" in page.content.decode()
    assert admin_client_.post(url, {"post": "yes"}).status_code == 302
    assert not OutageEvent.objects.exists()
    assert not OutageCustomer.objects.exists()
    assert OutageMessage.objects.get().event is None  # the log stays


def test_discard_action_calls_the_service(admin_client_, storm):
    url = reverse("admin:outages_outageevent_changelist")
    admin_client_.post(url, {"action": "discard", "_selected_action": [storm.pk]})
    storm.refresh_from_db()
    assert storm.state == OutageState.DISCARDED


def test_deactivate_action(admin_client_, storm):
    url = reverse("admin:outages_externalsystem_changelist")
    admin_client_.post(url, {"action": "deactivate", "_selected_action": [storm.external_system_id]})
    assert not ExternalSystem.objects.get().is_active


def test_filterset_by_customer_and_state(storm):
    OutageEventFactory(external_outage_id="OTHER")
    account = customers(0, 1)[0]["accountId"]
    assert [e.external_outage_id for e in OutageEventFilterSet({"account_id": account}).qs] == ["STORM-1"]
    assert OutageEventFilterSet({"state": "active", "external_system": "CCB-NMS integration"}).qs.count() == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_browser_list_filter_active_and_open_one(admin_page):
    system = ExternalSystemFactory()
    OutageEventFactory(external_system=system, external_outage_id="ACTIVE-1", state=OutageState.ACTIVE)
    OutageEventFactory(external_system=system, external_outage_id="DONE-1", state=OutageState.RESTORED)
    page = admin_page
    page.goto("/admin/outages/outageevent/")
    assert "ACTIVE-1" in page.content() and "DONE-1" in page.content()
    page.locator("#changelist-filter").get_by_role("link", name="Active", exact=True).click()
    page.wait_for_url("**state__exact=active**")
    assert "DONE-1" not in page.content()
    page.get_by_role("link", name="ACTIVE-1").click()
    page.wait_for_url("**/change/**")
    assert "Change outage event" in page.content()
    assert "listed: open the list" in page.content()


def test_editing_an_event_recomputes_its_state(admin_client_, storm):
    url = reverse("admin:outages_outageevent_change", args=[storm.pk])
    form = admin_client_.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "discarded": "on",
            "start_date_time_0": "2025-02-06",
            "start_date_time_1": "10:00:00",
            "estimated_restoration_time_0": "",
            "estimated_restoration_time_1": "",
            "completion_date_time_0": "",
            "completion_date_time_1": "",
            "characteristics-TOTAL_FORMS": "0",
            "characteristics-INITIAL_FORMS": "0",
            "details-TOTAL_FORMS": "0",
            "details-INITIAL_FORMS": "0",
        }
    )
    data.pop("start_date_time", None)
    data.pop("estimated_restoration_time", None)
    data.pop("completion_date_time", None)
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    storm.refresh_from_db()
    assert storm.state == OutageState.DISCARDED


# --- every door through the services; the log read-only for everyone ------------------------------------------


def _form_data(client, url) -> dict:
    """The POST data of an admin change or add page as it stands (fields and inline management forms)."""
    context = client.get(url).context
    data = {}
    for form in [context["adminform"].form] + [f for fs in context["inline_admin_formsets"] for f in fs.formset.forms]:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, list):
                for i, part in enumerate(value):
                    data[f"{key}_{i}"] = part or ""
            elif value is True:
                data[key] = "on"
            elif value not in (None, False):
                data[key] = value.isoformat() if hasattr(value, "isoformat") else value
        if form is context["adminform"].form:
            for name in ("start_date_time", "estimated_restoration_time", "completion_date_time"):
                data.pop(name, None)
                data.setdefault(f"{name}_0", "")
                data.setdefault(f"{name}_1", "")
    for inline in context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    return data


def _times(data, **values):
    for name, value in values.items():
        date, _, time = (value or " ").partition(" ")
        data[f"{name}_0"], data[f"{name}_1"] = date.strip(), time.strip()
    return data


@pytest.fixture
def service_calls(monkeypatch):
    from outages import services

    calls = []
    real = services.outage_event_save

    def spy(**kwargs):
        calls.append(kwargs["event"].external_outage_id)
        return real(**kwargs)

    monkeypatch.setattr(services, "outage_event_save", spy)
    return calls


def test_admin_add_goes_through_the_service_which_derives_the_state(admin_client_, service_calls):
    system = ExternalSystemFactory()
    data = _form_data(admin_client_, reverse("admin:outages_outageevent_add"))
    data.update({"external_system": system.pk, "external_outage_id": "ADMIN-1", "outage_type": "C1UP"})
    _times(data, start_date_time="2025-02-06 10:00:00", completion_date_time="2025-02-06 12:00:00")
    response = admin_client_.post(reverse("admin:outages_outageevent_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = OutageEvent.objects.get(external_outage_id="ADMIN-1")
    assert event.state == OutageState.RESTORED  # derived by the service, not sent by the form
    assert service_calls == ["ADMIN-1"]


@pytest.mark.parametrize(
    ("times", "field", "text"),
    [
        (
            {"start_date_time": "2025-02-06 10:00:00", "estimated_restoration_time": "2025-02-06 09:59:59"},
            "estimated_restoration_time",
            "The estimated restoration time is before the start.",
        ),
        ({"start_date_time": "0001-01-01 00:00:00"}, "start_date_time", "out of range"),
        ({"completion_date_time": "9999-12-31 23:59:59"}, "completion_date_time", "out of range"),
    ],
)
def test_admin_refuses_times_the_wire_refuses(admin_client_, storm, service_calls, times, field, text):
    url = reverse("admin:outages_outageevent_change", args=[storm.pk])
    response = admin_client_.post(url, _times(_form_data(admin_client_, url), **times))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert text in " ".join(errors[field]), errors
    assert service_calls == []
    storm.refresh_from_db()
    assert storm.start_date_time is None


def test_admin_inline_rows_are_replaced_through_the_service(admin_client_, storm):
    characteristic = {
        "characteristicType": "CM-CREW",
        "typeOfCharacteristicValue": "FKV ",
        "sequence": 1,
        "characteristicValue": {"value": "crew", "value4": "kept"},  # value4 is not shown by the inline
    }
    outage_notifications_apply(
        external_system="CCB-NMS integration",
        notifications=notifications(
            {"eventDetails": {"externalOutageId": "STORM-1"}, "characteristics": [characteristic]}
        ),
    )
    url = reverse("admin:outages_outageevent_change", args=[storm.pk])
    data = _form_data(admin_client_, url)
    data["characteristics-0-value"] = "crew 7"
    data.update({"details-TOTAL_FORMS": "1", "details-0-name": "cause", "details-0-value": "storm"})
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    row = storm.characteristics.get()
    assert (row.value, row.value4, row.type_of_characteristic_value) == ("crew 7", "kept", "FKV ")
    assert list(storm.details.values_list("name", "value")) == [("cause", "storm")]


@pytest.mark.parametrize("model_name", ["outagemessage", "outagecustomer"])
def test_logs_are_read_only_even_for_a_superuser(admin_client_, storm, model_name):
    entry = OutageMessage.objects.get() if model_name == "outagemessage" else storm.customers.first()
    add = reverse(f"admin:outages_{model_name}_add")
    change = reverse(f"admin:outages_{model_name}_change", args=[entry.pk])
    delete = reverse(f"admin:outages_{model_name}_delete", args=[entry.pk])
    assert admin_client_.get(add).status_code == 403
    assert admin_client_.post(add, {}).status_code == 403
    assert admin_client_.post(change, {"reason": "forged", "outcome": "applied"}).status_code == 403
    assert admin_client_.get(delete).status_code == 403
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    changelist = admin_client_.get(reverse(f"admin:outages_{model_name}_changelist"))
    action_form = changelist.context["action_form"]  # None when the page offers no action at all
    actions = [name for name, _ in action_form.fields["action"].choices] if action_form else []
    assert "delete_selected" not in actions
    assert admin_client_.post(
        reverse(f"admin:outages_{model_name}_changelist"), {"action": "delete_selected", "_selected_action": [entry.pk]}
    ).status_code in (200, 302)
    assert type(entry).objects.filter(pk=entry.pk).exists()
    if model_name == "outagemessage":
        assert OutageMessage.objects.get().reason == ""


def test_external_system_add_goes_through_the_service(admin_client_, monkeypatch):
    from outages import services

    saved = []
    real = services.external_system_save
    monkeypatch.setattr(services, "external_system_save", lambda **kw: saved.append(kw["system"].name) or real(**kw))
    url = reverse("admin:outages_externalsystem_add")
    response = admin_client_.post(url, {"name": "New OMS", "description": "", "is_active": "on"})
    assert response.status_code == 302
    assert saved == ["New OMS"]
    assert ExternalSystem.objects.get().name == "New OMS"
