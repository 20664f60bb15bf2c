"""The four Digital Asset program enrollment endpoints: contract, resolution, lifecycle, idempotency, XML."""

import copy
from datetime import timedelta

import defusedxml.ElementTree as SafeET
import pytest
from django.utils import timezone

from enrollments.models import (
    Appointment,
    DeviceReturn,
    DeviceStatus,
    Enrollment,
    EnrollmentStatus,
    Unenrollment,
    UnenrollmentStatus,
)
from tests.contract import OracleContract, to_xml
from tests.factories.enrollments import (
    DeviceFactory,
    EnrollmentFactory,
    ProgramFactory,
    ServiceAgreementFactory,
    jane_doe_enrollment,
)

BASE = "/rest/apis/cross/digitalAssets/programEnrollments"
TODAY = timezone.localdate()
SOON = timezone.now().replace(microsecond=0) + timedelta(days=5)


def iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


# The spec's fields, with the example ids of the specs (account, person, premise, service point).
UNENROLL = {
    "transactionId": "DERMS-TX-0001",
    "unenrollReason": "CUSTOMEROPTOUT",
    "customerInfo": {"cisAccountId": "1589809012", "cisPersonId": "0023939882", "name": "Jane Doe"},
    "locationInfo": {
        "address1": "1 Main Street",
        "cisPremiseId": "5000000001",
        "cisServicePointID": "2486945183",
        "city": "Springfield",
        "country": "USA",
        "county": "Sangamon",
        "division": "CA",
        "postal": "94000",
        "state": "CA",
        "timeZone": "US/Pacific",
    },
    "programInfo": {"programId": "DEMO-BYOT", "endDate": (TODAY + timedelta(days=30)).isoformat()},
    "assetInfo": {"assetOwnership": "W1OW", "removalMethod": "X1UR"},
    "appointmentSlots": [
        {
            "activityType": "DEVREMOVAL",
            "crewId": "CREW01",
            "crewShiftId": "SHIFT-0001",
            "startDateTime": iso(SOON),
            "endDateTime": iso(SOON + timedelta(hours=3)),
            "workAvailabilityDuration": 3,
        }
    ],
}


def body(**changes) -> dict:
    data = copy.deepcopy(UNENROLL)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key].update(value)
        else:
            data[key] = value
    return data


def only_account(**changes) -> dict:
    """The spec body identifying Jane Doe by her account id alone, with ``changes`` applied."""
    data = body(customerInfo={"cisPersonId": "", "name": ""})
    data["customerInfo"] = {"cisAccountId": "1589809012"}
    for key, value in changes.items():
        data[key].update(value)
    return data


@pytest.fixture
def jane(db):
    enrollment = jane_doe_enrollment()
    DeviceFactory(enrollment=enrollment, asset_ownership="W1OW")
    DeviceFactory(enrollment=enrollment, asset_ownership="W1CO")
    return enrollment


