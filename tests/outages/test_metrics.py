"""Outage message outcomes move the metrics: applied, stale and refused, counted where the service decides."""

import pytest

from tests.metrics_helpers import outcome_count

from .conftest import NOTIFICATIONS, body, message

pytestmark = pytest.mark.django_db


def post(client, data):
    return client.post(NOTIFICATIONS, data, format="json")


def test_applied_stale_and_refused_messages_are_counted(integration_client, external_system):
    before = {name: outcome_count("outage_messages", name) for name in ("applied", "stale", "refused")}

    assert post(integration_client, body(message("M1", reference=5), message("M2", reference=1))).status_code == 200
    assert outcome_count("outage_messages", "applied") == before["applied"] + 2

    assert post(integration_client, body(message("M1", reference=4))).status_code == 400  # lower reference: stale
    assert outcome_count("outage_messages", "stale") == before["stale"] + 1

    assert post(integration_client, body(message("M3"), system="Nobody OMS")).status_code == 400
    assert outcome_count("outage_messages", "refused") == before["refused"] + 1
    assert outcome_count("outage_messages", "applied") == before["applied"] + 2  # nothing else applied
