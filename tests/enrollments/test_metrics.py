"""Unenrollments move the metrics by outcome: pending, error, replayed."""

from datetime import timedelta

import pytest

from enrollments import services
from tests.factories.enrollments import jane_doe_enrollment
from tests.metrics_helpers import outcome_count

from .test_services import TODAY, request

pytestmark = pytest.mark.django_db


def test_unenrollments_are_counted_by_outcome():
    before = {name: outcome_count("unenrollments", name) for name in ("pending", "error", "replayed")}
    jane_doe_enrollment()
    data = request(end_date=TODAY + timedelta(days=3))
    services.unenrollment_request(**data)  # resolved, ends in 3 days: pending
    services.unenrollment_request(**data)  # the same transaction again: replayed
    services.unenrollment_request(**request(end_date=TODAY + timedelta(days=3), transaction_id="TX-2"))  # error
    assert outcome_count("unenrollments", "pending") == before["pending"] + 1
    assert outcome_count("unenrollments", "replayed") == before["replayed"] + 1
    assert outcome_count("unenrollments", "error") == before["error"] + 1
    completed = outcome_count("unenrollments", "completed")
    assert services.unenrollment_complete_due(today=TODAY + timedelta(days=3)) == 1  # its day comes
    assert outcome_count("unenrollments", "completed") == completed + 1
