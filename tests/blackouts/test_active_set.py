"""Ingest keeps the active policies per process (``blackouts/active_set.py``): kept between requests, read again
after every write through the services and at every window edge, so the decision for an event is the one the
stored policies give at that instant."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blackouts import services
from blackouts.models import BlackoutPolicy
from tests.blackouts.test_ingest import T0, WINDOW, policy

pytestmark = pytest.mark.django_db

DB_EVENT = {"class": "DB"}


def taker(at=T0):
    """The id of the policy that takes a DB event ingested at ``at`` (None: none)."""
    return services.events_ingest(events=[dict(DB_EVENT)], now=at)[0].blackout_policy_id


def test_the_active_policies_are_kept_between_requests():
    kept = policy("kept", "class equals 'DB'")
    assert taker() == kept.pk
    with CaptureQueriesContext(connection) as captured:
        assert taker(T0 + timedelta(seconds=1)) == kept.pk
    policy_reads = [q["sql"] for q in captured.captured_queries if "blackouts_blackoutpolicy" in q["sql"]]
    assert policy_reads == []  # one read of the token row, none of the policies
    assert any("core_cachetoken" in q["sql"] for q in captured.captured_queries)


def test_a_created_policy_is_applied_at_once():
    assert taker() is None
    created = policy("created", "class equals 'DB'")
    assert taker() == created.pk


def test_an_updated_policy_is_applied_at_once():
    later = WINDOW | {"startTime": "12:00", "endTime": "13:00"}
    updated = policy("updated", "class equals 'DB'", timeframe=later)
    assert taker() is None
    fields = {"name": "updated", "timeframe": WINDOW, "selector_criteria": "class equals 'DB'"}
    services.policy_update(policy_id=updated.pk, fields=fields, now=T0 - timedelta(minutes=40))
    assert taker() == updated.pk


def test_an_updated_selector_is_applied_at_once():
    edited = policy("edited", "class equals 'WEB'")
    assert taker() is None
    before_the_window = T0 - timedelta(minutes=40)  # an open window is not edited
    fields = {"name": "edited", "selector_criteria": "class equals 'DB'"}
    services.policy_update(policy_id=edited.pk, fields=fields, now=before_the_window)
    assert taker() == edited.pk


def test_disable_and_enable_are_applied_at_once():
    toggled = policy("toggled", "class equals 'DB'")
    assert taker() == toggled.pk
    services.policies_set_enabled(ids=[toggled.pk], enabled=False, now=T0)
    assert taker() is None
    services.policies_set_enabled(ids=[toggled.pk], enabled=True, now=T0)
    assert taker() == toggled.pk


def test_a_deleted_policy_is_gone_at_once():
    first = policy("first", "class equals 'DB'", order=1)
    second = policy("second", "class equals 'DB'", order=2)
    assert taker() == first.pk
    services.policy_delete(policy_id=first.pk, now=T0)
    assert taker() == second.pk
    services.policy_delete(policy_id=second.pk, now=T0)
    assert taker() is None


def test_a_window_that_closes_or_opens_is_seen_at_its_edge_without_a_tick():
    """10:00-11:00 is open at T0 (10:30); 11:00-12:00 opens at 11:00. No tick runs in between: the kept answer
    ends at the first edge ahead."""
    closing = policy("closing", "class equals 'DB'", order=1)
    opening = policy(
        "opening", "class equals 'DB'", order=2, timeframe=WINDOW | {"startTime": "11:00", "endTime": "12:00"}
    )
    edge = T0.replace(hour=11, minute=0)
    assert taker() == closing.pk
    assert taker(edge - timedelta(microseconds=1)) == closing.pk
    assert taker(edge) == opening.pk
    assert taker(edge.replace(hour=12) - timedelta(microseconds=1)) == opening.pk
    assert taker(edge.replace(hour=12)) is None


def test_a_stale_schedule_is_read_from_the_engine_and_its_edge_kept():
    """The next day, no tick having moved the schedule cache on: the engine says the window is open, and the
    kept answer ends at that window's end."""
    daily = policy("daily", "class equals 'DB'")
    next_day = T0 + timedelta(days=1)
    assert BlackoutPolicy.objects.get(pk=daily.pk).window_end <= next_day  # stale
    assert taker(next_day) == daily.pk
    assert taker(next_day.replace(hour=10, minute=59)) == daily.pk
    assert taker(next_day.replace(hour=11, minute=0)) is None


def test_an_earlier_instant_than_the_kept_answer_is_computed_again():
    later = policy("later", "class equals 'DB'", timeframe=WINDOW | {"startTime": "11:00", "endTime": "12:00"})
    assert taker(T0.replace(hour=11, minute=30)) == later.pk
    assert taker(T0) is None
