"""Retention: by default everything is kept; past the configured days, records are archived (JSON Lines) first and
only then deleted."""

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.changes import retention
from core.changes.models import Change, Delivery, DeliveryAttempt, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(db):
    old = timezone.now() - timedelta(days=40)
    sub = Subscription.objects.create(target_url="https://hooks.example.com/", event_types=["*"], secret="whsec_eA==")
    kept = Change.objects.create(object_type="outages.outageevent", object_id="2", action="updated")
    aged = Change.objects.create(at=old, object_type="outages.outageevent", object_id="1", action="created")
    done = Delivery.objects.create(
        event_id="evt_old",
        subscription=sub,
        change=aged,
        event_type="outage.created",
        object_key="o:1",
        payload={},
        status="succeeded",
        created_at=old,
    )
    pending = Delivery.objects.create(
        event_id="evt_pending",
        subscription=sub,
        change=aged,
        event_type="outage.created",
        object_key="o:1",
        payload={"id": "evt_pending", "type": "outage.created"},  # rendered (a retry waits)
        status="pending",
        created_at=old,
    )
    DeliveryAttempt.objects.create(delivery=done, number=1, status_code=200)
    return kept, aged, done, pending


def test_default_keeps_everything(history, settings, tmp_path):
    settings.CHANGES_ARCHIVE_DIR = str(tmp_path)
    assert retention.archive_and_prune() == {"changes": 0, "deliveries": 0, "attempts": 0, "files": []}
    assert Change.objects.count() == 2 and Delivery.objects.count() == 2
    assert list(tmp_path.iterdir()) == []


def test_archive_then_prune(history, settings, tmp_path):
    kept, aged, done, pending = history
    settings.CHANGES_ARCHIVE_DIR = str(tmp_path)
    out = StringIO()
    call_command("prune_changes", "--changes-days=30", "--deliveries-days=30", stdout=out)
    assert "1 changes, 1 deliveries, 1 attempts" in out.getvalue()
    assert list(Change.objects.values_list("pk", flat=True)) == [kept.pk]
    assert list(Delivery.objects.values_list("pk", flat=True)) == [pending.pk]  # a pending one is never pruned
    archived = {p.name.split("-2")[0]: p for p in Path(tmp_path).iterdir()}
    changes = [json.loads(line) for line in archived["changes"].read_text().splitlines()]
    assert [c["id"] for c in changes] == [aged.pk]
    deliveries = [json.loads(line) for line in archived["deliveries"].read_text().splitlines()]
    assert [d["event_id"] for d in deliveries] == ["evt_old"]
    attempts = [json.loads(line) for line in archived["delivery-attempts"].read_text().splitlines()]
    assert [a["delivery_id"] for a in attempts] == [done.pk]


def test_a_change_whose_event_is_not_rendered_yet_is_kept(history, settings, tmp_path):
    """The worker renders an event from its change: a change with a pending delivery that has no payload yet is
    not pruned (nor archived) until that delivery is sent."""
    kept, aged, _done, pending = history
    Delivery.objects.filter(pk=pending.pk).update(payload={})
    settings.CHANGES_ARCHIVE_DIR = str(tmp_path)
    result = retention.archive_and_prune(changes_days=30, deliveries_days=30)
    assert result["changes"] == 0
    assert set(Change.objects.values_list("pk", flat=True)) == {kept.pk, aged.pk}
    Delivery.objects.filter(pk=pending.pk).update(payload={"id": "evt_pending"})
    assert retention.archive_and_prune(changes_days=30, deliveries_days=30)["changes"] == 1
    assert list(Change.objects.values_list("pk", flat=True)) == [kept.pk]
