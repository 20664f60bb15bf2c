"""The asynchronous path for real: PostgreSQL, Redis and a Celery worker subprocess running window_tick."""

from datetime import timedelta

import pytest
from django.utils import timezone

from blackouts import services
from blackouts.api.serializers import policy_fields
from blackouts.models import Event
from blackouts.tasks import window_tick
from tests.factories.blackouts import EventFactory
from tests.worker import wait_for


@pytest.mark.postgres
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_window_opens_and_closes_on_the_worker(celery_worker):
    EventFactory(identifier="db1", event_class="DB", status="OPEN")
    EventFactory(identifier="web1", event_class="WEB", status="OPEN")
    # A oneTime window that opens a few seconds from now and closes a few seconds later (HH:MM:SS is accepted).
    now = timezone.now()
    start = (now + timedelta(seconds=6)).replace(microsecond=0)
    end = start + timedelta(seconds=6)
    body = {
        "name": "short window",
        "executionOrder": 1,
        "eventSelectorCriteria": "class equals 'DB'",
        "enabled": True,
        "configurations": {
            "definition": {
                "timeframeDetails": {
                    "startDate": start.strftime("%d%m%Y"),
                    "startTime": start.strftime("%H:%M:%S"),
                    "endTime": end.strftime("%H:%M:%S"),
                    "endsOn": {"endDate": end.strftime("%d%m%Y")},
                    "recurrencePattern": {"recurrence": "oneTime"},
                    "timeZone": {"id": "UTC"},
                },
                "processing_action": {"blackoutExistingEvents": "true", "resetStatusOnBlackoutEnd": "true"},
            }
        },
    }
    services.policy_create(fields=policy_fields(body), now=now)

    def status_after_tick():
        window_tick.delay()
        return Event.objects.get(identifier="db1").status

    wait_for(lambda: status_after_tick() == "BLACKOUT", timeout=30, interval=0.5, message="window start")
    event = Event.objects.get(identifier="db1")
    assert event.previous_status == "OPEN" and event.blackout_policy.name == "short window"
    assert Event.objects.get(identifier="web1").status == "OPEN"
    wait_for(lambda: status_after_tick() == "OPEN", timeout=30, interval=0.5, message="window end")
    assert Event.objects.get(identifier="db1").blackout_policy is None
