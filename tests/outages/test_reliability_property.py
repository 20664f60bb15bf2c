"""The SQL of the reliability indices equals the plain-Python reference (``reliability_reference.py``) on random
outage histories: overlapping outages, customers added by increments, step restorations by full lists, planned,
discarded, momentary, still active; on SQLite and, with DATABASE_URL, PostgreSQL."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outages.domain import Customer, CustomerList, OutageNotification
from outages.models import ExternalSystem, OutageEvent
from outages.reliability import ReliabilityQuery, reliability_compute
from outages.services import outage_notifications_apply

from .reliability_reference import Message, Outage, at, compute

PERIOD_START = date(2025, 3, 28)  # Europe/Paris and Los Angeles change their clocks around here (30 and 9 March)
PERIOD_DAYS = 4
CUSTOMERS = [Customer(f"A{n}", f"S{n}") for n in range(5)]
ZONES = ("UTC", "Europe/Paris", "America/Los_Angeles")

customer_sets = st.frozensets(st.sampled_from(CUSTOMERS), max_size=len(CUSTOMERS))


@st.composite
def outages(draw):
    zone_start = draw(st.integers(min_value=-40 * 1440, max_value=(PERIOD_DAYS + 1) * 1440))
    start = at(PERIOD_START, zone_start)
    duration = draw(st.sampled_from([0, 1, 4, 5, 6, 30, 90, 480, 600]) | st.integers(min_value=0, max_value=2000))
    completed = draw(st.booleans()) or draw(st.booleans())
    completion = start + timedelta(minutes=duration) if completed else None
    first_at = start + timedelta(minutes=draw(st.integers(min_value=-5, max_value=20)))
    messages = [Message(first_at, draw(customer_sets), draw(st.booleans()))]
    received = first_at
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        received += timedelta(minutes=draw(st.integers(min_value=0, max_value=300)), seconds=draw(st.integers(0, 59)))
        messages.append(Message(received, draw(customer_sets), draw(st.booleans())))
    closing = Message(max(received, completion or received))
    return Outage(
        start=start,
        completion=completion,
        outage_type=draw(st.sampled_from(["C1UP", "C1UP", "C1PL"])),
        discarded=draw(st.integers(min_value=0, max_value=6)) == 0,
        messages=[*messages, closing],
    )


def _apply(outage_id: str, outage: Outage) -> None:
    first, *rest = outage.messages
    fields = {"start_date_time": outage.start, "outage_type": outage.outage_type}
    for n, message in enumerate([first, *rest]):
        if n == len(outage.messages) - 1:
            fields = {"completion_date_time": outage.completion, "discarded": outage.discarded}
        customers = (
            None
            if message.customers is None
            else CustomerList(customers=sorted(message.customers), incremental=message.incremental)
        )
        outage_notifications_apply(
            external_system="OMS",
            notifications=[OutageNotification(outage_id=outage_id, fields=fields, customers=customers)],
            received_at=message.received_at,
        )
        fields = {}


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    history=st.lists(outages(), min_size=1, max_size=6),
    zone=st.sampled_from(ZONES),
    served=st.integers(min_value=5, max_value=40),
    include_planned=st.booleans(),
    exclude=st.booleans(),
)
def test_sql_equals_reference(history, zone, served, include_planned, exclude):
    OutageEvent.objects.all().delete()
    ExternalSystem.objects.get_or_create(name="OMS")
    for n, outage in enumerate(history):
        _apply(f"O{n}", outage)
    end = PERIOD_START + timedelta(days=PERIOD_DAYS)
    query = ReliabilityQuery(
        start=PERIOD_START,
        end=end,
        zone=zone,
        customers_served=served,
        include_planned=include_planned,
        exclude_major_event_days=exclude,
        group_by="outage_type",
    )
    got = reliability_compute(query).as_dict()
    groups = got.pop("groups")  # by outage type (the merge's GROUP BY form): each interruption in one group
    assert sum(g["customer_interruptions"] for g in groups) == got["customer_interruptions"]
    assert sum(g["customer_minutes_interrupted"] for g in groups) == pytest.approx(got["customer_minutes_interrupted"])
    expected = compute(
        history,
        start=PERIOD_START,
        end=end,
        zone=zone,
        served=served,
        include_planned=include_planned,
        exclude_major_event_days=exclude,
    )
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
