"""How the enrollment API answers domain errors: the one table from domain codes to the wire.

Two ways, as the Digital Asset spec does it:

- a business outcome is a 200 answer with ``status`` ``ERROR`` and an ``exception`` block
  ``{messageCategory: "90000", messageNumber, expandedMessage}`` (category 90000 is the range Oracle Utilities
  Application Framework leaves to implementations; ``expandedMessage`` is at most 60 characters, the full message
  stays on the record). Unenroll records the request in ``ERROR``; enroll records nothing.
- a reused ``transactionId`` with another body is a 409 ``problemDetailDocument`` (``messageNbr`` 4090), through
  ``DOMAIN_ERROR_CODES`` (the base view's ``domain_error_codes``).

Numbers are grouped by what could not be resolved or done: 101xx customer, 102xx location, 103xx program,
104xx enrollment, 105xx device removal.
"""

from core.errors import DomainError
from core.wire.common import WireCode
from core.wire.oracle import MESSAGE_NUMBERS as ORACLE_NUMBERS

from .. import errors as domain

MESSAGE_CATEGORY = "90000"
EXPANDED_MAX = 60

# domain code -> messageNumber of the ``exception`` block (answered 200, status ERROR)
MESSAGE_NUMBERS: dict[str, str] = {
    domain.CUSTOMER_NOT_FOUND: "10101",
    domain.CUSTOMER_AMBIGUOUS: "10102",
    domain.CUSTOMER_INFO_MISSING: "10103",
    domain.LOCATION_NOT_FOUND: "10201",
    domain.LOCATION_AMBIGUOUS: "10202",
    domain.LOCATION_INFO_MISSING: "10203",
    domain.PROGRAM_NOT_FOUND: "10301",
    domain.PROGRAM_CLOSED: "10302",
    domain.NO_ACTIVE_ENROLLMENT: "10401",
    domain.ENROLLMENT_AMBIGUOUS: "10402",
    domain.ALREADY_PENDING_UNENROLL: "10403",
    domain.END_BEFORE_START: "10404",
    domain.ALREADY_ENROLLED: "10405",
    domain.ENROLLMENT_ENDING: "10406",
    domain.NO_USABLE_SLOT: "10501",
}

# domain code -> problemDetailDocument answer (the family renders it; see core.wire.oracle)
DOMAIN_ERROR_CODES: dict[str, WireCode] = {
    domain.TRANSACTION_CONFLICT: WireCode(409, ORACLE_NUMBERS["conflict"]),
}


def is_business(exc: DomainError) -> bool:
    """True when the error is answered as a 200 ``ERROR`` document rather than a problem envelope."""
    return exc.code in MESSAGE_NUMBERS


def expanded(message: str) -> str:
    return message if len(message) <= EXPANDED_MAX else message[: EXPANDED_MAX - 3] + "..."


def exception_block(*, code: str, message: str) -> dict | None:
    """The spec's ``exception`` object for a domain code and message (``None`` when there is no error)."""
    if not code:
        return None
    return {
        "messageCategory": MESSAGE_CATEGORY,
        "messageNumber": MESSAGE_NUMBERS[code],
        "expandedMessage": expanded(message),
    }


def enroll_error_document(exc: DomainError, *, transaction_id: str) -> dict:
    """The ``X1-DAEnrol`` answer to an enroll refused by a business rule (nothing recorded)."""
    document = {"status": "ERROR", "transactionId": transaction_id or None}
    document["exception"] = exception_block(code=exc.code, message=exc.message)
    return {key: value for key, value in document.items() if value is not None}
