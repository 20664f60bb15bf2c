"""What changes enrollment data. Every door (wire views, admin, tasks, demo) calls these functions; they return
records and say "no" only with ``core.errors`` domain errors (``enrollments/errors.py``).

- ``requests``: enroll, unenroll (resolve, schedule or complete, arrange device removal), the daily completion of
  due unenrollments, the admin's enrollment writes;
- ``reference``: the CIS mirror and reference data.
"""

from .reference import cis_records_load, device_return_receive, reference_save
from .requests import (
    enrollment_create,
    enrollment_request,
    enrollment_unenroll_now,
    enrollment_update,
    enrollment_validate,
    request_fingerprint,
    unenrollment_complete_due,
    unenrollment_request,
)

__all__ = [
    "cis_records_load",
    "device_return_receive",
    "enrollment_create",
    "enrollment_request",
    "enrollment_unenroll_now",
    "enrollment_update",
    "enrollment_validate",
    "reference_save",
    "request_fingerprint",
    "unenrollment_complete_due",
    "unenrollment_request",
]
