"""The out-of-order rule of contact status reports, written once: the wire's upsert, the admin's bulk "mark
status" action and the import all decide with :func:`is_out_of_order` (no SQL twin: the bulk action reads the
current capture times with its locking read and decides here)."""

from datetime import datetime


def is_out_of_order(captured: datetime | None, current: datetime | None) -> bool:
    """A report captured before the contact's current status is recorded, not applied. A report without a
    capture time, or with the same one as the current status, or for a contact without one, applies."""
    return captured is not None and current is not None and captured < current