class TestUnenroll(OracleContract):
    path = f"{BASE}/unenroll"
    valid_body = UNENROLL
    invalid_body = body(unenrollReason="VACATION")
    invalid_field = "unenrollReason"
    xml_root = "X1-DAUnenrol"

    @pytest.fixture
    def contract_data(self, jane):
        return jane

    def post(self, client, data, **extra):
        return client.post(self.path, data=data, format="json", **extra)

    def test_spec_body_schedules_future_end_and_books_the_slot(self, client, jane):
        response = self.post(client, UNENROLL)
        assert response.status_code == 200
        answer = response.json()
        assert answer["status"] == "PENDING"
        assert answer["transactionId"] == "DERMS-TX-0001"
        assert "exception" not in answer
        record = Unenrollment.objects.get(pk=int(answer["unenrollmentId"]))
        assert record.enrollment == jane and record.reason == "CUSTOMEROPTOUT"
        jane.refresh_from_db()
        assert jane.status == EnrollmentStatus.PENDING_UNENROLL
        assert jane.end_date == TODAY + timedelta(days=30)
        assert answer["appointmentSlots"][0]["crewId"] == "CREW01"
        assert answer["appointmentSlots"][0]["startDateTime"] == iso(SOON)
        appointment = Appointment.objects.get(unenrollment=record)
        assert appointment.crew_shift_id == "SHIFT-0001" and appointment.start == SOON
        # assetOwnership W1OW: only the utility-owned device is scheduled for removal
        assert sorted(jane.devices.values_list("asset_ownership", "status")) == [
            ("W1CO", DeviceStatus.INSTALLED),
            ("W1OW", DeviceStatus.REMOVAL_SCHEDULED),
        ]

    @pytest.mark.parametrize("days", [0, -3])
    def test_end_date_today_or_earlier_completes_at_once(self, client, jane, days):
        data = body(programInfo={"endDate": (TODAY + timedelta(days=days)).isoformat()})
        data["assetInfo"] = {"removalMethod": "X1KP"}
        answer = self.post(client, data).json()
        assert answer["status"] == "COMPLETED"
        assert answer["appointmentSlots"] == []
        jane.refresh_from_db()
        assert jane.status == EnrollmentStatus.UNENROLLED
        assert jane.end_date == TODAY + timedelta(days=days)
        assert set(jane.devices.values_list("status", flat=True)) == {DeviceStatus.KEPT}

    def test_missing_end_date_means_today(self, client, jane):
        data = body(assetInfo={"removalMethod": "X1KP"})
        del data["programInfo"]["endDate"]
        assert self.post(client, data).json()["status"] == "COMPLETED"
        jane.refresh_from_db()
        assert jane.end_date == TODAY

    def test_ship_device_records_a_return_per_device(self, client, jane):
        data = body(assetInfo={"removalMethod": "X1SD", "assetOwnership": None})
        data["assetInfo"] = {"removalMethod": "X1SD"}
        answer = self.post(client, data).json()
        record = Unenrollment.objects.get(pk=int(answer["unenrollmentId"]))
        assert DeviceReturn.objects.filter(unenrollment=record).count() == 2
        assert set(jane.devices.values_list("status", flat=True)) == {DeviceStatus.RETURN_REQUESTED}
        assert not Appointment.objects.exists()

    def test_same_transaction_id_returns_same_unenrollment(self, client, jane):
        first = self.post(client, UNENROLL).json()
        second = self.post(client, UNENROLL).json()
        assert first == second
        assert Unenrollment.objects.count() == 1
        assert Appointment.objects.count() == 1

    def test_same_transaction_id_in_xml_is_the_same_request(self, client, jane):
        first = self.post(client, UNENROLL).json()
        response = client.post(self.path, data=to_xml(UNENROLL), content_type="application/xml")
        assert response.status_code == 200
        document = SafeET.fromstring(response.content)
        assert document.findtext("unenrollmentId") == first["unenrollmentId"]
        assert Unenrollment.objects.count() == 1

    def test_same_transaction_id_with_another_body_is_409(self, client, jane):
        self.post(client, UNENROLL)
        response = self.post(client, body(unenrollReason="LSSL"))
        body_ = self.assert_envelope(response, 409)
        assert body_["serverMessage"]["messageNbr"] == 4090
        assert "DERMS-TX-0001" in body_["detail"]
        assert Unenrollment.objects.count() == 1

    def test_error_is_replayed_too(self, client, jane):
        data = body(customerInfo={"cisAccountId": "9999999999", "cisPersonId": ""})
        first = self.post(client, data).json()
        assert first["status"] == "ERROR"
        assert self.post(client, data).json() == first
        assert Unenrollment.objects.count() == 1

    def test_without_transaction_id_every_request_is_new(self, client, jane):
        data = body(programInfo={"endDate": TODAY.isoformat()}, assetInfo={"removalMethod": "X1KP"})
        del data["transactionId"]
        first = self.post(client, data).json()
        second = self.post(client, data).json()
        assert first["status"] == "COMPLETED"
        assert second["status"] == "ERROR" and second["exception"]["messageNumber"] == "10401"
        assert first["unenrollmentId"] != second["unenrollmentId"]
        assert "transactionId" not in first

    # --- resolution ---------------------------------------------------------------------------

    def test_resolves_by_person_id_and_premise(self, client, jane):
        data = body()
        data["customerInfo"] = {"cisPersonId": "0023939882"}
        data["locationInfo"] = {"cisPremiseId": "5000000001"}
        assert self.post(client, data).json()["status"] == "PENDING"

    def test_resolves_by_name_and_address_ignoring_case_and_spacing(self, client, jane):
        data = body()
        data["customerInfo"] = {"name": "  jane   DOE "}
        data["locationInfo"] = {
            "address1": "1  MAIN street",
            "city": "springfield",
            "state": "ca",
            "postal": " 94000",
            "country": "US",
        }
        answer = self.post(client, data).json()
        assert answer["status"] == "PENDING", answer
        assert Unenrollment.objects.get().enrollment == jane

    @pytest.mark.parametrize(
        ("changes", "number", "words"),
        [
            ({"customerInfo": {"cisAccountId": "0000000000"}}, "10101", "No customer with cisAccountId 0000000000"),
            ({"locationInfo": {"cisServicePointID": "0000000000"}}, "10201", "No service point"),
            ({"programInfo": {"programId": "NOPE"}}, "10301", "Unknown programId NOPE"),
        ],
    )
    def test_unresolved_is_recorded_as_error_with_exception(self, client, jane, changes, number, words):
        data = only_account(**changes)
        answer = self.post(client, data).json()
        assert answer["status"] == "ERROR"
        assert answer["exception"]["messageCategory"] == "90000"
        assert answer["exception"]["messageNumber"] == number
        assert words in answer["exception"]["expandedMessage"]
        assert len(answer["exception"]["expandedMessage"]) <= 60
        record = Unenrollment.objects.get()
        assert record.status == UnenrollmentStatus.ERROR and record.enrollment is None
        jane.refresh_from_db()
        assert jane.status == EnrollmentStatus.ENROLLED

    @pytest.mark.parametrize(
        ("block", "blank", "number"),
        [
            ("customerInfo", {"cisAccountId": "", "cisPersonId": " ", "name": "  "}, "10103"),
            ("locationInfo", {"cisServicePointID": "", "cisPremiseId": "", "address1": " "}, "10203"),
        ],
    )
    def test_nothing_to_resolve_by_is_an_error(self, client, jane, block, blank, number):
        answer = self.post(client, body(**{block: blank})).json()
        assert answer["status"] == "ERROR"
        assert answer["exception"]["messageNumber"] == number

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"transactionId": "DERMS\x00-1"}, "transactionId"),
            ({"customerInfo": {"name": "Jane\x00 Doe"}}, "customerInfo.name"),
            ({"locationInfo": {"address1": "1 Main\x00 Street"}}, "locationInfo.address1"),
        ],
    )
    def test_nul_characters_are_refused(self, client, jane, changes, field):
        # One rule in every family: a NUL is a 400 naming the field (it used to be dropped silently).
        answer = self.assert_envelope(self.post(client, body(**changes)), 400)
        assert f"{field}: Null characters are not allowed." in answer["detail"]
        assert not Unenrollment.objects.exists()

    def test_customer_elsewhere_has_no_active_enrollment(self, client, jane):
        other = EnrollmentFactory(program=jane.program)
        data = only_account()
        data["locationInfo"] = {"cisServicePointID": other.service_point.cis_service_point_id}
        answer = self.post(client, data).json()
        assert answer["exception"]["messageNumber"] == "10401"

    def test_unenrolled_enrollment_is_not_active(self, client, jane):
        Enrollment.objects.filter(pk=jane.pk).update(status=EnrollmentStatus.UNENROLLED, end_date=TODAY)
        assert self.post(client, only_account()).json()["exception"]["messageNumber"] == "10401"

    def test_more_than_one_match_is_ambiguous(self, client, jane):
        # Two Jane Does at the same premise, both enrolled: the name cannot tell them apart.
        from tests.factories.enrollments import CustomerFactory, ServicePointFactory

        twin = CustomerFactory(name="Jane Doe")
        EnrollmentFactory(
            customer=twin,
            program=jane.program,
            service_point=ServicePointFactory(premise=jane.service_point.premise),
        )
        data = body()
        data["customerInfo"] = {"name": "Jane Doe"}
        data["locationInfo"] = {"cisPremiseId": "5000000001"}
        answer = self.post(client, data).json()
        assert answer["status"] == "ERROR"
        assert answer["exception"]["messageNumber"] == "10402"

    def test_second_unenrollment_of_pending_one_is_refused(self, client, jane):
        self.post(client, UNENROLL)
        answer = self.post(client, body(transactionId="DERMS-TX-0002")).json()
        assert answer["exception"]["messageNumber"] == "10403"
        assert Unenrollment.objects.get(transaction_id="DERMS-TX-0002").enrollment == jane

    def test_end_date_before_start_is_refused(self, client, jane):
        data = only_account(programInfo={"endDate": (jane.start_date - timedelta(days=1)).isoformat()})
        answer = self.post(client, data).json()
        assert answer["exception"]["messageNumber"] == "10404"
        jane.refresh_from_db()
        assert jane.status == EnrollmentStatus.ENROLLED

    # --- appointment slots --------------------------------------------------------------------

    def test_first_usable_slot_is_booked(self, client, jane):
        past = timezone.now() - timedelta(days=1)
        slots = [
            {"crewId": "A", "startDateTime": iso(past), "endDateTime": iso(past + timedelta(hours=2))},
            {"crewId": "B", "startDateTime": iso(SOON), "endDateTime": iso(SOON - timedelta(hours=1))},
            {
                "crewId": "C",
                "startDateTime": iso(SOON),
                "endDateTime": iso(SOON + timedelta(hours=1)),
                **{"workAvailabilityDuration": 0},
            },
            {"crewId": "D", "startDateTime": iso(SOON), "endDateTime": iso(SOON + timedelta(hours=2))},
            {"crewId": "E", "startDateTime": iso(SOON), "endDateTime": iso(SOON + timedelta(hours=2))},
        ]
        answer = self.post(client, body(appointmentSlots=slots)).json()
        assert [slot["crewId"] for slot in answer["appointmentSlots"]] == ["D"]

    def test_crew_already_booked_is_skipped(self, client, jane):
        self.post(client, UNENROLL)
        other = EnrollmentFactory(program=jane.program)
        data = body(transactionId="DERMS-TX-0002")
        data["customerInfo"] = {"cisAccountId": other.customer.cis_account_id}
        data["locationInfo"] = {"cisServicePointID": other.service_point.cis_service_point_id}
        data["appointmentSlots"] = [*UNENROLL["appointmentSlots"], {**UNENROLL["appointmentSlots"][0], "crewId": "X"}]
        answer = self.post(client, data).json()
        assert answer["appointmentSlots"][0]["crewId"] == "X"

    def test_utility_removal_without_usable_slot_is_an_error(self, client, jane):
        answer = self.post(client, body(appointmentSlots=[])).json()
        assert answer["status"] == "ERROR"
        assert answer["exception"]["messageNumber"] == "10501"
        jane.refresh_from_db()
        assert jane.status == EnrollmentStatus.ENROLLED
        assert Unenrollment.objects.get().enrollment == jane

    def test_json_slots_must_be_a_list(self, client, jane):
        response = self.post(client, body(appointmentSlots={"items": UNENROLL["appointmentSlots"]}))
        self.assert_envelope(response, 400)

    # --- schema errors stay 400 ------------------------------------------------------------------

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            (body(customerInfo="1589809012"), "customerInfo"),
            (body(programInfo={"programId": 42}), "programInfo.programId"),
            (
                body(appointmentSlots=[{"workAvailabilityDuration": "3"}]),
                "appointmentSlots[0].workAvailabilityDuration",
            ),
            ({k: v for k, v in UNENROLL.items() if k != "programInfo"}, "programInfo"),
            (body(programInfo={"programId": "THIRTEEN-CHAR"}), "programInfo.programId"),
            (body(programInfo={"endDate": "31/12/2025"}), "programInfo.endDate"),
            (body(assetInfo={"removalMethod": "X1XX"}), "assetInfo.removalMethod"),
            (body(transactionId="x" * 121), "transactionId"),
            (body(customerInfo={"cisAccountId": "1" * 31}), "customerInfo.cisAccountId"),
            (body(locationInfo={"country": "USAA"}), "locationInfo.country"),
            (body(appointmentSlots=[{"workAvailabilityDuration": -1}]), "appointmentSlots[0].workAvailabilityDuration"),
        ],
    )
    def test_schema_errors_are_400_naming_the_field(self, client, jane, data, field):
        response = self.post(client, data)
        answer = self.assert_envelope(response, 400)
        assert field in answer["detail"]
        assert not Unenrollment.objects.exists()

    @pytest.mark.parametrize(("query", "status"), [("?format=", 404), ("?format=yaml", 404), ("?format=xml", 200)])
    def test_format_parameter(self, client, jane, query, status):
        assert client.post(self.path + query, data=UNENROLL, format="json").status_code == status

    def test_xml_slots_wrapped_in_items_are_accepted(self, client, jane):
        slot = UNENROLL["appointmentSlots"][0]
        xml = to_xml({**UNENROLL, "appointmentSlots": {"items": [slot, {**slot, "crewId": "CREW02"}]}})
        response = client.post(self.path, data=xml, content_type="application/xml", HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content
        answer = response.json()
        assert answer["appointmentSlots"] and answer["appointmentSlots"][0]["crewId"] == "CREW01", answer

    def test_xml_request_with_single_slot_element(self, client, jane):
        response = client.post(self.path, data=to_xml(UNENROLL), content_type="application/xml")
        document = SafeET.fromstring(response.content)
        assert document.tag == "X1-DAUnenrol"
        assert document.findtext("status") == "PENDING"
        assert document.findtext("appointmentSlots/crewId") == "CREW01"
        assert document.find("exception") is None


class TestUnenrollRead(OracleContract):
    method = "get"
    xml_root = "X1-DAUnenrol"

    @pytest.fixture
    def contract_data(self, jane, integration_user):
        from enrollments.api.serializers import DAUnenrollRequestSerializer
        from enrollments.services import unenrollment_request

        serializer = DAUnenrollRequestSerializer(data=UNENROLL)
        serializer.is_valid(raise_exception=True)
        return unenrollment_request(**serializer.service_arguments())

    def get_path(self, contract_data) -> str:
        return f"{BASE}/unenroll/{contract_data.pk}"

    def test_reads_back_what_the_post_answered(self, client, contract_data):
        answer = client.get(self.path_for_call).json()
        assert answer["unenrollmentId"] == str(contract_data.pk)
        assert answer["status"] == "PENDING"
        assert answer["appointmentSlots"][0]["crewShiftId"] == "SHIFT-0001"

    @pytest.mark.parametrize("value", ["0", "999999", "abc", "9" * 40])
    def test_unknown_id_is_404(self, client, value):
        self.assert_envelope(client.get(f"{BASE}/unenroll/{value}"), 404)

    def test_read_costs_one_query_after_auth(self, client, django_assert_max_num_queries):
        with django_assert_max_num_queries(3):
            assert client.get(self.path_for_call).status_code == 200


ENROLL = {
    "transactionId": "PORTAL-TX-0001",
    "customerInfo": {"cisAccountId": "1589809012", "cisPersonId": "0023939882", "name": "Jane Doe"},
    "locationInfo": {"cisServicePointID": "2486945183", "address1": "1 Main Street"},
    "programInfo": {"programId": "DEMO-EV"},
    "assetInfo": {"assetOwnership": "W1CO", "assetType": "EVCHARGER", "serialNumber": "EVC-0001"},
}


class TestEnroll(OracleContract):
    path = f"{BASE}/enroll"
    valid_body = ENROLL
    invalid_body = {**ENROLL, "programInfo": {"programId": "DEMO-EV", "startDate": "2025-02-30"}}
    invalid_field = "programInfo.startDate"
    xml_root = "X1-DAEnrol"

    @pytest.fixture
    def contract_data(self, jane):
        ProgramFactory(program_id="DEMO-EV")
        return jane

    def post(self, client, data):
        return client.post(self.path, data=data, format="json")

    def test_enrolls_today_with_a_device(self, client, jane):
        answer = self.post(client, ENROLL).json()
        assert answer["status"] == "ENROLLED"
        assert answer["programId"] == "DEMO-EV"
        assert answer["startDate"] == TODAY.isoformat()
        enrollment = Enrollment.objects.get(pk=int(answer["enrollmentId"]))
        assert enrollment.customer == jane.customer and enrollment.service_point == jane.service_point
        assert list(enrollment.devices.values_list("serial_number", "asset_ownership")) == [("EVC-0001", "W1CO")]

    def test_future_start_is_pending_and_the_daily_task_starts_it(self, client, jane):
        from enrollments.services import unenrollment_complete_due

        start = TODAY + timedelta(days=10)
        answer = self.post(client, {**ENROLL, "programInfo": {"programId": "DEMO-EV", "startDate": str(start)}}).json()
        assert answer["status"] == "PENDING"
        unenrollment_complete_due(today=start)
        assert Enrollment.objects.get(pk=int(answer["enrollmentId"])).status == EnrollmentStatus.ENROLLED

    def test_already_enrolled_is_an_error_and_records_nothing(self, client, jane):
        data = {**ENROLL, "transactionId": "PORTAL-TX-0002", "programInfo": {"programId": "DEMO-BYOT"}}
        answer = self.post(client, data).json()
        assert answer == {
            "status": "ERROR",
            "transactionId": "PORTAL-TX-0002",
            "exception": {
                "messageCategory": "90000",
                "messageNumber": "10405",
                "expandedMessage": "Customer is already enrolled in this program here",
            },
        }
        assert Enrollment.objects.count() == 1

    def test_enrolls_again_after_an_unenrollment(self, client, jane):
        Enrollment.objects.filter(pk=jane.pk).update(status=EnrollmentStatus.UNENROLLED, end_date=TODAY)
        data = {**ENROLL, "programInfo": {"programId": "DEMO-BYOT"}}
        answer = self.post(client, data).json()
        assert answer["status"] == "ENROLLED"
        assert Enrollment.objects.filter(program__program_id="DEMO-BYOT").count() == 2

    def test_idempotent_and_conflicting_transaction_ids(self, client, jane):
        first = self.post(client, ENROLL).json()
        assert self.post(client, ENROLL).json() == first
        assert Enrollment.objects.count() == 2
        response = self.post(client, {**ENROLL, "programInfo": {"programId": "DEMO-BYOT"}})
        self.assert_envelope(response, 409)

    @pytest.mark.parametrize(
        ("changes", "number"),
        [
            ({"programInfo": {"programId": "NOPE"}}, "10301"),
            ({"customerInfo": {"name": "Nobody"}}, "10101"),
            ({"locationInfo": {"cisPremiseId": "404"}}, "10201"),
        ],
    )
    def test_unresolved_answers_error(self, client, jane, changes, number):
        answer = self.post(client, {**ENROLL, **changes}).json()
        assert answer["status"] == "ERROR" and answer["exception"]["messageNumber"] == number
        assert "enrollmentId" not in answer

    def test_closed_program_and_ambiguous_customer(self, client, jane):
        from tests.factories.enrollments import CustomerFactory

        ProgramFactory(program_id="OLD", is_active=False)
        answer = self.post(client, {**ENROLL, "programInfo": {"programId": "OLD"}}).json()
        assert answer["exception"]["messageNumber"] == "10302"
        # Two Jane Does with service at the same service point: the name cannot tell them apart.
        ServiceAgreementFactory(customer=CustomerFactory(name="Jane Doe"), service_point=jane.service_point)
        answer = self.post(client, {**ENROLL, "customerInfo": {"name": "jane doe"}}).json()
        assert answer["exception"]["messageNumber"] == "10102"

    def test_a_name_with_an_address_is_the_customer_at_that_address(self, client, jane):
        # issue 14: a namesake elsewhere used to make "Jane Doe at 1 Main Street" ambiguous (10102) on enroll,
        # while unenroll resolved her; both now resolve the customer with service at the address.
        from tests.factories.enrollments import CustomerFactory

        twin = ServiceAgreementFactory(customer=CustomerFactory(name="Jane Doe"))
        by_name = {"customerInfo": {"name": "jane doe"}}
        mine = self.post(client, {**ENROLL, **by_name}).json()
        assert mine["status"] == "ENROLLED", mine
        assert Enrollment.objects.get(pk=int(mine["enrollmentId"])).customer == jane.customer
        where_twin_lives = {"cisPremiseId": twin.service_point.premise.cis_premise_id}
        theirs = self.post(
            client, {**ENROLL, **by_name, "transactionId": "PORTAL-TX-0009", "locationInfo": where_twin_lives}
        ).json()
        assert theirs["status"] == "ENROLLED", theirs
        assert Enrollment.objects.get(pk=int(theirs["enrollmentId"])).customer == twin.customer

    def test_a_name_without_service_at_the_address_is_not_found(self, client, jane):
        elsewhere = ServiceAgreementFactory()
        data = {**ENROLL, "customerInfo": {"name": "Jane Doe"}}
        data["locationInfo"] = {"cisServicePointID": elsewhere.service_point.cis_service_point_id}
        answer = self.post(client, data).json()
        assert answer["exception"]["messageNumber"] == "10101"
        assert answer["exception"]["expandedMessage"].startswith("No customer named Jane Doe at service point")

    def test_end_before_start_is_an_error(self, client, jane):
        data = {**ENROLL, "programInfo": {"programId": "DEMO-EV", "startDate": "2026-01-02", "endDate": "2026-01-01"}}
        answer = self.post(client, data).json()
        assert answer["exception"]["messageNumber"] == "10404"
        assert Enrollment.objects.count() == 1


class TestEnrollRead(OracleContract):
    method = "get"
    xml_root = "X1-DAEnrol"

    @pytest.fixture
    def contract_data(self, jane):
        return jane

    def get_path(self, contract_data) -> str:
        return f"{BASE}/enroll/{contract_data.pk}"

    def test_reads_status_and_dates(self, client, jane):
        answer = client.get(self.path_for_call).json()
        assert answer == {
            "enrollmentId": str(jane.pk),
            "status": "ENROLLED",
            "programId": "DEMO-BYOT",
            "startDate": jane.start_date.isoformat(),
        }

    def test_unknown_is_404(self, client):
        self.assert_envelope(client.get(f"{BASE}/enroll/123456789"), 404)
