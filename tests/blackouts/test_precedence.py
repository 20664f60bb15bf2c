"""Blackout precedence (issue 22, "every rule once"): the lowest executionOrder wins, then the name. One rule
(``blackouts.precedence``), applied by ingest, by the hand-over at a window's end and by the calendar; each door
is tested here so that a reversed order in any of them fails (the hand mutation sample's surviving
"hand-over precedence reversed" mutant)."""

from datetime import timedelta

import pytest

from blackouts import active_set, selectors, services
from blackouts.models import BlackoutPolicy, Event
from tests.blackouts.test_services import T0, daily, make_policy
from tests.factories.blackouts import EventFactory

pytestmark = pytest.mark.django_db

DURING = T0 + timedelta(hours=1, minutes=15)  # 10:15, inside daily("10:00", "11:00")


CONTENDERS = (("b", 5), ("a", 5), ("c", 1))


def _contenders(timeframe=None, contenders=CONTENDERS):
    """Three enabled policies matching class DB: by name "a" < "b" < "c", by order "c" (1) < "a" = "b" (5).
    Precedence: c, a, b. Any other order (reversed, by name only, by order then name reversed) differs."""
    timeframe = timeframe or daily("10:00", "11:00")
    return {
        name: make_policy(name=name, execution_order=order, timeframe=timeframe, blackout_existing_events=False)
        for name, order in contenders
    }


def test_the_queryset_method_orders_by_execution_order_then_name():
    _contenders()
    assert [p.name for p in BlackoutPolicy.objects.by_precedence()] == ["c", "a", "b"]
    assert [p.name for p in BlackoutPolicy.objects.filter(name__in=["a", "b"]).by_precedence()] == ["a", "b"]


def test_ingest_gives_the_event_to_the_lowest_execution_order():
    policies = _contenders()
    (stored,) = services.events_ingest(events=[{"class": "DB", "_identifier": "x"}], now=DURING)
    assert stored.blackout_policy_id == policies["c"].pk


def test_ingest_breaks_an_execution_order_tie_by_name():
    policies = _contenders()
    BlackoutPolicy.objects.filter(name="c").update(enabled=False)
    (stored,) = services.events_ingest(events=[{"class": "DB", "_identifier": "x"}], now=DURING)
    assert stored.blackout_policy_id == policies["a"].pk
    assert [p.name for p in active_set.active_policies(now=DURING)] == ["a", "b"]


def _handover(contenders=CONTENDERS):
    """An event blacked out by a policy whose window ends at 10:30 while the three contenders stay open till
    12:00; after the tick at 10:45 it belongs to the contender that wins."""
    closing = make_policy(name="closing", execution_order=0, timeframe=daily("10:00", "10:30"))
    policies = _contenders(daily("10:00", "12:00"), contenders)
    event = EventFactory(identifier="x", event_class="DB", status="OPEN")
    services.policies_tick(now=T0 + timedelta(hours=1, minutes=5))  # 10:05: all open, "closing" (order 0) took it
    event.refresh_from_db()
    assert event.blackout_policy_id == closing.pk
    return policies, event


def test_the_handover_at_window_end_goes_to_the_lowest_execution_order():
    policies, event = _handover()
    services.policies_tick(now=T0 + timedelta(hours=1, minutes=45))  # 10:45: "closing" closed
    event.refresh_from_db()
    assert (event.status, event.blackout_policy_id) == ("BLACKOUT", policies["c"].pk)


def test_the_handover_breaks_an_execution_order_tie_by_name():
    policies, event = _handover(contenders=(("b", 5), ("a", 5)))
    services.policies_tick(now=T0 + timedelta(hours=1, minutes=45))
    event.refresh_from_db()
    assert (event.status, event.blackout_policy_id) == ("BLACKOUT", policies["a"].pk)
    assert Event.objects.filter(blackout_policy=policies["b"].pk).count() == 0


def test_the_calendar_lists_policies_in_precedence_order():
    _contenders()
    rows = selectors.policy_calendar(start=T0, days=1)
    assert [row.policy.name for row in rows] == ["c", "a", "b"]
