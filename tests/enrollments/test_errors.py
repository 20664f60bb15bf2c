"""Domain errors: services say "no" with core.errors (stable codes, params), and api/errors.py is the one table that
turns a code into the wire's message number."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import Ambiguous, Conflict, DomainError, InvalidState, NotFound
from enrollments import errors as domain
from enrollments import services
from enrollments.api import errors
from enrollments.models import Unenrollment, UnenrollmentStatus
from tests.factories.enrollments import (
    CustomerFactory,
    ProgramFactory,
    ServiceAgreementFactory,
    jane_doe_enrollment,
)

from .conftest import enroll_arguments, unenroll_arguments

TODAY = timezone.localdate()


def enroll_data(**program_info) -> dict:
    return {
        "customerInfo": {"cisAccountId": "1589809012"},
        "locationInfo": {"cisServicePointID": "2486945183"},
        "programInfo": {"programId": "DEMO-EV", **program_info},
    }


def test_every_business_code_has_one_wire_number_and_the_conflict_is_a_409():
    business = set(domain.ERRORS) - {domain.TRANSACTION_CONFLICT}
    assert set(errors.MESSAGE_NUMBERS) == business
    numbers = list(errors.MESSAGE_NUMBERS.values())
    assert len(set(numbers)) == len(numbers)
    assert all(len(n) == 5 and n.startswith("10") for n in numbers)
    assert errors.DOMAIN_ERROR_CODES[domain.TRANSACTION_CONFLICT].status == 409
    assert errors.DOMAIN_ERROR_CODES[domain.TRANSACTION_CONFLICT].code == 4090


def test_every_code_is_namespaced_and_its_error_a_core_domain_error():
    for code in domain.ERRORS:
        exc = domain.error(code, note="x")
        assert isinstance(exc, DomainError)
        assert exc.code == code and code.startswith("enrollments.")
        assert exc.params == {"note": "x"} and exc.message


def test_exception_block_shortens_the_message_to_sixty_characters():
    block = errors.exception_block(code=domain.CUSTOMER_NOT_FOUND, message="x" * 100)
    assert block == {"messageCategory": "90000", "messageNumber": "10101", "expandedMessage": "x" * 57 + "..."}
    assert errors.exception_block(code="", message="") is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "data", "kind", "code"),
    [
        (None, enroll_data() | {"programInfo": {"programId": "NOPE"}}, NotFound, domain.PROGRAM_NOT_FOUND),
        ("closed", enroll_data(), InvalidState, domain.PROGRAM_CLOSED),
        ("twin", enroll_data() | {"customerInfo": {"name": "Jane Doe"}}, Ambiguous, domain.CUSTOMER_AMBIGUOUS),
        ("enrolled", enroll_data() | {"programInfo": {"programId": "DEMO-BYOT"}}, Conflict, domain.ALREADY_ENROLLED),
    ],
)
def test_enroll_refusals_are_raised_domain_errors_and_record_nothing(setup, data, kind, code):
    jane = jane_doe_enrollment()
    ProgramFactory(program_id="DEMO-EV", is_active=setup != "closed")
    if setup == "twin":  # a namesake with service at the same service point: really ambiguous
        ServiceAgreementFactory(customer=CustomerFactory(name="Jane Doe"), service_point=jane.service_point)
    with pytest.raises(kind) as caught:
        services.enrollment_request(**enroll_arguments(data))
    assert caught.value.code == code
    assert jane.customer.enrollments.count() == 1


@pytest.mark.django_db
def test_a_reused_transaction_id_is_a_conflict_with_the_id_in_params():
    jane_doe_enrollment()
    ProgramFactory(program_id="DEMO-EV")
    services.enrollment_request(**enroll_arguments(enroll_data() | {"transactionId": "T-1"}))
    with pytest.raises(Conflict) as caught:
        later = enroll_data(startDate=TODAY + timedelta(days=1)) | {"transactionId": "T-1"}
        services.enrollment_request(**enroll_arguments(later))
    assert caught.value.code == domain.TRANSACTION_CONFLICT
    assert caught.value.params == {"transaction_id": "T-1"}


@pytest.mark.django_db
def test_an_unresolved_unenrollment_records_the_domain_code_and_the_full_message():
    jane = jane_doe_enrollment()
    record = services.unenrollment_request(
        **unenroll_arguments(
            {
                "customerInfo": {"cisAccountId": "1589809012"},
                "locationInfo": {"cisServicePointID": "2486945183"},
                "programInfo": {"programId": "DEMO-BYOT", "endDate": jane.start_date - timedelta(days=1)},
            }
        )
    )
    record = Unenrollment.objects.get(pk=record.pk)
    assert record.status == UnenrollmentStatus.ERROR
    assert record.error_code == domain.END_BEFORE_START
    assert record.expanded_message == "endDate is before the enrollment's start date"
    assert record.enrollment == jane  # the enrollment it concerned travels in the error's params
