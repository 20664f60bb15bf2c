"""The domain errors of enrollments: one stable code and one human message each.

The texts are the domain's own words (the admin shows them, an unenrollment in ``ERROR`` keeps them in full);
the wire's message numbers (category 90000, 101xx-105xx) and its 60-character ``expandedMessage`` live in one
table in ``enrollments/api/errors.py``. Resolution details (which id was not found, which enrollment it was) travel
as ``params``.
"""

from core.errors import Ambiguous, Conflict, DomainError, Invalid, InvalidState, NotFound

# Customer resolution.
CUSTOMER_NOT_FOUND = "enrollments.customer_not_found"
CUSTOMER_AMBIGUOUS = "enrollments.customer_ambiguous"
CUSTOMER_INFO_MISSING = "enrollments.customer_info_missing"
# Service point resolution.
LOCATION_NOT_FOUND = "enrollments.location_not_found"
LOCATION_AMBIGUOUS = "enrollments.location_ambiguous"
LOCATION_INFO_MISSING = "enrollments.location_info_missing"
# Program.
PROGRAM_NOT_FOUND = "enrollments.program_not_found"
PROGRAM_CLOSED = "enrollments.program_closed"
# Enrollment.
NO_ACTIVE_ENROLLMENT = "enrollments.no_active_enrollment"
ENROLLMENT_AMBIGUOUS = "enrollments.enrollment_ambiguous"
ALREADY_PENDING_UNENROLL = "enrollments.already_pending_unenroll"
END_BEFORE_START = "enrollments.end_before_start"
ALREADY_ENROLLED = "enrollments.already_enrolled"
ENROLLMENT_ENDING = "enrollments.enrollment_ending"
# Device removal.
NO_USABLE_SLOT = "enrollments.no_usable_slot"
# Idempotency.
TRANSACTION_CONFLICT = "enrollments.transaction_conflict"

# code -> (kind of "no", default message)
ERRORS: dict[str, tuple[type[DomainError], str]] = {
    CUSTOMER_NOT_FOUND: (NotFound, "No customer matches customerInfo"),
    CUSTOMER_AMBIGUOUS: (Ambiguous, "More than one customer matches customerInfo"),
    CUSTOMER_INFO_MISSING: (Invalid, "customerInfo has no cisAccountId, cisPersonId or name"),
    LOCATION_NOT_FOUND: (NotFound, "No service point matches locationInfo"),
    LOCATION_AMBIGUOUS: (Ambiguous, "More than one service point matches locationInfo"),
    LOCATION_INFO_MISSING: (Invalid, "locationInfo has no cisServicePointID, cisPremiseId, address1"),
    PROGRAM_NOT_FOUND: (NotFound, "Unknown programId"),
    PROGRAM_CLOSED: (InvalidState, "Program is closed for enrollment"),
    NO_ACTIVE_ENROLLMENT: (NotFound, "No active enrollment for customer, location and program"),
    ENROLLMENT_AMBIGUOUS: (Ambiguous, "More than one active enrollment matches"),
    ALREADY_PENDING_UNENROLL: (InvalidState, "Enrollment already has a pending unenrollment"),
    END_BEFORE_START: (Invalid, "endDate is before the enrollment's start date"),
    ALREADY_ENROLLED: (Conflict, "Customer is already enrolled in this program here"),
    ENROLLMENT_ENDING: (InvalidState, "Enrollment is being unenrolled: it changes through its unenrollment"),
    NO_USABLE_SLOT: (Invalid, "No usable appointment slot for utility removal"),
    TRANSACTION_CONFLICT: (Conflict, "transactionId was already used for a different request"),
}


def error(code: str, message: str | None = None, **params) -> DomainError:
    """The domain error ``code``, with its default message unless a more precise one is given.

    ``params`` carry what the doors may need: ``enrollment_id`` (the enrollment an unenrollment error concerns),
    ``transaction_id``, the ids that were not found.
    """
    kind, default = ERRORS[code]
    return kind(message or default, code=code, **params)
