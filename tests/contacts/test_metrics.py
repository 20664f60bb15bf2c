"""Contact status reports move the metrics: applied, or recorded out of order."""

from datetime import UTC, datetime, timedelta

import pytest

from contacts import services
from tests.metrics_helpers import outcome_count

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 2, 6, 10, 0, tzinfo=UTC)


def test_status_reports_are_counted_applied_or_out_of_order():
    applied, late = (
        outcome_count("contact_status_reports", "applied"),
        outcome_count("contact_status_reports", "out_of_order"),
    )
    services.contact_upsert(external_cc_id="M-1", fields={"status": "C1PN", "event_captured_at": T0})
    services.contact_upsert(external_cc_id="M-1", fields={"status": "C1ST", "event_captured_at": T0 + timedelta(1)})
    services.contact_upsert(external_cc_id="M-1", fields={"status": "C1FL", "event_captured_at": T0 - timedelta(1)})
    assert outcome_count("contact_status_reports", "applied") == applied + 2
    assert outcome_count("contact_status_reports", "out_of_order") == late + 1
