"""Window transitions: set-based, idempotent, crash-safe, catching up; reconcile on enable/disable/delete/edit."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blackouts import services
from blackouts.models import BlackoutPolicy, Event
from blackouts.tasks import window_tick
from core.errors import InvalidState
from tests.factories.blackouts import BlackoutPolicyFactory, EventFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2030, 5, 6, 9, 0, tzinfo=UTC)  # a Monday


def daily(start="10:00", end="11:00", **changes) -> dict:
    return {
        "startDate": "01052030",
        "startTime": start,
        "endTime": end,
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
        "timeZone": {"id": "UTC"},
        **changes,
    }


def make_policy(**kwargs) -> BlackoutPolicy:
    defaults = {
        "name": "maintenance",
        "enabled": True,
        "timeframe": daily(),
        "selector_criteria": "class equals 'DB'",
        "applied_edge": T0,
        "blackout_existing_events": True,
        "reset_status_on_blackout_end": True,
    }
    defaults.update(kwargs)
    policy = BlackoutPolicy.objects.create(**defaults)
    services.policy_reconcile(policy_id=policy.pk, now=T0)
    policy.refresh_from_db()
    return policy


def statuses() -> dict:
    return dict(Event.objects.values_list("identifier", "status"))


@pytest.fixture
def events(db):
    EventFactory(identifier="db-open", event_class="DB", status="OPEN")
    EventFactory(identifier="db-ack", event_class="DB", status="ACK")
    EventFactory(identifier="web-open", event_class="WEB", status="OPEN")


def test_window_start_and_end_move_events_open_blackout_open(events):
    policy = make_policy()
    assert statuses()["db-open"] == "OPEN"  # 09:00, window opens at 10:00
    services.policies_tick(now=T0 + timedelta(hours=1, seconds=5))
    assert statuses() == {"db-open": "BLACKOUT", "db-ack": "ACK", "web-open": "OPEN"}
    event = Event.objects.get(identifier="db-open")
    assert (event.previous_status, event.blackout_policy_id) == ("OPEN", policy.pk)
    services.policies_tick(now=T0 + timedelta(hours=2, seconds=5))
    assert statuses() == {"db-open": "OPEN", "db-ack": "ACK", "web-open": "OPEN"}
    assert Event.objects.get(identifier="db-open").blackout_policy is None


def test_without_blackout_existing_events_nothing_moves(events):
    make_policy(blackout_existing_events=False)
    services.policies_tick(now=T0 + timedelta(hours=1, minutes=1))
    assert statuses()["db-open"] == "OPEN"


def test_without_reset_events_stay_blacked_out(events):
    make_policy(reset_status_on_blackout_end=False)
    services.policies_tick(now=T0 + timedelta(hours=1, minutes=1))
    services.policies_tick(now=T0 + timedelta(hours=3))
    assert statuses()["db-open"] == "BLACKOUT"


def test_ticks_are_idempotent(events):
    make_policy()
    during = T0 + timedelta(hours=1, minutes=1)
    assert services.policies_tick(now=during)
    Event.objects.filter(identifier="db-open").update(status="OPEN")  # someone reopened it by hand
    assert services.policy_reconcile(policy_id=BlackoutPolicy.objects.get().pk, now=during) == "nothing"
    assert services.policies_tick(now=during + timedelta(seconds=15)) == {}
    assert statuses()["db-open"] == "OPEN"  # the start edge was applied once, not twice


def test_window_start_is_one_update_statement(events):
    policy = make_policy()
    with CaptureQueriesContext(connection) as queries:
        services.policy_reconcile(policy_id=policy.pk, now=T0 + timedelta(hours=1, minutes=1))
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "blackouts_event" in q["sql"]]
    assert len(updates) == 1
    assert "BLACKOUT" in updates[0] or "%s" not in updates[0]


def test_reset_keeps_events_another_active_window_covers(events):
    make_policy(name="a", execution_order=1, timeframe=daily("10:00", "11:00"))
    second = make_policy(name="b", execution_order=2, timeframe=daily("10:30", "12:00"))
    services.policies_tick(now=T0 + timedelta(hours=1, minutes=45))  # 10:45: both open
    services.policies_tick(now=T0 + timedelta(hours=2, minutes=15))  # 11:15: a closed, b still open
    event = Event.objects.get(identifier="db-open")
    assert (event.status, event.blackout_policy_id) == ("BLACKOUT", second.pk)
    services.policies_tick(now=T0 + timedelta(hours=3, minutes=5))  # 12:05: b closed
    assert statuses()["db-open"] == "OPEN"


def test_scheduler_down_catches_up_once(events):
    make_policy(reset_status_on_blackout_end=False)
    # No tick ran during the 10:00-11:00 window; the next tick is at 13:00.
    result = services.policies_tick(now=T0 + timedelta(hours=4))
    assert "caught up 1" in next(iter(result.values()))
    assert statuses()["db-open"] == "BLACKOUT"
    Event.objects.filter(identifier="db-open").update(status="OPEN", blackout_policy=None)
    services.policies_tick(now=T0 + timedelta(hours=4, minutes=1))
    assert statuses()["db-open"] == "OPEN"  # applied once


def test_scheduler_down_through_the_end_resets(events):
    make_policy()
    services.policies_tick(now=T0 + timedelta(hours=1, minutes=1))
    assert statuses()["db-open"] == "BLACKOUT"
    services.policies_tick(now=T0 + timedelta(hours=7))  # down from 10:01 to 16:00
    assert statuses()["db-open"] == "OPEN"


def test_disable_and_delete_reconcile_at_once(events):
    policy = make_policy()
    during = T0 + timedelta(hours=1, minutes=1)
    services.policies_tick(now=during)
    services.policies_set_enabled(ids=[policy.pk], enabled=False, now=during)
    assert statuses()["db-open"] == "OPEN"
    services.policies_set_enabled(ids=[policy.pk], enabled=True, now=during)
    assert statuses()["db-open"] == "BLACKOUT"
    services.policies_delete(ids=[policy.pk], now=during)
    assert statuses()["db-open"] == "OPEN"


def test_edit_reconciles_at_once(events):
    policy = make_policy(enabled=False)
    during = T0 + timedelta(hours=1, minutes=1)
    fields = {
        "name": policy.name,
        "description": "",
        "execution_order": 5,
        "selector_criteria": "class within ['DB','WEB']",
        "enabled": True,
        "timeframe": daily(),
        "blackout_existing_events": True,
        "reset_status_on_blackout_end": True,
    }
    services.policy_update(policy_id=policy.pk, fields=fields, now=during)
    assert statuses() == {"db-open": "BLACKOUT", "db-ack": "ACK", "web-open": "BLACKOUT"}


def test_update_of_an_active_policy_is_refused(events):
    policy = make_policy()
    with pytest.raises(InvalidState):
        services.policy_update(
            policy_id=policy.pk,
            fields={"name": policy.name, "selector_criteria": "class equals 'X'", "timeframe": daily()},
            now=T0 + timedelta(hours=1, minutes=1),
        )


def test_window_tick_task_runs_the_tick(events):
    BlackoutPolicyFactory(
        selector_criteria="class equals 'DB'",
        enabled=False,
        timeframe=daily("00:00", "00:00", startDate="01012020"),  # always open
    )
    BlackoutPolicy.objects.update(enabled=True)  # enabled behind the services' back: only the tick sees it
    assert statuses()["db-open"] == "OPEN"
    window_tick.delay()
    assert statuses()["db-open"] == "BLACKOUT"


def test_ingest_uses_lowest_execution_order_and_remembers_status(db):
    low = make_policy(name="low", execution_order=1, selector_criteria="severity equals 'MAJOR'")
    make_policy(name="high", execution_order=0, selector_criteria="class equals 'X'")
    during = T0 + timedelta(hours=1, minutes=1)
    created = services.events_ingest(
        events=[
            {"class": "DB", "severity": "MAJOR", "status": "ASSIGNED", "_identifier": "1"},
            {"class": "DB", "severity": "MINOR", "_identifier": "2"},
            {"class": "DB", "severity": "MAJOR", "status": "CLOSED", "_identifier": "3"},
        ],
        now=during,
    )
    assert [(e.status, e.previous_status, e.blackout_policy_id) for e in created] == [
        ("BLACKOUT", "ASSIGNED", low.pk),
        ("OPEN", "", None),
        ("CLOSED", "", None),
    ]
    # after the window, the reset gives it its previous status back
    services.policies_tick(now=T0 + timedelta(hours=2, minutes=1))
    assert Event.objects.get(identifier="1").status == "ASSIGNED"


def test_ingest_with_a_stale_schedule_cache_asks_the_engine(db):
    policy = make_policy(selector_criteria="class equals 'DB'")
    tomorrow_window = T0 + timedelta(days=1, hours=1, minutes=5)  # cache still says today's 10:00-11:00
    created = services.events_ingest(events=[{"class": "DB"}], now=tomorrow_window)
    assert created[0].blackout_policy_id == policy.pk
