"""Factories for blackout policies and events."""

import factory
from django.utils import timezone

from blackouts.models import BlackoutPolicy, Event


def timeframe(**changes) -> dict:
    base = {
        "startDate": "01012025",
        "startTime": "00:00",
        "endTime": "23:59",
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
        "timeZone": {"id": "UTC", "offset": "+00:00"},
    }
    base.update(changes)
    return base


class BlackoutPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlackoutPolicy

    name = factory.Sequence(lambda n: f"policy-{n}")
    description = "factory policy"
    execution_order = 100
    selector_criteria = "class equals 'EVENT'"
    enabled = False
    owner = "admin"
    timeframe = factory.LazyFunction(timeframe)
    blackout_existing_events = True
    reset_status_on_blackout_end = True
    applied_edge = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved, then reconciled as the services do: schedule cache filled, an open window applied."""
        from blackouts.services import policy_reconcile

        policy = super()._create(model_class, *args, **kwargs)
        policy_reconcile(policy_id=policy.pk)
        policy.refresh_from_db()
        return policy


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    identifier = factory.Sequence(lambda n: f"id-{n}")
    event_class = "EVENT"
    msg = "Test Message"
    severity = "MAJOR"
    status = "OPEN"
    source_hostname = "host1"
    slots = factory.LazyFunction(dict)
