"""Event ingest, set-based: precedence, a query count independent of the batch, the old per-event answer (the
schema check of the bodies: tests/blackouts/test_schema_validation.py)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blackouts import ingest, services
from blackouts.active_set import policy_set_changed
from blackouts.event_slots import EVENT_SLOTS
from blackouts.models import BlackoutPolicy, Event
from core import criteria
from tests.core.test_criteria_compilers import GUARDED, wide_events

T0 = datetime(2030, 5, 6, 10, 30, tzinfo=UTC)  # inside the daily 10:00-11:00 UTC window below
WINDOW = {
    "startDate": "01052030",
    "startTime": "10:00",
    "endTime": "11:00",
    "endsOn": {"never": True},
    "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
    "timeZone": {"id": "UTC"},
}


def policy(name: str, selector: str, order: int = 100, **fields) -> BlackoutPolicy:
    """A policy whose window is open at T0 (created through the service, so its schedule cache is set)."""
    fields = {
        "name": name,
        "execution_order": order,
        "selector_criteria": selector,
        "enabled": True,
        "timeframe": WINDOW,
    } | fields
    return services.policy_create(fields=fields, now=T0 - timedelta(minutes=40))


def outcome(created: list[Event]) -> list[tuple]:
    return [(e.status, e.previous_status, e.blackout_policy_id) for e in created]


@pytest.mark.django_db
class TestPrecedence:
    def test_lowest_execution_order_wins_then_the_name(self):
        late = policy("a-late", "class equals 'DB'", order=20)
        b_first = policy("b-first", "class equals 'DB' AND severity equals 'MAJOR'", order=10)
        a_first = policy("a-first", "severity equals 'MAJOR'", order=10)  # same order as b-first: name decides
        created = services.events_ingest(
            events=[
                {"class": "DB", "severity": "MAJOR"},  # all three match: order 10, then "a-first" < "b-first"
                {"class": "DB", "severity": "MINOR"},  # only a-late
                {"class": "WEB", "severity": "MAJOR", "status": "ACK"},  # only a-first
                {"class": "WEB", "severity": "MINOR"},  # none
            ],
            now=T0,
        )
        assert outcome(created) == [
            ("BLACKOUT", "OPEN", a_first.pk),
            ("BLACKOUT", "OPEN", late.pk),
            ("BLACKOUT", "ACK", a_first.pk),
            ("OPEN", "", None),
        ]
        assert b_first.pk not in {e.blackout_policy_id for e in created}
        stored = {e.pk: (e.status, e.previous_status, e.blackout_policy_id) for e in Event.objects.all()}
        assert [stored[e.pk] for e in created] == outcome(created)

    def test_an_earlier_policy_that_takes_nothing_leaves_the_events_to_the_next(self):
        policy("first", "class equals 'NONE'", order=0)
        second = policy("second", "msg contains 'disk'", order=1)
        third = policy("third", "msg contains 'DISK' OR class equals 'DB'", order=2)
        created = services.events_ingest(events=[{"msg": "Disk full"}, {"class": "DB", "msg": "cpu"}], now=T0)
        assert [e.blackout_policy_id for e in created] == [second.pk, third.pk]

    def test_closed_events_disabled_and_closed_window_policies_are_left_alone(self):
        policy("disabled", "class equals 'DB'", order=0, enabled=False)
        policy(
            "closed-window", "class equals 'DB'", order=1, timeframe=WINDOW | {"startTime": "12:00", "endTime": "13:00"}
        )
        open_one = policy("open", "class equals 'DB'", order=2)
        created = services.events_ingest(events=[{"class": "DB", "status": "CLOSED"}, {"class": "DB"}], now=T0)
        assert outcome(created) == [("CLOSED", "", None), ("BLACKOUT", "OPEN", open_one.pk)]

    def test_a_stored_criteria_that_no_longer_compiles_is_skipped_not_fatal(self, caplog):
        broken = policy("broken", "class equals 'DB'", order=0)
        BlackoutPolicy.objects.filter(pk=broken.pk).update(selector_criteria="msg matches 'a{256}'")  # legacy row
        fine = policy("fine", "class equals 'DB'", order=1)
        created = services.events_ingest(events=[{"class": "DB"}], now=T0)
        assert created[0].blackout_policy_id == fine.pk
        assert "broken is skipped at ingest" in caplog.text

    def test_an_edited_criteria_is_compiled_again(self):
        edited = policy("edited", "class equals 'DB'")
        assert services.events_ingest(events=[{"class": "WEB"}], now=T0)[0].blackout_policy_id is None
        BlackoutPolicy.objects.filter(pk=edited.pk).update(selector_criteria="class equals 'WEB'")
        policy_set_changed()  # a write behind the services says so (ingest keeps the active policies)
        assert services.events_ingest(events=[{"class": "WEB"}], now=T0)[0].blackout_policy_id == edited.pk


@pytest.mark.django_db
def test_what_is_stored_is_what_was_sent_whatever_the_characters():
    """The rows go through COPY on PostgreSQL: tabs, newlines, backslashes, quotes and non-ASCII survive."""
    taker = policy("taker", "msg contains 'TAB'", order=0)
    tricky = "tab\there\nnew line \\N back\\slash 'quote\" é 漢 \U0001f600"
    sent = [
        {"class": "DB", "msg": tricky, "_identifier": "\\N", "repeat_count": 7, "where": tricky, "slots": {"z": 1}},
        {"msg": ""},
    ]
    created = services.events_ingest(events=sent, now=T0)
    first, second = (Event.objects.get(pk=e.pk) for e in created)
    assert (first.msg, first.identifier, first.event_class, first.repeat_count) == (tricky, "\\N", "DB", 7)
    assert first.slots == {"where": tricky, "z": "1"}
    assert (first.status, first.previous_status, first.blackout_policy_id) == ("BLACKOUT", "OPEN", taker.pk)
    assert first.blacked_out_at == T0 and first.received_at is not None
    assert (second.event_class, second.severity, second.status, second.msg, second.slots) == (
        "EVENT",
        "INFO",
        "OPEN",
        "",
        {},
    )
    assert second.blackout_policy_id is None and second.blacked_out_at is None
    assert created[0].pk < created[1].pk  # ids in request order


@pytest.mark.django_db
def test_the_stamp_is_stored_as_sent_whatever_the_instants_zone():
    """The blackout's policy id and instant are written once per batch as text into COPY on PostgreSQL (as psycopg
    writes them): an instant given in another zone is the same instant once stored."""
    taker = policy("taker", "class equals 'DB'", order=0)
    paris = T0.astimezone(ZoneInfo("Europe/Paris"))
    created = services.events_ingest(events=[{"class": "DB"}, {"class": "DB"}, {"class": "WEB"}], now=paris)
    stored = [Event.objects.get(pk=e.pk) for e in created]
    assert [(e.blackout_policy_id, e.blacked_out_at) for e in stored] == [(taker.pk, T0), (taker.pk, T0), (None, None)]


def _queries(events: list[dict]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        created = services.events_ingest(events=events, now=T0)
    assert len(created) == len(events)
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
def test_queries_per_batch_do_not_grow_with_events_or_policies(django_assert_max_num_queries):
    for n in range(3):
        policy(f"p{n}", f"class equals 'C{n}' OR msg contains 'm{n}' OR location matches '^s{n}'", order=n)
    one = _queries([{"class": "C1"}])
    many_events = [{"class": f"C{n % 4}", "msg": f"m{n % 5}", "location": f"s{n % 3}"} for n in range(200)]
    with django_assert_max_num_queries(len(one)):
        services.events_ingest(events=many_events, now=T0)
    writes = [sql for sql in _queries(many_events) if sql.lstrip().upper().startswith(("INSERT", "COPY"))]
    events = [sql for sql in writes if "blackouts_event" in sql]
    assert len(events) == 1  # one insert for the whole batch (COPY on PostgreSQL)
    assert len(writes) == 2 and "core_change" in next(sql for sql in writes if sql not in events)  # one change
    for n in range(3, 60):
        policy(f"p{n}", f"class equals 'C{n}' AND NOT severity equals 'INFO'", order=n)
    with django_assert_max_num_queries(len(one)):
        services.events_ingest(events=many_events, now=T0)
    assert Event.objects.filter(status="BLACKOUT").count() > 0


# --- The set-based answer is the old per-event answer ----------------------------------------------------------
def _old_ingest_answer(policies: list[BlackoutPolicy], event: dict):
    """The old ingest, one event at a time: CLOSED is never blacked out; else the first active policy in
    (executionOrder, name) order whose predicate accepts the event."""
    if event.get("status", "OPEN") not in services.BLACKOUT_FROM:
        return None
    ordered = sorted(policies, key=lambda p: (p.execution_order, p.name))
    fields = {services.EVENT_FIELDS[k]: v for k, v in event.items() if k in services.EVENT_FIELDS}
    slots = {k: str(v) for k, v in event.items() if k not in services.EVENT_FIELDS and k != "slots"}
    slots.update({k: str(v) for k, v in (event.get("slots") or {}).items()})
    probe = Event(**fields, slots=slots).as_selector_input()
    return next(
        (
            p.pk
            for p in ordered
            if criteria.to_predicate(criteria.parse(p.selector_criteria, EVENT_SLOTS), EVENT_SLOTS)(probe)
        ),
        None,
    )


def _wire(event: dict) -> dict:
    """A generated event as the wire sends it (free slots under ``slots``; no NUL, which the wire refuses and
    PostgreSQL cannot store)."""
    event = {k: v.replace("\x00", "0") if isinstance(v, str) else v for k, v in event.items()}
    event["slots"] = {k: v.replace("\x00", "0") for k, v in event["slots"].items()}
    out = {k: v for k, v in event.items() if k != "slots"}
    if event["slots"]:
        out["slots"] = event["slots"]
    return out


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(
    selectors=st.lists(st.tuples(GUARDED, st.integers(0, 3)), min_size=1, max_size=6),
    batch=st.lists(wide_events, min_size=1, max_size=12),
)
def test_set_based_assignment_equals_the_per_event_predicates(selectors, batch):
    BlackoutPolicy.objects.all().delete()
    policies = [
        BlackoutPolicy.objects.create(
            name=f"p{n}",
            execution_order=order,
            selector_criteria=selector,
            enabled=True,
            timeframe=WINDOW,
            window_start=T0 - timedelta(minutes=30),
            window_end=T0 + timedelta(minutes=30),
        )
        for n, (selector, order) in enumerate(selectors)
    ]
    policy_set_changed()  # written behind the services, which would say so
    events = [_wire(e) for e in batch]
    created = services.events_ingest(events=[dict(e) for e in events], now=T0)
    assert [e.blackout_policy_id for e in created] == [_old_ingest_answer(policies, e) for e in events]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    batch=st.lists(wide_events, max_size=8), missing=st.sets(st.sampled_from(["severity", "status", "msg", "slots"]))
)
def test_the_batch_reads_the_rows_columns_as_the_predicate_reads_each_event(batch, missing):
    """Ingest gives the batch its rows' columns directly (``_column_reader``), not a dict per event: the same
    values ``EVENT_SLOTS.reader`` reads from each row's ``Event.as_selector_input``, defaults (enum members)
    included."""
    defaults = ingest._defaults()
    rows = [ingest._event_row({k: v for k, v in _wire(e).items() if k not in missing}, defaults) for e in batch]
    direct = criteria.Batch(rows, EVENT_SLOTS, read=ingest._column_reader(rows))
    as_events = [Event(**dict(zip(ingest._NAMES, row, strict=True))) for row in rows]
    probed = criteria.Batch([event.as_selector_input() for event in as_events], EVENT_SLOTS)
    for slot in [*EVENT_SLOTS.text, *EVENT_SLOTS.numeric, "location", "zone", "absent"]:
        assert direct.column(slot) == probed.column(slot), slot
        assert [type(v) for v in direct.column(slot)] == [type(v) for v in probed.column(slot)], slot


@pytest.mark.django_db
def test_the_event_table_indexes_the_policy_once():
    """Every index is written at ingest: the policy's column is covered by the composite index it leads (lookups
    by policy, ON DELETE SET NULL), not by a second single-column index."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Event._meta.db_table)
    leading = [c["columns"] for c in constraints.values() if c["index"] and c["columns"][:1] == ["blackout_policy_id"]]
    assert leading == [["blackout_policy_id", "status"]]
