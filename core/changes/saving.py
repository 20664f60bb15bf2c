"""The write of a single object by a staff service, written once: check every model rule (``full_clean``), save,
and record one change ("created" or "updated", with the fields before). Services that add their own rules check
them first and then call :func:`validate_save_record`."""

from django.core.exceptions import ValidationError
from django.db import models

from ..errors import from_validation_error
from .recording import record, stored


def validate_save_record(obj: models.Model, *, code: str) -> models.Model:
    """Save ``obj`` if every model rule holds, else raise :class:`~core.errors.Invalid` with ``code`` (naming the
    fields); record the change with the stored row as "before" (none for a new object). Returns ``obj``.
    Called inside the service's transaction (every caller is ``@transaction.atomic``)."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise from_validation_error(exc, code=code) from None
    before = stored(obj)
    obj.save()
    record(obj, "created" if before is None else "updated", before=before)
    return obj
