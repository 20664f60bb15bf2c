"""PUT/GET /rest/apis/customer/v-model/customerContact/{externalCCId}: the wire contract and its rules."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import defusedxml.ElementTree as SafeET
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from contacts.models import ContactStatusEvent, CustomerContact
from core.changes.recording import enabled_subscriptions
from tests import query_budget
from tests.contract import OracleContract, to_xml, xml_root
from tests.factories.contacts import CustomerContactFactory

from .conftest import PATH, SPEC_BODY

assert_max_statements = query_budget.assert_max_statements  # the fixture

EXT = "NP-2025-000123"
URL = PATH + EXT


def put(client, body, ext=EXT, **extra):
    return client.put(PATH + ext, data=body, format="json", **extra)


class TestCustomerContactPut(OracleContract):
    path = URL
    method = "put"
    valid_body = SPEC_BODY
    invalid_body = {**SPEC_BODY, "deliveryChannel": "PIGN"}
    invalid_field = "deliveryChannel"
    xml_root = "C1CreUpdCC"


class TestCustomerContactGet(OracleContract):
    path = URL
    method = "get"
    xml_root = "C1CreUpdCC"

    @pytest.fixture
    def contract_data(self, db):
        return CustomerContactFactory(external_cc_id=EXT)


@pytest.mark.django_db
class TestUpsert:
    def test_spec_example_creates_the_contact_with_a_ccid(self, integration_client, spec_body):
        response = put(integration_client, spec_body)
        assert response.status_code == 200, response.content
        body = response.json()
        assert re.fullmatch(r"\d{10}", body["ccId"])
        assert body["externalCCId"] == EXT
        for name, value in spec_body.items():
            if name != "eventCapturedDateTime":
                assert body[name] == value, name
        assert body["eventCapturedDateTime"] == "2025-02-06T10:00:00Z"
        contact = CustomerContact.objects.get()
        assert contact.cc_id == body["ccId"]
        assert contact.account_id == "1589809012" and contact.person_id == "0023939882"
        assert contact.delivery_channel == "SMS " and contact.origin == "NMS "

    def test_update_keeps_the_ccid_and_replaces_lists_as_a_whole(self, integration_client, spec_body):
        first = put(integration_client, spec_body).json()
        update = {
            "status": "C1DV",
            "eventCapturedDateTime": "2025-02-06T10:01:00Z",
            "customerContactIdentifier": [{"externalRefId": "NEW-1", "identifierType": "C1EX"}],
            "templateData": [{"key": "eta", "value": "19:00"}],
        }
        second = put(integration_client, update).json()
        assert second["ccId"] == first["ccId"]
        assert second["status"] == "C1DV"
        assert second["customerContactIdentifier"] == [{"externalRefId": "NEW-1", "identifierType": "C1EX"}]
        assert second["templateData"] == [{"key": "eta", "value": "19:00"}]
        assert second["deliveryValue"] == spec_body["deliveryValue"]  # fields not sent are kept
        assert CustomerContact.objects.count() == 1

    def test_update_without_lists_keeps_them(self, integration_client, spec_body):
        put(integration_client, spec_body)
        body = put(integration_client, {"status": "C1DV", "eventCapturedDateTime": "2025-02-06T10:05:00Z"}).json()
        assert len(body["customerContactIdentifier"]) == 2 and len(body["templateData"]) == 2

    def test_empty_lists_clear_them(self, integration_client, spec_body):
        put(integration_client, spec_body)
        body = put(integration_client, {"customerContactIdentifier": [], "templateData": []}).json()
        assert body["customerContactIdentifier"] == [] and body["templateData"] == []

    @pytest.mark.parametrize(
        ("sent", "stored"),
        [("SMS", "SMS "), ("SMS ", "SMS "), (" SMS ", "SMS "), ("EMAI", "EMAI"), ("IVR", "IVR "), ("FAX ", "FAX ")],
    )
    def test_channel_codes_compare_trimmed_and_keep_the_spec_form(self, integration_client, sent, stored):
        value = "someone@example.com" if stored == "EMAI" else "+31612345678"
        response = put(integration_client, {"deliveryChannel": sent, "deliveryValue": value})
        assert response.status_code == 200, response.content
        assert response.json()["deliveryChannel"] == stored

    @pytest.mark.parametrize(("sent", "stored"), [("NMS", "NMS "), ("NMS ", "NMS "), ("C1CB", "C1CB"), ("CCB", "C1CB")])
    def test_origin_codes(self, integration_client, sent, stored):
        response = put(integration_client, {"origin": sent})
        assert response.status_code == 200, response.content
        assert response.json()["origin"] == stored

    def test_body_external_id_equal_to_path_is_fine(self, integration_client, spec_body):
        assert put(integration_client, {**spec_body, "externalCCId": EXT}).status_code == 200

    def test_body_external_id_differing_from_path_is_400(self, integration_client, spec_body):
        response = put(integration_client, {**spec_body, "externalCCId": "OTHER"})
        assert response.status_code == 400
        assert response.json()["detail"].startswith("externalCCId:")
        assert not CustomerContact.objects.exists()

    def test_path_external_id_over_120_characters_is_400(self, integration_client):
        response = put(integration_client, {"status": "C1PN"}, ext="x" * 121)
        assert response.status_code == 400
        assert "externalCCId" in response.json()["detail"]
        assert put(integration_client, {"status": "C1PN"}, ext="x" * 120).status_code == 200

    @pytest.mark.parametrize(
        ("field", "limit"),
        [
            ("accountId", 10),
            ("ccId", 10),
            ("contactId", 10),
            ("deliveryValue", 254),
            ("emailSubject", 256),
            ("externalCCId", 120),
            ("notificationInstanceId", 32),
            ("notificationPreferenceId", 14),
            ("notificationType", 30),
            ("personId", 10),
            ("reason", 500),
        ],
    )
    def test_max_lengths_of_the_spec(self, integration_client, field, limit):
        response = put(integration_client, {field: "9" * (limit + 1)})
        assert response.status_code == 400
        assert response.json()["detail"].startswith(f"{field}:")

    @pytest.mark.parametrize(
        ("field", "value"),
        [("status", "C1XX"), ("status", "c1st"), ("origin", "OMS"), ("deliveryChannel", "MAIL"), ("status", "")],
    )
    def test_enums_of_the_spec(self, integration_client, field, value):
        response = put(integration_client, {field: value})
        assert response.status_code == 400
        assert response.json()["detail"].startswith(f"{field}:")

    def test_nested_enum_names_its_path(self, integration_client):
        response = put(integration_client, {"customerContactIdentifier": [{"identifierType": "C1XX"}]})
        assert response.status_code == 400
        assert "customerContactIdentifier[0].identifierType" in response.json()["detail"]

    def test_nested_max_lengths(self, integration_client):
        response = put(integration_client, {"templateData": [{"key": "k", "value": "v" * 255}]})
        assert response.status_code == 400
        assert "templateData[0].value" in response.json()["detail"]
        response = put(integration_client, {"customerContactIdentifier": [{"externalRefId": "r" * 121}]})
        assert "customerContactIdentifier[0].externalRefId" in response.json()["detail"]

    def test_bad_datetime_is_400(self, integration_client):
        response = put(integration_client, {"eventCapturedDateTime": "yesterday"})
        assert response.status_code == 400
        assert "eventCapturedDateTime" in response.json()["detail"]

    def test_strings_are_kept_as_sent(self, integration_client):
        body = put(integration_client, {"notificationType": " OUTAGE ", "reason": "  spaced  "}).json()
        assert body["notificationType"] == " OUTAGE " and body["reason"] == "  spaced  "

    def test_null_fields_are_ignored(self, integration_client, spec_body):
        put(integration_client, spec_body)
        body = put(integration_client, {"accountId": None, "notificationType": None}).json()
        assert body["accountId"] == "1589809012" and body["notificationType"] == spec_body["notificationType"]

    def test_ccid_sent_back_by_the_client_must_match(self, integration_client, spec_body):
        cc_id = put(integration_client, spec_body).json()["ccId"]
        assert put(integration_client, {"ccId": cc_id, "status": "C1DV"}).status_code == 200
        other = "0000000001" if cc_id != "0000000001" else "0000000002"
        response = put(integration_client, {"ccId": other, "status": "C1CK"})
        assert response.status_code == 400
        assert response.json()["detail"] == f'ccId: "{other}" differs from this contact\'s ccId.'
        assert response.json()["serverMessage"]["messageNbr"] == 4000
        assert CustomerContact.objects.get().status == "C1DV"  # the refused update changed nothing

    def test_ccid_on_create_is_refused_and_nothing_is_created(self, integration_client):
        response = put(integration_client, {"ccId": "1234567890", "status": "C1PN"})
        assert response.status_code == 400
        assert not CustomerContact.objects.exists()

    def test_analyst_can_read_but_not_write(self, analyst_user, spec_body):
        CustomerContactFactory(external_cc_id=EXT)
        client = APIClient()
        client.force_authenticate(analyst_user)
        assert client.get(URL).status_code == 200
        assert put(client, spec_body).status_code == 403


@pytest.mark.django_db
class TestDeliveryValue:
    @pytest.mark.parametrize(
        ("channel", "value"),
        [
            ("EMAI", "jane.doe@example.com"),
            ("SMS ", "+14155552671"),
            ("SMS", "(415) 555-2671"),
            ("IVR ", "+442071838750"),
            ("FAX ", "+31 20 123 4567"),
        ],
    )
    def test_values_that_fit_the_channel(self, integration_client, channel, value):
        response = put(integration_client, {"deliveryChannel": channel, "deliveryValue": value})
        assert response.status_code == 200, response.content

    @pytest.mark.parametrize(
        ("channel", "value"),
        [
            ("EMAI", "+14155552671"),
            ("EMAI", "jane.doe@"),
            ("SMS ", "jane.doe@example.com"),
            ("IVR ", "12"),
            ("FAX ", "not a number"),
        ],
    )
    def test_values_that_do_not_fit_are_400_naming_delivery_value(self, integration_client, channel, value):
        response = put(integration_client, {"deliveryChannel": channel, "deliveryValue": value})
        assert response.status_code == 400
        body = response.json()
        assert body["detail"].startswith("deliveryValue:")
        assert body["serverMessage"]["messageNbr"] == 4000
        assert not CustomerContact.objects.exists()

    def test_checked_against_the_stored_channel_on_update(self, integration_client):
        put(integration_client, {"deliveryChannel": "EMAI", "deliveryValue": "a@example.com"})
        response = put(integration_client, {"deliveryValue": "+14155552671"})
        assert response.status_code == 400
        assert response.json()["detail"].startswith("deliveryValue:")
        response = put(integration_client, {"deliveryChannel": "SMS ", "deliveryValue": "+14155552671"})
        assert response.status_code == 200

    def test_channel_change_must_fit_the_stored_value(self, integration_client):
        put(integration_client, {"deliveryChannel": "EMAI", "deliveryValue": "a@example.com"})
        assert put(integration_client, {"deliveryChannel": "SMS "}).status_code == 400


@pytest.mark.django_db
class TestStatusHistory:
    def at(self, minute: int) -> str:
        return f"2025-02-06T10:{minute:02d}:00Z"

    def report(self, client, status, minute, reason=""):
        body = {"status": status, "eventCapturedDateTime": self.at(minute), "reason": reason}
        response = put(client, body)
        assert response.status_code == 200, response.content
        return response.json()

    def test_every_status_is_recorded_with_reason_capture_and_receipt(self, integration_client):
        self.report(integration_client, "C1PN", 0, "queued")
        self.report(integration_client, "C1ST", 1, "sent")
        self.report(integration_client, "C1DV", 2, "delivered")
        events = list(ContactStatusEvent.objects.order_by("event_captured_at"))
        assert [(e.status, e.reason, e.applied) for e in events] == [
            ("C1PN", "queued", True),
            ("C1ST", "sent", True),
            ("C1DV", "delivered", True),
        ]
        assert all(e.received_at is not None for e in events)
        assert events[2].event_captured_at == datetime(2025, 2, 6, 10, 2, tzinfo=UTC)

    def test_older_report_is_recorded_but_does_not_overwrite(self, integration_client):
        self.report(integration_client, "C1CK", 10, "clicked")
        body = self.report(integration_client, "C1ST", 5, "sent late")
        assert body["status"] == "C1CK" and body["reason"] == "clicked"
        assert body["eventCapturedDateTime"] == self.at(10)
        stale = ContactStatusEvent.objects.get(status="C1ST")
        assert stale.applied is False and stale.reason == "sent late"
        assert ContactStatusEvent.objects.count() == 2

    def test_older_report_changes_no_other_field(self, integration_client, spec_body):
        put(integration_client, {**spec_body, "status": "C1CK", "eventCapturedDateTime": self.at(10)})
        late = {
            "status": "C1ST",
            "eventCapturedDateTime": self.at(1),
            "deliveryValue": "+14155550000",
            "templateData": [],
        }
        body = put(integration_client, late).json()
        assert body["deliveryValue"] == spec_body["deliveryValue"] and len(body["templateData"]) == 2

    def test_same_capture_time_applies(self, integration_client):
        self.report(integration_client, "C1DV", 3)
        assert self.report(integration_client, "C1OP", 3)["status"] == "C1OP"

    def test_report_without_capture_time_applies_and_is_recorded(self, integration_client):
        self.report(integration_client, "C1ST", 3)
        body = put(integration_client, {"status": "C1FL", "reason": "carrier rejected"}).json()
        assert body["status"] == "C1FL"
        assert ContactStatusEvent.objects.filter(status="C1FL", event_captured_at__isnull=True).count() == 1

    def test_same_put_twice_leaves_one_contact_and_one_history_entry(self, integration_client, spec_body):
        first = put(integration_client, spec_body)
        second = put(integration_client, spec_body)
        assert first.json() == second.json()
        assert CustomerContact.objects.count() == 1
        assert ContactStatusEvent.objects.count() == 1

    def test_retried_late_report_is_recorded_once(self, integration_client):
        self.report(integration_client, "C1CK", 10)
        self.report(integration_client, "C1ST", 5)
        self.report(integration_client, "C1ST", 5)
        assert ContactStatusEvent.objects.count() == 2

    def test_body_without_status_writes_no_history(self, integration_client):
        put(integration_client, {"notificationType": "BILL_READY"})
        assert not ContactStatusEvent.objects.exists()


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    reports=st.lists(
        st.tuples(st.sampled_from(["C1PN", "C1ST", "C1DV", "C1OP", "C1CK", "C1BN", "C1FL"]), st.integers(0, 50)),
        min_size=1,
        max_size=8,
    ),
)
def test_current_status_is_the_latest_captured_whatever_the_arrival_order(integration_client, reports):
    """Any arrival order, with retries: the current status is the latest captured one (among equal capture
    times the last new report; a retry is not re-applied), and the history holds each distinct report once."""
    ext = uuid.uuid4()
    base = datetime(2025, 2, 6, 10, 0, tzinfo=UTC)
    for status, minute in reports:
        stamp = (base + timedelta(minutes=minute)).isoformat().replace("+00:00", "Z")
        response = put(integration_client, {"status": status, "eventCapturedDateTime": stamp}, ext=str(ext))
        assert response.status_code == 200
    latest = max(minute for _, minute in reports)
    distinct = list(dict.fromkeys(reports))  # arrival order of first occurrences
    expected = [status for status, minute in distinct if minute == latest][-1]
    contact = CustomerContact.objects.get(external_cc_id=str(ext))
    assert contact.status == expected
    assert contact.event_captured_at == base + timedelta(minutes=latest)
    assert contact.status_events.count() == len(set(reports))


@pytest.mark.django_db
class TestTemplateDataShapes:
    @pytest.mark.parametrize(
        "shape",
        [
            [{"key": "eta", "value": "18:30"}],
            {"items": [{"key": "eta", "value": "18:30"}]},
            {"templateData": [{"key": "eta", "value": "18:30"}]},
            {"key": "eta", "value": "18:30"},
        ],
        ids=["array", "object-items", "object-named", "single"],
    )
    def test_accepted_shapes_answer_an_array(self, integration_client, shape):
        response = put(integration_client, {"templateData": shape})
        assert response.status_code == 200, response.content
        assert response.json()["templateData"] == [{"key": "eta", "value": "18:30"}]

    @pytest.mark.parametrize("shape", ["eta=18:30", {"a": [1], "b": [2]}, [1, 2]])
    def test_other_shapes_are_400(self, integration_client, shape):
        response = put(integration_client, {"templateData": shape})
        assert response.status_code == 400
        assert "templateData" in response.json()["detail"]


@pytest.mark.django_db
class TestXML:
    def test_xml_both_ways_keeps_padding_and_repeats_arrays(self, integration_client, spec_body):
        response = integration_client.put(URL, data=to_xml(spec_body, "C1CreUpdCC"), content_type="application/xml")
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("application/xml")
        document = SafeET.fromstring(response.content)
        assert document.tag == "C1CreUpdCC"
        assert document.findtext("deliveryChannel") == "SMS "
        assert document.findtext("origin") == "NMS "
        assert re.fullmatch(r"\d{10}", document.findtext("ccId"))
        assert len(document.findall("customerContactIdentifier")) == 2
        assert [e.findtext("key") for e in document.findall("templateData")] == ["eta", "area"]

    def test_single_xml_elements_are_one_item_lists(self, integration_client):
        body = (
            b"<anything><deliveryChannel>EMAI</deliveryChannel><deliveryValue>a@example.com</deliveryValue>"
            b"<customerContactIdentifier><externalRefId>R1</externalRefId><identifierType>C1EX</identifierType>"
            b"</customerContactIdentifier><templateData><key>k</key><value>v</value></templateData></anything>"
        )
        response = integration_client.put(
            URL, data=body, content_type="application/xml", HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["customerContactIdentifier"] == [{"externalRefId": "R1", "identifierType": "C1EX"}]
        assert data["templateData"] == [{"key": "k", "value": "v"}]

    def test_xml_template_data_wrapped_in_items(self, integration_client):
        body = (
            b"<C1CreUpdCC><templateData><items><key>a</key><value>1</value></items>"
            b"<items><key>b</key><value>2</value></items></templateData></C1CreUpdCC>"
        )
        response = integration_client.put(
            URL, data=body, content_type="application/xml", HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 200, response.content
        assert response.json()["templateData"] == [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]

    def test_xml_delivery_rule_error_is_an_xml_problem(self, integration_client):
        body = b"<r><deliveryChannel>SMS </deliveryChannel><deliveryValue>x@example.com</deliveryValue></r>"
        response = integration_client.put(URL, data=body, content_type="application/xml")
        assert response.status_code == 400
        document = SafeET.fromstring(response.content)
        assert document.tag == "problemDetailDocument"
        assert document.findtext("detail").startswith("deliveryValue:")

    def test_get_in_xml(self, integration_client, spec_body):
        put(integration_client, spec_body)
        response = integration_client.get(URL, HTTP_ACCEPT="application/xml")
        assert response.status_code == 200
        assert xml_root(response.content) == "C1CreUpdCC"


@pytest.mark.django_db
class TestGet:
    def test_returns_what_the_put_returned(self, integration_client, spec_body):
        written = put(integration_client, spec_body).json()
        response = integration_client.get(URL)
        assert response.status_code == 200
        assert response.json() == written

    def test_unknown_contact_is_404_in_the_envelope(self, integration_client):
        response = integration_client.get(PATH + "nobody")
        assert response.status_code == 404
        assert response.json()["serverMessage"]["messageNbr"] == 4040

    def test_read_is_three_queries(self, integration_client, django_assert_max_num_queries, spec_body):
        put(integration_client, spec_body)
        with django_assert_max_num_queries(6):  # user/permissions + contact + identifiers + template data
            assert integration_client.get(URL).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "patch", "delete", "trace"])
def test_other_methods_are_405_in_the_envelope(integration_client, method):
    response = getattr(integration_client, method)(URL)
    assert response.status_code == 405
    assert response.json()["serverMessage"]["messageNbr"] == 4050


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"accountId": 1589809012},
        {"reason": True},
        {"templateData": [{"key": "k", "value": 0}]},
        {"customerContactIdentifier": [{"externalRefId": 7}]},
        {"deliveryValue": 4155552671},
    ],
)
def test_numbers_and_booleans_are_not_strings(integration_client, body):
    response = put(integration_client, body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(next(iter(body)))


@pytest.mark.django_db
class TestNulCharacters:
    """NUL characters are refused (400 naming the field), never dropped: no column can hold them, and dropping a
    character would change what the sender meant. (Until this wave contacts dropped them silently.)"""

    @pytest.mark.parametrize(
        ("body", "path"),
        [
            ({"accountId": "15898\x0009012"}, "accountId"),
            ({"reason": "\x00"}, "reason"),
            ({"deliveryChannel": "EMAI", "deliveryValue": "a@example.com\x00"}, "deliveryValue"),
            ({"externalCCId": EXT + "\x00"}, "externalCCId"),
            (
                {"customerContactIdentifier": [{"externalRefId": "R\x001"}]},
                "customerContactIdentifier[0].externalRefId",
            ),
            ({"templateData": [{"key": "k\x00", "value": "v"}]}, "templateData[0].key"),
            ({"templateData": [{"key": "k", "value": "v\x00"}]}, "templateData[0].value"),
        ],
    )
    def test_nul_in_a_string_is_400_naming_the_field(self, integration_client, body, path):
        response = put(integration_client, body)
        assert response.status_code == 400
        assert response.json()["detail"] == f"{path}: Null characters are not allowed."
        assert response.json()["serverMessage"]["messageNbr"] == 4000
        assert not CustomerContact.objects.exists()

    @pytest.mark.parametrize("method", ["get", "put"])
    def test_nul_in_the_path_is_400(self, integration_client, method):
        response = getattr(integration_client, method)(PATH + "NP%00-1", data={}, format="json")
        assert response.status_code == 400
        assert response.json()["detail"] == "externalCCId: Null characters are not allowed."


@pytest.mark.django_db
class TestQueryBudget:
    """Statements per request, authentication included (issue 12: create and status update at most 4, GET 2).

    The client has sent a request before, so its permissions are cached, as in any steady flow of requests (a
    first request reads them: one more). Where each statement goes is in docs/contacts.md.
    """

    @pytest.fixture
    def jwt_client(self, integration_user):
        from rest_framework_simplejwt.tokens import AccessToken

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(integration_user)}")
        assert client.get(PATH + "WARM-UP").status_code == 404  # the permissions are now cached
        enabled_subscriptions()  # as are the enabled webhook subscriptions (per process, a few seconds)
        return client

    def test_create(self, jwt_client, spec_body, assert_max_statements):
        # PostgreSQL: the user, the locking read (nothing there), one INSERT of the contact, its two lists and its
        # history (data-modifying CTEs), and the change record. SQLite has no such statement: one INSERT per table,
        # 3 more.
        with assert_max_statements(4 if connection.vendor == "postgresql" else 7):
            assert put(jwt_client, spec_body).status_code == 200
        contact = CustomerContact.objects.get(external_cc_id=EXT)
        assert contact.identifiers.count() == 2 and contact.template_data.count() == 2
        assert contact.status_events.count() == 1

    def test_create_without_lists(self, jwt_client, spec_body, assert_max_statements):
        del spec_body["customerContactIdentifier"], spec_body["templateData"]
        with assert_max_statements(4 if connection.vendor == "postgresql" else 5):
            assert put(jwt_client, spec_body).status_code == 200

    def test_status_update(self, jwt_client, spec_body, assert_max_statements):
        put(jwt_client, spec_body)
        body = {"status": "C1DV", "reason": "delivered", "eventCapturedDateTime": "2025-02-06T10:05:00Z"}
        # the user, the locking read (with the retry check and the lists), the UPDATE and the history INSERT (one
        # statement on PostgreSQL), and the change record
        with assert_max_statements(4 if connection.vendor == "postgresql" else 5):
            assert put(jwt_client, body).json()["status"] == "C1DV"
        assert CustomerContact.objects.get(external_cc_id=EXT).status_events.count() == 2

    def test_status_update_resending_unchanged_lists(self, jwt_client, spec_body, assert_max_statements):
        """A notification platform that sends the whole record each time: the lists, unchanged, cost nothing."""
        put(jwt_client, spec_body)
        body = {**spec_body, "status": "C1DV", "eventCapturedDateTime": "2025-02-06T10:05:00Z"}
        with assert_max_statements(4 if connection.vendor == "postgresql" else 5):
            answer = put(jwt_client, body).json()
        assert answer["customerContactIdentifier"] == spec_body["customerContactIdentifier"]
        assert answer["templateData"] == spec_body["templateData"]

    def test_get(self, jwt_client, spec_body, django_assert_max_num_queries):
        put(jwt_client, spec_body)
        with django_assert_max_num_queries(2):  # the user, the contact with its two lists
            answer = jwt_client.get(URL).json()
        assert answer["customerContactIdentifier"] == spec_body["customerContactIdentifier"]
        assert answer["templateData"] == spec_body["templateData"]


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            "account_id": st.sampled_from(["", "1589809012"]),
            "contact_id": st.sampled_from(["", "0023939882"]),
            "delivery_channel": st.sampled_from(["", "SMS ", "EMAI"]),
            "delivery_value": st.sampled_from(["", "+14155552671", "a@example.com"]),
            # what the door lets in: no NUL (refused by the one input rule; PostgreSQL cannot store it)
            "email_subject": st.text(
                st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20
            ),
            "event_captured_at": st.one_of(
                st.none(), st.datetimes(timezones=st.just(UTC), min_value=datetime(1900, 1, 1))
            ),
            "origin": st.sampled_from(["", "NMS ", "C1CB"]),
            "reason": st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
            "status": st.sampled_from(["", "C1DV", "C1ST"]),
        },
    ),
    identifiers=st.lists(st.tuples(st.sampled_from(["", "R-1"]), st.sampled_from(["", "C1NS"])), max_size=3),
    template=st.lists(st.tuples(st.sampled_from(["", "eta"]), st.sampled_from(["", "18:30"])), max_size=3),
)
def test_the_written_out_answer_is_the_serializers(values, identifiers, template):
    """``contact_to_wire`` (the fast path of every contact answer) says exactly what ``C1CreUpdCCSerializer`` says."""
    from contacts.api.serializers import C1CreUpdCCSerializer, contact_to_wire
    from contacts.selectors import contact_get

    contact = CustomerContactFactory(external_cc_id=f"P-{uuid.uuid4().hex[:8]}", **values)
    for position, (ref, kind) in enumerate(identifiers):
        contact.identifiers.create(position=position, external_ref_id=ref, identifier_type=kind)
    for position, (key, value) in enumerate(template):
        contact.template_data.create(position=position, key=key, value=value)
    read = contact_get(external_cc_id=contact.external_cc_id)
    expected = C1CreUpdCCSerializer(CustomerContact.objects.get(pk=contact.pk)).data
    assert contact_to_wire(read) == expected
    assert list(contact_to_wire(read)) == list(expected)  # the same order of keys
