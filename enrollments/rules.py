"""Enrollment date ordering, written once: an end date before the start date is refused. The services (enroll,
unenroll, the admin's date change) call :func:`check_dates`; the model's check constraint is
:data:`END_AFTER_START`, the same rule for the database (a property test proves the two agree)."""

from datetime import date

from django.db.models import F, Q

from . import errors

END_AFTER_START = Q(end_date__isnull=True) | Q(end_date__gte=F("start_date"))


def ends_before_start(*, start_date: date, end_date: date | None) -> bool:
    """An end date before the start date (no end date, or the same day, is fine)."""
    return end_date is not None and end_date < start_date


def check_dates(*, start_date: date, end_date: date | None, **params) -> None:
    """Raise ``enrollments.end_before_start`` (with ``params``, e.g. the enrollment's id) if the end date is before
    the start date."""
    if ends_before_start(start_date=start_date, end_date=end_date):
        raise errors.error(errors.END_BEFORE_START, **params)
