"""The blackout tick's lag rises while the tick does not run and falls back to 0 when it does; events received and
blacked out are counted."""

from datetime import timedelta

import pytest

from blackouts import services
from blackouts.metrics import blackout_tick_lag
from tests.factories.blackouts import EventFactory
from tests.metrics_helpers import outcome_count

from .test_services import T0, make_policy

pytestmark = pytest.mark.django_db


def test_tick_lag_rises_while_the_tick_is_not_run_and_clears_when_it_runs():
    make_policy()  # daily 10:00-11:00 UTC, made at T0 = 09:00
    assert blackout_tick_lag(now=T0 + timedelta(minutes=30)) == 0  # nothing due yet
    assert blackout_tick_lag(now=T0 + timedelta(hours=1, minutes=1)) == 60  # the 10:00 edge waits
    assert blackout_tick_lag(now=T0 + timedelta(hours=1, minutes=10)) == 600  # and keeps waiting
    services.policies_tick(now=T0 + timedelta(hours=1, minutes=10))
    assert blackout_tick_lag(now=T0 + timedelta(hours=1, minutes=10)) == 0
    assert blackout_tick_lag(now=T0 + timedelta(hours=2, minutes=3)) == 180  # the 11:00 end is due now


def test_the_tick_counts_the_events_it_blacks_out():
    EventFactory(identifier="db-1", event_class="DB", status="OPEN")
    make_policy()
    before = outcome_count("events", "blacked_out")
    services.policies_tick(now=T0 + timedelta(hours=1, seconds=5))
    assert outcome_count("events", "blacked_out") == before + 1


def test_ingest_counts_events_received_and_blacked_out():
    make_policy()  # blacks out class DB, 10:00-11:00
    services.policies_tick(now=T0 + timedelta(hours=1, seconds=5))
    received, blacked = outcome_count("events", "received"), outcome_count("events", "blacked_out")
    sent = [
        {"_identifier": "in-1", "class": "DB", "msg": "a", "status": "OPEN", "severity": "MAJOR"},
        {"_identifier": "in-2", "class": "WEB", "msg": "b", "status": "OPEN", "severity": "MAJOR"},
    ]
    services.events_ingest(events=sent, now=T0 + timedelta(hours=1, minutes=1))
    assert outcome_count("events", "received") == received + 2
    assert outcome_count("events", "blacked_out") == blacked + 1
