"""The outage-event notification API and its sibling reads, on the wire (JSON and XML)."""

import hashlib
import json
from datetime import timedelta
from urllib.parse import quote

import defusedxml.ElementTree as SafeET
import pytest
from django.utils import timezone

from outages.models import MessageOutcome, OutageCustomer, OutageEvent, OutageMessage, OutageState
from tests import query_budget
from tests.contract import OracleContract, to_xml, xml_root
from tests.factories.outages import ExternalSystemFactory, OutageCustomerFactory, OutageEventFactory

from .conftest import NOTIFICATIONS, SEARCH, body, customers, message

assert_max_statements = query_budget.assert_max_statements  # the fixture

pytestmark = pytest.mark.django_db

SPEC_EXAMPLE_BODY = {
    "externalSystem": "CCB-NMS integration",
    "outageMessages": [
        {
            "eventDetails": {
                "externalOutageId": "200234",
                "messageReference": "12",
                "outageType": "C1PL",
                "startDateTime": "2025-02-06T02:00:00-08:00",
                "estimatedRestorationTime": "2025-02-07T12:00:00-08:00",
                "completionDateTime": "2025-02-07T12:00:00-08:00",
                "discarded": False,
                "impactedCustomers": 259,
                "additionalDetails": [{"name": "power outage", "value": "feeder 12"}],
            },
            "customerInformation": {
                "incrementalUpdate": True,
                "customers": [{"accountId": "1589809032", "spId": "2486945183"}],
            },
            "characteristics": [
                {
                    "characteristicType": "CM-CAUSE",
                    "typeOfCharacteristicValue": "ADV ",
                    "sequence": 10,
                    "characteristicValue": {"value": "storm"},
                }
            ],
        }
    ],
}


def post(client, data, **extra):
    return client.post(NOTIFICATIONS, data=json.dumps(data), content_type="application/json", **extra)


