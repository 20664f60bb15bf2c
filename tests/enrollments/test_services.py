"""Services and selectors: normalisation, resolution query budget, daily completion, admin unenroll, demo."""

from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from enrollments import services
from enrollments.domain import LocationQuery
from enrollments.keys import address_key, normalise
from enrollments.models import (
    Customer,
    DeviceStatus,
    Enrollment,
    EnrollmentStatus,
    Unenrollment,
    UnenrollmentStatus,
)
from tests import query_budget
from tests.factories.enrollments import DeviceFactory, EnrollmentFactory, jane_doe_enrollment

from .conftest import enroll_arguments, unenroll_arguments

assert_max_statements = query_budget.assert_max_statements  # the fixture

TODAY = timezone.localdate()


def validated(data: dict) -> dict:
    """The document as ``unenrollment_request``'s arguments, translated by the wire door."""
    return unenroll_arguments(data)


def request(*, end_date, transaction_id="TX-1", **location) -> dict:
    return validated(
        {
            "transactionId": transaction_id,
            "unenrollReason": "INACTIVESERVICE",
            "customerInfo": {"name": "Jane Doe"},
            "locationInfo": location or {"cisServicePointID": "2486945183"},
            "programInfo": {"programId": "DEMO-BYOT", "endDate": end_date.isoformat()},
            "assetInfo": {"removalMethod": "X1KP"},
        }
    )


# --- normalisation (many inputs: hypothesis) ------------------------------------------------------

# Names and addresses as CIS systems hold them (Latin letters and digits); Unicode case mapping is not
# reversible in general (dotless i), so it is not a property to ask of normalise.
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789éÉ", min_size=1, max_size=8)
spacing = st.text(alphabet=" \t\n", min_size=1, max_size=3)


@given(st.lists(words, min_size=1, max_size=5), st.lists(spacing, min_size=6, max_size=6))
def test_normalise_ignores_case_and_spacing(parts, gaps):
    messy = gaps[0] + "".join(part.upper() + gap for part, gap in zip(parts, gaps[1:], strict=False))
    assert normalise(messy) == normalise(" ".join(parts))
    assert normalise(messy) == normalise(normalise(messy))  # idempotent


@given(st.text(max_size=40), st.text(max_size=20))
def test_address_key_never_mixes_fields(line, city):
    # The separator never leaks from a part: a line ending in "|" cannot be read as the next field.
    key = address_key(address1=line, city=city)
    assert key.count("|") == 6
    assert key.split("|")[0] == normalise(line)
    assert key.split("|")[4] == normalise(city)


def test_address_key_examples():
    assert address_key(address1="1  Main St.", city="SPRINGFIELD", state="ca", postal="94000") == address_key(
        address1="1 main st", city="Springfield", state="CA", postal=" 94000 "
    )
    assert address_key(address1="1 Main St", postal="94000") != address_key(address1="1 Main St", postal="94001")


# --- resolution cost ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "location",
    [
        {"cisServicePointID": "2486945183"},
        {"cisPremiseId": "5000000001"},
        {"address1": "1 main street", "city": "Springfield", "state": "CA", "postal": "94000"},
    ],
    ids=["service-point", "premise", "address"],
)
def test_unenroll_costs_a_constant_number_of_queries(assert_max_statements, location):
    from core.changes.recording import enabled_subscriptions

    jane = jane_doe_enrollment()
    for _ in range(5):  # more rows must not mean more queries
        EnrollmentFactory(program=jane.program)
        DeviceFactory(enrollment=jane)
    enabled_subscriptions()  # the listeners are cached in the process (a request finds them warm)
    # The enrollment resolved with its key relations (one SELECT … FOR UPDATE), the unenrollment inserted (no
    # lookup first: a retried transaction id fails the insert and is replayed), the enrollment and its devices
    # updated, and the change log's two rows (unenrollment, enrollment): 6 statements, transaction control aside.
    with assert_max_statements(6):
        record = services.unenrollment_request(**request(end_date=TODAY, **location))
    assert record.status == UnenrollmentStatus.COMPLETED, record.expanded_message


