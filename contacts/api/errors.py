"""How the contacts domain's errors answer on the Oracle Utilities wire: the one table of their HTTP statuses and
message numbers (``serverMessage.messageNbr``), and the model-to-wire renaming of the fields they name.

The numbers are the family's (see ``core/wire/oracle.py``): a refused value is a validation error (4000) naming
the wire field, as a serializer's own error would be, so a client cannot tell which layer refused it.
"""

from core.errors import DomainError
from core.wire.common import WireCode

from .. import models, selectors, services

DOMAIN_ERROR_CODES = {
    models.INVALID_DELIVERY_VALUE: WireCode(400, 4000),
    services.CC_ID_ASSIGNED_BY_SYSTEM: WireCode(400, 4000),
    services.CC_ID_MISMATCH: WireCode(400, 4000),
    selectors.CONTACT_NOT_FOUND: WireCode(404, 4040),
    services.CREATE_CONTENTION: WireCode(409, 4090),
}


def renamed(exc: DomainError, names: dict[str, str]) -> DomainError:
    """``exc`` with the model field names of its paths replaced by their wire names (``delivery_value`` ->
    ``deliveryValue``), and its message spelt as the family spells a field error (``deliveryValue: ...``)."""
    if not exc.errors:
        return exc
    errors = [(names.get(path, path) if path else path, text) for path, text in exc.errors]
    message = "; ".join(f"{path}: {text}" if path else text for path, text in errors)
    field = names.get(exc.field, exc.field) if exc.field else None
    wire = type(exc)(message, code=exc.code, errors=errors, **exc.params)
    wire.field = field
    return wire