class TestOutageEventNotifications(OracleContract):
    path = NOTIFICATIONS
    valid_body = SPEC_EXAMPLE_BODY
    invalid_body = body(message(outageType="C1XX"))
    invalid_field = "outageMessages[0].eventDetails.outageType"
    xml_root = "C1OutEvtsUpd"

    @pytest.fixture
    def contract_data(self, external_system):
        return external_system

    def test_spec_example_goes_through_unchanged(self, client):
        response = post(client, SPEC_EXAMPLE_BODY)
        assert response.status_code == 200, response.content
        assert response.json() == SPEC_EXAMPLE_BODY
        event = OutageEvent.objects.get(external_outage_id="200234")
        assert event.external_system.name == "CCB-NMS integration"
        assert event.message_reference == "12"
        assert event.outage_type == "C1PL"
        assert event.impacted_customers == 259
        assert event.customer_count == 1
        assert event.start_date_time.isoformat() == "2025-02-06T10:00:00+00:00"
        assert event.state == OutageState.RESTORED
        characteristic = event.characteristics.get()
        assert characteristic.type_of_characteristic_value == "ADV "  # kept as sent, padding included
        assert (characteristic.characteristic_type, characteristic.sequence, characteristic.value) == (
            "CM-CAUSE",
            10,
            "storm",
        )
        assert list(event.details.values_list("name", "value")) == [("power outage", "feeder 12")]
        assert list(event.customers.values_list("account_id", "sp_id")) == [("1589809032", "2486945183")]

    def test_xml_request_is_applied_and_answered_in_xml(self, client):
        response = self.call(client, raw=to_xml(SPEC_EXAMPLE_BODY, root="anyRoot"), content_type="application/xml")
        assert response.status_code == 200, response.content
        document = SafeET.fromstring(response.content)
        assert document.tag == "C1OutEvtsUpd"
        assert document.findtext("externalSystem") == "CCB-NMS integration"
        assert document.findtext("outageMessages/eventDetails/startDateTime") == "2025-02-06T02:00:00-08:00"
        assert document.findtext("outageMessages/eventDetails/discarded") == "false"
        assert document.findtext("outageMessages/characteristics/typeOfCharacteristicValue") == "ADV "
        assert document.findtext("outageMessages/customerInformation/customers/accountId") == "1589809032"
        assert OutageCustomer.objects.filter(event__external_outage_id="200234").count() == 1

    def test_xml_repeated_customers_are_a_list(self, client):
        data = body(message("X1", customers=customers(0, 3)))
        response = self.call(client, raw=to_xml(data), content_type="application/xml", HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content
        assert len(response.json()["outageMessages"][0]["customerInformation"]["customers"]) == 3
        assert OutageEvent.objects.get(external_outage_id="X1").customer_count == 3

    def test_padded_codes_accepted_trimmed_and_stored_canonical(self, client):
        # One rule for the Oracle family (core/wire/fields.py): matched trimmed, stored in the spec's form.
        data = body(message("P1", outageType=" C1PL "))
        data["outageMessages"][0]["characteristics"] = [
            {"characteristicType": "CAUSE", "typeOfCharacteristicValue": "FKV"},
            {"characteristicType": "CAUSE", "typeOfCharacteristicValue": "DFV "},
            {"characteristicType": "CAUSE", "typeOfCharacteristicValue": " ADV  "},
        ]
        response = post(client, data)
        assert response.status_code == 200, response.content
        answered = response.json()["outageMessages"][0]
        assert answered["eventDetails"]["outageType"] == "C1PL"
        assert [c["typeOfCharacteristicValue"] for c in answered["characteristics"]] == ["FKV ", "DFV ", "ADV "]
        event = OutageEvent.objects.get()
        assert event.outage_type == "C1PL"
        kept = list(event.characteristics.values_list("type_of_characteristic_value", flat=True))
        assert kept == ["FKV ", "DFV ", "ADV "]

    @pytest.mark.parametrize(
        ("details", "field"),
        [
            ({"impactedCustomers": -1}, "impactedCustomers"),
            ({"impactedCustomers": 1000000000}, "impactedCustomers"),
            ({"messageReference": "x" * 255}, "messageReference"),
            ({"externalOutageId": "x" * 255}, "externalOutageId"),
            ({"startDateTime": "yesterday"}, "startDateTime"),
            ({"discarded": "perhaps"}, "discarded"),
        ],
    )
    def test_field_rules(self, client, details, field):
        data = body(message("R1", **{k: v for k, v in details.items() if k != "externalOutageId"}))
        if "externalOutageId" in details:
            data["outageMessages"][0]["eventDetails"]["externalOutageId"] = details["externalOutageId"]
        response = post(client, data)
        problem = self.assert_envelope(response, 400)
        assert f"outageMessages[0].eventDetails.{field}" in problem["detail"]
        assert not OutageEvent.objects.exists()

    @pytest.mark.parametrize(
        ("details", "field"),
        [
            ({"impactedCustomers": "10"}, "impactedCustomers"),
            ({"impactedCustomers": True}, "impactedCustomers"),
            ({"impactedCustomers": 1.5}, "impactedCustomers"),
            ({"messageReference": 12}, "messageReference"),
            ({"discarded": 0}, "discarded"),
            ({"discarded": "false"}, "discarded"),
            ({"outageType": 1}, "outageType"),
            ({"startDateTime": 1738800000}, "startDateTime"),
        ],
    )
    def test_json_types_are_strict(self, client, details, field):
        problem = self.assert_envelope(post(client, body(message("J1", **details))), 400)
        assert f"outageMessages[0].eventDetails.{field}" in problem["detail"]

    def test_json_wrong_shapes_are_refused(self, client):
        for data in (
            {"externalSystem": 5, "outageMessages": [message("J2")]},
            {"externalSystem": "CCB-NMS integration", "outageMessages": message("J2")},
            {"externalSystem": "CCB-NMS integration", "outageMessages": []},
            body(
                {"eventDetails": {"externalOutageId": "J2"}, "customerInformation": {"customers": {"accountId": "1"}}}
            ),
            body(
                {"eventDetails": {"externalOutageId": "J2"}, "customerInformation": {"customers": [{"accountId": 1}]}}
            ),
        ):
            self.assert_envelope(post(client, data), 400)
        assert not OutageEvent.objects.exists()

    def test_xml_booleans_are_true_or_false_only(self, client):
        xml = to_xml(body(message("X2", discarded=True))).replace(b"<discarded>true<", b"<discarded>1<")
        problem = self.assert_envelope(self.call(client, raw=xml, content_type="application/xml"), 400)
        assert "discarded" in problem.findtext("detail")

    def test_characteristic_rules(self, client):
        data = body(message("R2"))
        data["outageMessages"][0]["characteristics"] = [
            {"characteristicType": "x" * 9, "sequence": 1000, "typeOfCharacteristicValue": "ADVX"}
        ]
        problem = self.assert_envelope(post(client, data), 400)
        for name in ("characteristicType", "sequence", "typeOfCharacteristicValue"):
            assert f"outageMessages[0].characteristics[0].{name}" in problem["detail"]

    def test_customer_rules_name_the_item(self, client):
        data = body(message("R3", customers=[{"accountId": "1"}, {"accountId": "1234567890 "}, {}]))
        problem = self.assert_envelope(post(client, data), 400)
        assert "outageMessages[0].customerInformation.customers[1].accountId" in problem["detail"]
        assert "outageMessages[0].customerInformation.customers[2]" in problem["detail"]

    def test_unknown_external_system_is_400_naming_it(self, client):
        response = post(client, body(message("U1"), system="Nobody OMS"))
        problem = self.assert_envelope(response, 400)
        assert "Nobody OMS" in problem["detail"]
        assert problem["serverMessage"]["messageNbr"] == 4002
        logged = OutageMessage.objects.get()
        assert (logged.outcome, logged.external_system_name) == (MessageOutcome.REJECTED, "Nobody OMS")

    def test_inactive_external_system_is_refused(self, client, external_system):
        external_system.is_active = False
        external_system.save()
        self.assert_envelope(post(client, body(message("U2"))), 400)
        assert not OutageEvent.objects.exists()

    def test_stale_request_applies_nothing_and_names_outage_and_references(self, client):
        assert post(client, body(message("S1", reference=10), message("S2", reference=5))).status_code == 200
        response = post(client, body(message("S2", reference=6, impactedCustomers=7), message("S1", reference=9)))
        problem = self.assert_envelope(response, 400)
        assert problem["serverMessage"]["messageNbr"] == 4003
        assert "S1" in problem["detail"] and "9" in problem["detail"] and "10" in problem["detail"]
        s2 = OutageEvent.objects.get(external_outage_id="S2")
        assert (s2.message_reference, s2.impacted_customers) == ("5", None)  # the valid message was not applied
        outcomes = dict(
            OutageMessage.objects.filter(message_reference__in=["6", "9"]).values_list("external_outage_id", "outcome")
        )
        assert outcomes == {"S1": MessageOutcome.STALE, "S2": MessageOutcome.REJECTED}

    def test_equal_reference_is_an_idempotent_replay(self, client):
        data = body(message("E1", reference=3, customers=customers(0, 5), incremental=True))
        assert post(client, data).status_code == 200
        assert post(client, data).status_code == 200
        event = OutageEvent.objects.get()
        assert event.customer_count == 5
        assert event.customers.count() == 5
        assert list(OutageMessage.objects.values_list("outcome", flat=True)) == ["applied", "applied"]

    def test_spec_numbers_are_published_as_numbers_and_read_as_whole_numbers(self, client):
        """Issue 23: the spec types impactedCustomers and sequence as number. Published so (multipleOf 1); on the
        wire a whole number, written 4 or 4.0, a fraction refused (the stored count is an integer)."""
        from drf_spectacular.generators import SchemaGenerator

        components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
        for component, name in (
            ("OutageEventDetailsRequest", "impactedCustomers"),
            ("OutageEventDetails", "impactedCustomers"),
            ("OutageCharacteristicRequest", "sequence"),
            ("OutageEventSummary", "impactedCustomers"),
        ):
            assert components[component]["properties"][name]["type"] == "number", (component, name)
            assert components[component]["properties"][name]["multipleOf"] == 1, (component, name)
        assert post(client, body(message("W1", impactedCustomers=4.0))).status_code == 200
        assert OutageEvent.objects.get().impacted_customers == 4
        assert post(client, body(message("W2", impactedCustomers=4.5))).status_code == 400

    def test_missing_reference_means_no_check(self, client):
        post(client, body(message("M1", reference=10)))
        response = post(client, body(message("M1", impactedCustomers=4)))
        assert response.status_code == 200
        event = OutageEvent.objects.get()
        assert (event.message_reference, event.impacted_customers) == ("10", 4)

    def test_references_compare_numerically_when_integers(self, client):
        post(client, body(message("N1", reference=9)))
        assert post(client, body(message("N1", reference=10))).status_code == 200
        assert OutageEvent.objects.get().message_reference == "10"

    def test_incremental_adds_without_duplicates_full_replaces(self, client):
        post(client, body(message("C1", customers=customers(0, 4))))
        post(client, body(message("C1", customers=customers(2, 4), incremental=True)))
        event = OutageEvent.objects.get()
        assert event.customer_count == 6 == event.customers.count()
        post(client, body(message("C1", customers=customers(100, 2), incremental=False)))
        event.refresh_from_db()
        assert event.customer_count == 2
        assert sorted(event.customers.values_list("account_id", flat=True)) == ["0000000100", "0000000101"]

    def test_impacted_customers_kept_beside_count(self, client):
        post(client, body(message("C2", customers=customers(0, 3), impactedCustomers=1200)))
        event = OutageEvent.objects.get()
        assert (event.impacted_customers, event.customer_count) == (1200, 3)

    def test_states_and_times_are_kept(self, client):
        post(client, body(message("T1", estimatedRestorationTime="2025-02-07T12:00:00-08:00")))
        assert OutageEvent.objects.get().state == OutageState.ACTIVE
        post(client, body(message("T1", completionDateTime="2025-02-07T13:00:00Z")))
        event = OutageEvent.objects.get()
        assert event.state == OutageState.RESTORED
        assert event.estimated_restoration_time.isoformat() == "2025-02-07T20:00:00+00:00"
        post(client, body(message("T1", discarded=True)))
        assert OutageEvent.objects.get().state == OutageState.DISCARDED

    def test_invalid_request_is_logged_as_rejected(self, client):
        data = body(message("L1", outageType="NOPE"), message("L2"))
        self.assert_envelope(post(client, data), 400)
        logged = list(OutageMessage.objects.order_by("index").values_list("external_outage_id", "outcome", "payload"))
        assert [(oid, outcome) for oid, outcome, _ in logged] == [("L1", "rejected"), ("L2", "rejected")]
        assert json.loads(logged[0][2])["eventDetails"]["outageType"] == "NOPE"
        assert "outageType" in OutageMessage.objects.get(index=0).reason

    def test_malformed_body_is_logged_raw(self, client):
        self.assert_envelope(self.call(client, raw=b'{"externalSystem": "CCB'), 400)
        logged = OutageMessage.objects.get()
        assert logged.outcome == MessageOutcome.REJECTED
        assert logged.payload == '{"externalSystem": "CCB'

    def test_nul_characters_are_refused_and_the_refusal_logged(self, client):
        data = body(message("N\x00UL", customers=[{"accountId": "1\x002"}]), system="CCB\x00")
        problem = self.assert_envelope(post(client, data), 400)
        assert "customers[0].accountId" in problem["detail"]
        # Refused by the one input discipline before the body is a document: the log keeps the raw body.
        logged = OutageMessage.objects.get()
        assert logged.outcome == MessageOutcome.REJECTED
        assert "Null characters" in logged.reason
        assert "N\\u0000UL" in logged.payload
        self.assert_envelope(self.call(client, raw=b'{"externalSystem": "\x00'), 400)
        assert OutageMessage.objects.count() == 2

    def test_a_number_python_cannot_hold_is_400_naming_the_field_and_logged(self, client):
        """Finding 7 of issue 21: ``1e309`` (infinity as a float) in an integer field was a 500."""
        raw = json.dumps(body(message("INF", impactedCustomers="N"))).replace('"N"', "1e309").encode()
        problem = self.assert_envelope(self.call(client, raw=raw), 400)
        assert "outageMessages[0].eventDetails.impactedCustomers" in problem["detail"]
        assert not OutageEvent.objects.exists()
        logged = OutageMessage.objects.get()
        assert (logged.outcome, logged.payload) == (MessageOutcome.REJECTED, raw.decode())

    @pytest.mark.parametrize("field", ["startDateTime", "estimatedRestorationTime", "completionDateTime"])
    @pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59"])
    @pytest.mark.parametrize("media", ["json", "xml"])
    def test_date_times_the_database_cannot_hold_are_400_and_nothing_is_stored(self, client, field, value, media):
        # Issue 15: a BC instant in UTC was stored with 200, then every read of the event answered 500.
        data = body(message("B1", reference=1, **{field: value}))
        if media == "json":
            response = post(client, data)
        else:
            response = self.call(client, raw=to_xml(data), content_type="application/xml")
        problem = self.assert_envelope(response, 400)
        detail = problem["detail"] if media == "json" else problem.findtext("detail")
        assert f"outageMessages[0].eventDetails.{field}" in detail
        assert "out of range" in detail
        assert not OutageEvent.objects.exists()
        assert OutageMessage.objects.get().outcome == MessageOutcome.REJECTED

    def test_date_times_at_the_edges_of_the_range_are_kept(self, client):
        data = body(message("B2", startDateTime="0001-01-02T00:00:00Z", estimatedRestorationTime="9999-12-30T00:00Z"))
        assert post(client, data).status_code == 200
        event = OutageEvent.objects.get()
        assert (event.start_date_time.year, event.estimated_restoration_time.year) == (1, 9999)

    @pytest.mark.parametrize("media", ["json", "xml"])
    def test_etr_before_start_is_refused(self, client, media):
        data = body(
            message("E2", startDateTime="2025-02-06T10:00:00Z", estimatedRestorationTime="2025-02-06T01:59:59-08:00")
        )
        if media == "json":
            response = post(client, data)
        else:
            response = self.call(client, raw=to_xml(data), content_type="application/xml")
        problem = self.assert_envelope(response, 400)
        detail = problem["detail"] if media == "json" else problem.findtext("detail")
        assert detail == (
            "outageMessages[0].eventDetails.estimatedRestorationTime: "
            "The estimated restoration time is before the start."
        )
        assert not OutageEvent.objects.exists()
        logged = OutageMessage.objects.get()
        assert (logged.outcome, logged.external_outage_id) == (MessageOutcome.REJECTED, "E2")

    def test_etr_before_the_stored_start_is_refused_and_equal_is_kept(self, client):
        assert post(client, body(message("E3", reference=1, startDateTime="2025-02-06T10:00:00Z"))).status_code == 200
        problem = self.assert_envelope(
            post(client, body(message("E3", reference=2, estimatedRestorationTime="2025-02-06T09:00:00Z"))), 400
        )
        assert problem["serverMessage"]["messageNbr"] == 4000
        assert OutageEvent.objects.get().message_reference == "1"
        assert (
            post(client, body(message("E3", estimatedRestorationTime="2025-02-06T02:00:00-08:00"))).status_code == 200
        )
        # A completion before the start is a cancellation before it began: kept.
        assert post(client, body(message("E3", completionDateTime="2025-02-06T08:00:00Z"))).status_code == 200

    def test_refused_body_is_logged_truncated_with_its_length_and_hash(self, client):
        raw = b'{"externalSystem": "CCB-NMS integration", "outageMessages": [' + b"x" * (1024 * 1024) + b"]}"
        self.assert_envelope(self.call(client, raw=raw), 400)
        logged = OutageMessage.objects.get()
        assert logged.outcome == MessageOutcome.REJECTED
        assert (logged.payload_bytes, logged.payload_sha256) == (len(raw), hashlib.sha256(raw).hexdigest())
        assert logged.payload_truncated
        assert logged.payload.encode() == raw[:65536]

    def test_refused_messages_share_the_limit_and_applied_ones_keep_everything(self, client, settings):
        settings.OUTAGES_LOG_BODY_LIMIT = 1000
        big = [{"accountId": f"{n:010d}"} for n in range(200)]  # about 4 KB of JSON per message
        refused = body(message("L1", customers=big), message("L2", customers=big), message("L3", outageType="NO"))
        self.assert_envelope(post(client, refused), 400)
        entries = list(OutageMessage.objects.order_by("index"))
        assert sum(len(e.payload.encode()) for e in entries) == 1000
        assert [e.payload_truncated for e in entries] == [True, True, True]
        assert (len(entries[0].payload), entries[2].payload) == (1000, "")  # the first takes the whole budget
        for entry, sent in zip(entries, refused["outageMessages"], strict=True):
            whole = json.dumps(sent).encode()
            assert (entry.payload_bytes, entry.payload_sha256) == (len(whole), hashlib.sha256(whole).hexdigest())
        OutageMessage.objects.all().delete()
        assert post(client, body(message("L1", customers=big))).status_code == 200
        applied = OutageMessage.objects.get()
        assert len(json.loads(applied.payload)["customerInformation"]["customers"]) == 200
        assert (applied.payload_truncated, applied.payload_bytes) == (False, None)

    def test_anonymous_requests_are_not_logged(self, db):
        from rest_framework.test import APIClient

        post(APIClient(), SPEC_EXAMPLE_BODY)
        assert not OutageMessage.objects.exists()


class TestOutageEventSearch(OracleContract):
    path = SEARCH
    valid_body = {"accountId": "1589809032", "includeRecentlyRestored": True}
    invalid_body = {"accountId": "12345678901"}
    invalid_field = "accountId"
    xml_root = "C1OutEvtSearch"

    @pytest.fixture
    def wire_user(self, analyst_user):
        return analyst_user

    def test_finds_outages_by_account_or_service_point(self, client):
        active = OutageEventFactory(external_outage_id="A")
        restored = OutageEventFactory(
            external_outage_id="R", state=OutageState.RESTORED, completion_date_time=timezone.now()
        )
        old = OutageEventFactory(
            external_outage_id="O",
            state=OutageState.RESTORED,
            completion_date_time=timezone.now() - timedelta(days=3),
        )
        discarded = OutageEventFactory(external_outage_id="D", state=OutageState.DISCARDED, discarded=True)
        other = OutageEventFactory(external_outage_id="Z")
        for event in (active, restored, old, discarded):
            OutageCustomerFactory(event=event, account_id="1589809032", sp_id="2486945183")
        OutageCustomerFactory(event=other, account_id="1", sp_id="2486945183")

        def found(query):
            response = client.post(SEARCH, data=query, format="json")
            assert response.status_code == 200, response.content
            return sorted(e["externalOutageId"] for e in response.json()["outageEvents"])

        assert found({"accountId": "1589809032"}) == ["A"]
        assert found({"accountId": "1589809032", "includeRecentlyRestored": True}) == ["A", "R"]
        assert found({"spId": "2486945183"}) == ["A", "Z"]
        assert found({"accountId": "nobody"}) == []

    def test_needs_account_or_service_point(self, client):
        self.assert_envelope(client.post(SEARCH, data={}, format="json"), 400)
        self.assert_envelope(client.post(SEARCH, data={"accountId": "1\x00"}, format="json"), 400)
        self.assert_envelope(client.post(SEARCH, data={"accountId": "1234567890 "}, format="json"), 400)

    def test_query_budget(self, client, django_assert_max_num_queries):
        for n in range(20):
            OutageCustomerFactory(event=OutageEventFactory(), account_id="1589809032", sp_id=str(n))
        with django_assert_max_num_queries(6):
            response = client.post(SEARCH, data={"accountId": "1589809032"}, format="json")
        assert len(response.json()["outageEvents"]) == 20


class TestOutageEventDetail(OracleContract):
    method = "get"
    valid_body = None
    invalid_body = None
    xml_root = "C1OutEvt"

    @pytest.fixture
    def wire_user(self, analyst_user):
        return analyst_user

    @pytest.fixture
    def contract_data(self, db):
        event = OutageEventFactory(
            external_system=ExternalSystemFactory(), external_outage_id="200/234", customer_count=3
        )
        OutageCustomerFactory.create_batch(3, event=event)
        return event

    def get_path(self, contract_data):
        return f"{NOTIFICATIONS}{quote(contract_data.external_system.name)}/{contract_data.external_outage_id}"

    def test_reads_the_event_with_history(self, integration_client, external_system, analyst_user):
        post(integration_client, SPEC_EXAMPLE_BODY)
        stale = body(message("200234", reference=11))
        post(integration_client, stale)
        integration_client.force_authenticate(analyst_user)
        response = integration_client.get(f"{NOTIFICATIONS}CCB-NMS%20integration/200234")
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["externalOutageId"] == "200234"
        assert data["customersCount"] == 1
        assert data["impactedCustomers"] == 259
        assert data["state"] == "restored"
        assert data["characteristics"][0]["typeOfCharacteristicValue"] == "ADV "
        assert data["characteristics"][0]["characteristicValue"]["value"] == "storm"
        assert data["additionalDetails"] == [{"name": "power outage", "value": "feeder 12"}]
        assert [(h["messageReference"], h["outcome"]) for h in data["history"]] == [("11", "stale"), ("12", "applied")]

    def test_unknown_event_is_404_in_envelope(self, client):
        self.assert_envelope(client.get(f"{NOTIFICATIONS}CCB-NMS%20integration/nope"), 404)

    def test_nul_in_the_path_is_refused_as_in_every_body(self, client):
        # One rule in every family: NUL characters are refused (400), not looked up.
        problem = self.assert_envelope(client.get(f"{NOTIFICATIONS}CCB%00/nope%00"), 400)
        assert "externalSystem" in problem["detail"] and "externalOutageId" in problem["detail"]
        assert problem["serverMessage"]["messageNbr"] == 4000

    def test_xml_answer(self, client):
        response = client.get(self.path_for_call, HTTP_ACCEPT="application/xml")
        assert xml_root(response.content) == "C1OutEvt"
        assert SafeET.fromstring(response.content).findtext("customersCount") == "3"


@pytest.mark.django_db
class TestQueryBudget:
    """Statements per small notification (issue 12), authentication included, for a client whose permissions
    are cached (any client after its first request). Transaction control is not counted (tests/query_budget.py).

    The user; the external system; the event created or locked (one ``INSERT … ON CONFLICT DO UPDATE …
    RETURNING``); its customers (a new event's list needs no DELETE on PostgreSQL, which says the row is new);
    the event's UPDATE; the message log.
    """

    @pytest.fixture
    def jwt_client(self, integration_user, external_system):
        from rest_framework.test import APIClient
        from rest_framework_simplejwt.tokens import AccessToken

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(integration_user)}")
        assert post(client, body(message("WARM-UP", 1))).status_code == 200  # the permissions are now cached
        return client

    def test_new_outage_with_ten_customers(self, jwt_client, assert_max_statements):
        # user, system, event created and locked, the list, the event's fields, the change record, the message log
        with assert_max_statements(8):  # 7, and the INSERT of the customers' spells
            response = post(jwt_client, body(message("Q-1", 1, customers(0, 10), outageType="C1UP")))
        assert response.status_code == 200
        assert OutageEvent.objects.get(external_outage_id="Q-1").customers.count() == 10
        assert OutageMessage.objects.filter(external_outage_id="Q-1", outcome=MessageOutcome.APPLIED).count() == 1

    def test_update_of_a_stored_outage(self, jwt_client, assert_max_statements):
        post(jwt_client, body(message("Q-1", 1, customers(0, 10))))
        with assert_max_statements(10):  # and the DELETE of the stored list; the spells' UPDATE and INSERT
            response = post(jwt_client, body(message("Q-1", 2, customers(5, 10))))
        assert response.status_code == 200
        assert OutageEvent.objects.get(external_outage_id="Q-1").customers.count() == 10

    def test_a_stale_message_is_refused_and_logged(self, jwt_client, assert_max_statements):
        post(jwt_client, body(message("Q-1", 5, customers(0, 10))))
        with assert_max_statements(5):  # user, system, event locked, refusal logged (after the rollback)
            response = post(jwt_client, body(message("Q-1", 4, customers(0, 3))))
        assert response.status_code == 400 or response.status_code == 409
        assert OutageEvent.objects.get(external_outage_id="Q-1").customers.count() == 10
        assert OutageMessage.objects.filter(external_outage_id="Q-1", outcome=MessageOutcome.STALE).count() == 1


@pytest.mark.django_db
def test_two_full_lists_for_one_new_outage_in_one_request_keep_the_second(integration_client, external_system):
    """The second message finds the event the first created in the same transaction: not new, its list replaced."""
    response = post(integration_client, body(message("Q-2", 1, customers(0, 4)), message("Q-2", 2, customers(100, 3))))
    assert response.status_code == 200
    stored = OutageEvent.objects.get(external_outage_id="Q-2")
    assert sorted(stored.customers.values_list("account_id", flat=True)) == [f"{n:010d}" for n in range(100, 103)]
    assert stored.customer_count == 3
