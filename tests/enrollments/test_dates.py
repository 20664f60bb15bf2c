"""End before start (issue 22, "every rule once"): one function (``enrollments.rules``) called by enroll (wire and
admin add), unenroll and the admin's date change, and one Q for the model's check constraint; a property test
proves the two agree. Each door is tested at the boundary (the same day is fine, the day before is refused with
the domain error, never left to the database's constraint); the hand mutation sample's surviving mutant
(``enrollment_update``'s check removed) is killed here."""

from datetime import date, timedelta

import pytest
from django.db.models import DateField, Value
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import DomainError
from enrollments import errors, services
from enrollments.models import Enrollment, Unenrollment, UnenrollmentStatus
from enrollments.rules import END_AFTER_START, check_dates, ends_before_start
from tests.factories.enrollments import CustomerFactory, ProgramFactory, ServicePointFactory, jane_doe_enrollment

from .conftest import enroll_arguments, unenroll_arguments

TODAY = timezone.localdate()
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "refused"),
    [(TODAY, TODAY - DAY, True), (TODAY, TODAY, False), (TODAY, TODAY + DAY, False), (TODAY, None, False)],
)
def test_the_rule(start, end, refused):
    assert ends_before_start(start_date=start, end_date=end) is refused
    if refused:
        with pytest.raises(DomainError) as caught:
            check_dates(start_date=start, end_date=end, enrollment_id=7)
        assert (caught.value.code, caught.value.params) == (errors.END_BEFORE_START, {"enrollment_id": 7})
    else:
        assert check_dates(start_date=start, end_date=end) is None


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(1900, 1, 1)), st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1))))
def test_the_check_constraint_is_the_same_rule(start, end):
    values = {"start_date": Value(start, DateField()), "end_date": Value(end, DateField())}
    assert END_AFTER_START.check(values) is not ends_before_start(start_date=start, end_date=end)


def _refused(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


@pytest.mark.django_db
def test_enrollment_create_refuses_an_end_before_the_start():
    kwargs = {"customer": CustomerFactory(), "service_point": ServicePointFactory(), "program": ProgramFactory()}
    refused = _refused(lambda: services.enrollment_create(**kwargs, start_date=TODAY, end_date=TODAY - DAY))
    assert refused == errors.END_BEFORE_START
    assert services.enrollment_create(**kwargs, start_date=TODAY, end_date=TODAY).end_date == TODAY


@pytest.mark.django_db
def test_enrollment_request_refuses_an_end_before_the_start_before_resolving():
    ProgramFactory(program_id="DEMO-EV")
    data = {
        "customerInfo": {"cisAccountId": "NOBODY"},
        "locationInfo": {"cisServicePointID": "NOWHERE"},
        "programInfo": {"programId": "DEMO-EV", "startDate": TODAY, "endDate": TODAY - DAY},
    }
    assert _refused(lambda: services.enrollment_request(**enroll_arguments(data))) == errors.END_BEFORE_START
    data["programInfo"]["endDate"] = TODAY  # the same day: on to resolving the customer
    assert _refused(lambda: services.enrollment_request(**enroll_arguments(data))) == errors.CUSTOMER_NOT_FOUND


@pytest.mark.django_db
def test_enrollment_update_refuses_an_end_before_the_start():
    enrollment = jane_doe_enrollment()
    start = enrollment.start_date
    refused = _refused(
        lambda: services.enrollment_update(enrollment=enrollment, start_date=start, end_date=start - DAY)
    )
    assert refused == errors.END_BEFORE_START
    assert Enrollment.objects.get(pk=enrollment.pk).end_date is None
    services.enrollment_update(enrollment=enrollment, start_date=start, end_date=start)
    assert Enrollment.objects.get(pk=enrollment.pk).end_date == start


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "status"), [(-1, UnenrollmentStatus.ERROR), (0, UnenrollmentStatus.COMPLETED)])
def test_unenrollment_refuses_an_end_before_the_enrollment_start(days, status):
    jane = jane_doe_enrollment(start_date=TODAY)
    record = services.unenrollment_request(
        **unenroll_arguments(
            {
                "customerInfo": {"cisAccountId": "1589809012"},
                "locationInfo": {"cisServicePointID": "2486945183"},
                "programInfo": {"programId": "DEMO-BYOT", "endDate": jane.start_date + timedelta(days=days)},
                "assetInfo": {"removalMethod": "X1KP"},
            }
        )
    )
    record = Unenrollment.objects.get(pk=record.pk)
    assert record.status == status
    assert record.error_code == (errors.END_BEFORE_START if days < 0 else "")