@pytest.mark.django_db
def test_a_retried_transaction_id_is_replayed_after_the_failed_insert():
    jane_doe_enrollment()
    first = services.unenrollment_request(**request(end_date=TODAY, cisServicePointID="2486945183"))
    again = services.unenrollment_request(**request(end_date=TODAY, cisServicePointID="2486945183"))
    assert again.pk == first.pk and again.status == UnenrollmentStatus.COMPLETED
    assert Unenrollment.objects.count() == 1


@pytest.mark.django_db
def test_address_lookup_uses_the_index():
    from django.db import connection

    from enrollments import selectors

    queryset = selectors.service_points_matching(
        location=LocationQuery(address1="1 Main Street", city="Springfield", state="CA", postal="94000")
    )
    plan = queryset.explain()
    if connection.vendor == "sqlite":
        assert "address_key" in plan and "INDEX" in plan.upper()
    else:
        assert "Index" in plan


# --- daily completion -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_due_unenrollments_complete_on_their_day_and_only_once():
    jane = jane_doe_enrollment()
    DeviceFactory(enrollment=jane)
    end = TODAY + timedelta(days=3)
    record = services.unenrollment_request(**request(end_date=end))
    assert record.status == UnenrollmentStatus.PENDING
    assert services.unenrollment_complete_due(today=end - timedelta(days=1)) == 0
    jane.refresh_from_db()
    assert jane.status == EnrollmentStatus.PENDING_UNENROLL and jane.end_date == end

    # a missed day is caught up: run two days late
    assert services.unenrollment_complete_due(today=end + timedelta(days=2)) == 1
    record.refresh_from_db()
    jane.refresh_from_db()
    assert record.status == UnenrollmentStatus.COMPLETED and record.completed_at is not None
    assert jane.status == EnrollmentStatus.UNENROLLED and jane.end_date == end
    completed_at = record.completed_at
    assert services.unenrollment_complete_due(today=end + timedelta(days=3)) == 0  # idempotent
    record.refresh_from_db()
    assert record.completed_at == completed_at


@pytest.mark.django_db
def test_task_runs_the_service():
    from enrollments.tasks import complete_due_unenrollments

    jane = jane_doe_enrollment()
    Enrollment.objects.filter(pk=jane.pk).update(status=EnrollmentStatus.PENDING_UNENROLL, end_date=TODAY)
    Unenrollment.objects.create(
        request_hash="x", status=UnenrollmentStatus.PENDING, enrollment=jane, program_id="DEMO-BYOT", end_date=TODAY
    )
    assert complete_due_unenrollments.delay().get() == 1
    assert complete_due_unenrollments.delay().get() == 0
    jane.refresh_from_db()
    assert jane.status == EnrollmentStatus.UNENROLLED


