"""Business messages of the enrollment API: what goes into a response's ``exception`` block.

The category is 90000, the range Oracle Utilities Application Framework leaves to implementations; numbers are
grouped by what could not be resolved or done. ``expandedMessage`` is at most 60 characters on the wire.
"""

from dataclasses import dataclass

MESSAGE_CATEGORY = "90000"
EXPANDED_MAX = 60


@dataclass(frozen=True)
class BusinessMessage:
    number: str
    text: str

    @property
    def category(self) -> str:
        return MESSAGE_CATEGORY

    @property
    def expanded(self) -> str:
        return self.text if len(self.text) <= EXPANDED_MAX else self.text[: EXPANDED_MAX - 3] + "..."


class BusinessError(Exception):
    """Raised by a selector or service when a request is well formed but cannot be carried out."""

    def __init__(self, message: BusinessMessage, enrollment=None):
        super().__init__(message.text)
        self.message = message
        self.enrollment = enrollment


# 101xx customer, 102xx location, 103xx program, 104xx enrollment, 105xx device removal.
CUSTOMER_NOT_FOUND = "10101"
CUSTOMER_AMBIGUOUS = "10102"
CUSTOMER_INFO_MISSING = "10103"
LOCATION_NOT_FOUND = "10201"
LOCATION_AMBIGUOUS = "10202"
LOCATION_INFO_MISSING = "10203"
PROGRAM_NOT_FOUND = "10301"
PROGRAM_CLOSED = "10302"
NO_ACTIVE_ENROLLMENT = "10401"
AMBIGUOUS_ENROLLMENT = "10402"
ALREADY_PENDING_UNENROLL = "10403"
END_BEFORE_START = "10404"
ALREADY_ENROLLED = "10405"
NO_USABLE_SLOT = "10501"

CODES = {
    CUSTOMER_NOT_FOUND: "No customer matches customerInfo",
    CUSTOMER_AMBIGUOUS: "More than one customer matches customerInfo",
    CUSTOMER_INFO_MISSING: "customerInfo has no cisAccountId, cisPersonId or name",
    LOCATION_INFO_MISSING: "locationInfo has no cisServicePointID, cisPremiseId, address1",
    LOCATION_NOT_FOUND: "No service point matches locationInfo",
    LOCATION_AMBIGUOUS: "More than one service point matches locationInfo",
    PROGRAM_NOT_FOUND: "Unknown programId",
    PROGRAM_CLOSED: "Program is closed for enrollment",
    NO_ACTIVE_ENROLLMENT: "No active enrollment for customer, location and program",
    AMBIGUOUS_ENROLLMENT: "More than one active enrollment matches",
    ALREADY_PENDING_UNENROLL: "Enrollment already has a pending unenrollment",
    END_BEFORE_START: "endDate is before the enrollment's start date",
    ALREADY_ENROLLED: "Customer is already enrolled in this program here",
    NO_USABLE_SLOT: "No usable appointment slot for utility removal",
}


def business_error(number: str, text: str | None = None, *, enrollment=None) -> BusinessError:
    return BusinessError(BusinessMessage(number, text or CODES[number]), enrollment=enrollment)
