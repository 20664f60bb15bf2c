"""The range of date-times every door accepts: what Python, SQLite and PostgreSQL can all store, read back and
convert to any UTC offset. Used by the wire fields (``core/wire/fields.py``), the analyst filters and the
models' validators (so the admin refuses what the wire refuses)."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

# A day inside Python's own limits on each side, so that no conversion to another offset can overflow.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, 999999, tzinfo=UTC)
OUT_OF_RANGE = "Date-time out of range: years 1 to 9999, also once converted to UTC."


def within_storable_range(value: datetime) -> bool:
    """True when ``value`` can be stored, read back and converted to any offset (by Python and every database)."""
    try:
        in_utc = value.astimezone(UTC) if timezone.is_aware(value) else value.replace(tzinfo=UTC)
    except (OverflowError, ValueError):
        return False
    return EARLIEST <= in_utc <= LATEST


def validate_storable_datetime(value) -> None:
    """Model field validator: the same bound as the wire, as a Django ``ValidationError``."""
    if value is not None and not within_storable_range(value):
        raise ValidationError(OUT_OF_RANGE, code="out_of_range")