def test_beat_schedules_the_task():
    from django.conf import settings

    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["enrollments-complete-due-unenrollments"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


@pytest.mark.django_db
def test_admin_unenroll_now_records_an_unenrollment_and_keeps_devices():
    jane = jane_doe_enrollment()
    DeviceFactory(enrollment=jane)
    future = EnrollmentFactory(status=EnrollmentStatus.PENDING, start_date=TODAY + timedelta(days=5))
    gone = EnrollmentFactory(status=EnrollmentStatus.UNENROLLED, end_date=TODAY)
    assert services.enrollment_unenroll_now(enrollments=[jane, future, gone], reason="CUSTOMEROPTOUT") == 1
    jane.refresh_from_db()
    assert jane.status == EnrollmentStatus.UNENROLLED and jane.end_date == TODAY
    assert set(jane.devices.values_list("status", flat=True)) == {DeviceStatus.KEPT}
    assert Unenrollment.objects.get().enrollment == jane


@pytest.mark.django_db
def test_fingerprint_is_stable_and_body_sensitive():
    a = request(end_date=TODAY)
    b = request(end_date=TODAY)
    c = request(end_date=TODAY + timedelta(days=1))
    assert a["request_hash"] == b["request_hash"] != c["request_hash"]  # the wire door's: of the document
    assert a["request_hash"] == services.request_fingerprint(a["request_body"])


@pytest.mark.django_db
def test_demo_resolves_the_documented_jane_doe():
    from enrollments import demo

    demo.load(stdout=StringIO())
    assert demo.load(stdout=StringIO()) == "already loaded"
    assert Customer.objects.count() == demo.CUSTOMERS
    statuses = set(Enrollment.objects.values_list("status", flat=True))
    assert statuses == set(EnrollmentStatus.values)
    # loaded through the services: what the real paths make of the demo's requests
    error = Unenrollment.objects.get(transaction_id="DEMO-UNENROLL-ERROR")
    assert error.status == UnenrollmentStatus.ERROR and error.error_code == "enrollments.customer_not_found"
    pending = Unenrollment.objects.filter(status=UnenrollmentStatus.PENDING)
    assert pending.exists() and not pending.filter(appointment__isnull=True).exists()
    assert not Customer.objects.filter(name_key="").exists()
    record = services.unenrollment_request(
        **validated(
            {
                "transactionId": "DEMO-TRY",
                "customerInfo": {"cisAccountId": "1589809012", "cisPersonId": "0023939882", "name": "Jane Doe"},
                "locationInfo": {
                    "address1": "1 Main Street",
                    "city": "Springfield",
                    "state": "CA",
                    "postal": "94000",
                    "country": "USA",
                },
                "programInfo": {"programId": "DEMO-BYOT"},
            }
        )
    )
    assert record.status == UnenrollmentStatus.COMPLETED, record.expanded_message
    enrollment = services.enrollment_request(
        **enroll_arguments(
            {
                "customerInfo": {"cisAccountId": "1589809012"},
                "locationInfo": {"cisServicePointID": "2486945183"},
                "programInfo": {"programId": "DEMO-EV"},
            }
        )
    )
    assert enrollment.status == EnrollmentStatus.ENROLLED


@pytest.mark.django_db
def test_demo_namesakes_resolve_by_address_identically_for_enroll_and_unenroll():
    from enrollments import demo
    from enrollments.models import Premise

    demo.load(stdout=StringIO())
    janes = Customer.objects.filter(name="Jane Doe")
    homes = set(
        Premise.objects.filter(service_points__agreements__customer__in=janes).values_list("address1", flat=True)
    )
    assert janes.count() >= 2 and len(homes) == janes.count()  # namesakes, each at their own address

    for jane in janes:
        point = jane.agreements.get().service_point
        premise = point.premise
        address = {"address1": premise.address1, "city": premise.city, "state": premise.state, "postal": premise.postal}
        active = jane.enrollments.filter(status__in=[EnrollmentStatus.ENROLLED, EnrollmentStatus.PENDING])
        other = {"DEMO-BYOT", "DEMO-EV", "DEMO-BATT"} - set(active.values_list("program__program_id", flat=True))
        enrolled = services.enrollment_request(
            **enroll_arguments(
                {
                    "customerInfo": {"name": "jane doe"},
                    "locationInfo": address,
                    "programInfo": {"programId": sorted(other)[0]},
                }
            )
        )
        assert enrolled.customer == jane and enrolled.service_point == point
        left = services.unenrollment_request(
            **validated(
                {
                    "customerInfo": {"name": "Jane Doe"},
                    "locationInfo": address,
                    "programInfo": {"programId": sorted(other)[0]},
                }
            )
        )
        assert left.status == UnenrollmentStatus.COMPLETED, left.expanded_message
        assert left.enrollment == enrolled


@pytest.mark.django_db
def test_a_request_without_a_document_is_fingerprinted_from_its_arguments():
    """The demo's door passes domain arguments only: a repeat replays, another request under the id conflicts."""
    from core.errors import Conflict
    from enrollments.domain import CustomerQuery

    jane_doe_enrollment()
    arguments = {
        "customer": CustomerQuery(account_id="1589809012"),
        "location": LocationQuery(service_point_id="2486945183"),
        "program_id": "DEMO-BYOT",
        "end_date": TODAY + timedelta(days=3),
        "transaction_id": "NO-DOC",
    }
    first = services.unenrollment_request(**arguments)
    assert first.status == UnenrollmentStatus.PENDING, first.expanded_message
    assert first.request_body["customer"]["account_id"] == "1589809012"
    assert services.unenrollment_request(**arguments) == first
    with pytest.raises(Conflict):
        services.unenrollment_request(**arguments | {"end_date": TODAY + timedelta(days=4)})
