"""The event table's monthly partitions on PostgreSQL (migration 0008, ``blackouts/partitions.py``) and the
events' retention (``EVENTS_RETENTION_DAYS``), which on SQLite deletes the older rows instead."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from blackouts import partitions, services
from blackouts.metrics import blackout_events_in_default_partition
from blackouts.models import Event
from blackouts.partitions import month_start, partition_name
from tests.factories.blackouts import BlackoutPolicyFactory, EventFactory, timeframe
from tests.migrating import latest, migrate

API = "/events-service/api/v1.0/events"
on_postgres = pytest.mark.postgres


def _where(*ids) -> dict:
    """Each event's partition (``tableoid``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, tableoid::regclass::text FROM blackouts_event WHERE id = ANY(%s)", [list(ids)])
        return dict(cursor.fetchall())


def _received(event: Event, at) -> Event:
    """Move an event in time (PostgreSQL moves the row to the partition of its new month, or DEFAULT)."""
    Event.objects.filter(pk=event.pk).update(received_at=at)
    event.received_at = at
    return event


@on_postgres
@pytest.mark.django_db
def test_the_table_is_partitioned_by_month_under_the_names_django_gave():
    now = timezone.now()
    assert partitions.is_partitioned()
    months = [p.lower for p in partitions.event_partitions()]
    assert [month_start(now, n) for n in range(partitions.AHEAD_MONTHS + 1)] == months[-partitions.AHEAD_MONTHS - 1 :]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = %s", [partitions.DEFAULT])
        assert cursor.fetchone() == ("DEFAULT",)
        constraints = connection.introspection.get_constraints(cursor, Event._meta.db_table)
    assert constraints["blackouts_event_pkey"]["columns"] == ["id", "received_at"]
    assert {"blackouts_event_status_class", "blackouts_event_policy_status", "blackouts_event_identifier_05aa346a"} <= {
        name for name, c in constraints.items() if c["index"]
    }
    assert constraints["blackouts_event_blackout_policy_id_670f053e_fk_blackouts"]["foreign_key"] == (
        "blackouts_blackoutpolicy",
        "id",
    )


@on_postgres
@pytest.mark.django_db
def test_ingest_through_the_api_lands_in_the_current_months_partition(bmc_client):
    response = bmc_client.post(
        API, data=[{"class": "EVENT", "msg": "a"}, {"class": "EVENT", "msg": "b"}], format="json"
    )
    assert response.status_code == 200, response.content
    ids = list(Event.objects.values_list("id", flat=True))
    assert len(ids) == 2
    assert set(_where(*ids).values()) == {partition_name(month_start(timezone.now()))}


@on_postgres
@pytest.mark.django_db
def test_window_start_and_end_update_events_in_every_partition():
    now = timezone.now()
    old = _received(EventFactory(), month_start(now, -1) + timedelta(days=3))
    new = EventFactory()
    assert len(set(_where(old.pk, new.pk).values())) == 2
    policy = BlackoutPolicyFactory(timeframe=timeframe())
    assert services.event_blackout_apply(policy=policy, now=now) == 2
    assert list(Event.objects.values_list("status", "blackout_policy").order_by("id")) == [
        ("BLACKOUT", policy.pk),
        ("BLACKOUT", policy.pk),
    ]
    assert services.event_blackout_reset(policy=policy, now=now) == 2
    assert set(Event.objects.values_list("status", flat=True)) == {"OPEN"}


@on_postgres
@pytest.mark.django_db
def test_ensure_creates_the_coming_months_once():
    now = timezone.now()
    ahead = partitions.AHEAD_MONTHS + 2
    created = partitions.partitions_ensure(ahead=ahead, now=now)
    assert created == [partition_name(month_start(now, n)) for n in (ahead - 1, ahead)]
    assert partitions.partitions_ensure(ahead=ahead, now=now) == []
    event = EventFactory()
    _received(event, month_start(now, ahead) + timedelta(days=1))
    assert _where(event.pk) == {event.pk: created[-1]}


@on_postgres
@pytest.mark.django_db
def test_rows_in_default_move_into_the_month_ensure_creates_for_them():
    """The DEFAULT partition catches a month that has no partition (the beat was down); the next ensure creates
    that month and moves its rows there, ids unchanged, so nothing stays in DEFAULT beyond the retention."""
    now = timezone.now()
    far = month_start(now, 12) + timedelta(days=2)
    stray = _received(EventFactory(), far)
    assert _where(stray.pk) == {stray.pk: partitions.DEFAULT}
    assert blackout_events_in_default_partition() == 1  # the gauge that says months are missing
    created = partitions.partitions_ensure(now=now)
    assert created == [partition_name(month_start(far))]
    assert _where(stray.pk) == {stray.pk: created[0]}
    assert Event.objects.get(pk=stray.pk).received_at == far
    assert blackout_events_in_default_partition() == 0


@on_postgres
@pytest.mark.django_db
def test_drop_removes_the_months_past_retention_with_their_events_and_keeps_the_newer(settings):
    now = timezone.now()
    old = _received(EventFactory(), month_start(now, -6) + timedelta(days=10))
    kept = _received(EventFactory(), month_start(now, -2) + timedelta(days=10))
    current = EventFactory()
    partitions.partitions_ensure(now=now)  # their months, out of DEFAULT
    assert partition_name(month_start(old.received_at)) in {p.name for p in partitions.event_partitions()}
    settings.EVENTS_RETENTION_DAYS = 90  # every month ending over 90 days ago goes
    result = partitions.partitions_drop_expired(now=now)
    assert result["events"] == 1
    names = {p.name for p in partitions.event_partitions()}
    assert partition_name(month_start(old.received_at)) in result["partitions"]
    assert partition_name(month_start(old.received_at)) not in names
    assert {partition_name(month_start(kept.received_at)), partition_name(month_start(now))} <= names
    assert set(Event.objects.values_list("id", flat=True)) == {kept.pk, current.pk}
    assert partitions.partitions_drop_expired(now=now) == {"partitions": [], "events": 0}  # idempotent


@pytest.mark.django_db
def test_no_retention_keeps_every_event(settings):
    settings.EVENTS_RETENTION_DAYS = 0
    now = timezone.now()
    old = _received(EventFactory(), now - timedelta(days=3000))
    partitions.partitions_ensure(now=now)
    assert partitions.partitions_drop_expired(now=now) == {"partitions": [], "events": 0}
    assert Event.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_without_partitions_retention_deletes_the_older_events_in_batches(monkeypatch):
    """SQLite, or a PostgreSQL table migrated back to plain: old events are deleted in batches."""
    monkeypatch.setattr(partitions, "DELETE_BATCH", 2)
    monkeypatch.setattr(partitions, "is_partitioned", lambda: False)  # on SQLite it is False already
    now = timezone.now()
    old = [_received(EventFactory(), now - timedelta(days=40 + n)).pk for n in range(5)]
    young = _received(EventFactory(), now - timedelta(days=20))
    assert partitions.partitions_ensure(now=now) == []
    assert partitions.partitions_drop_expired(retention_days=30, now=now) == {"partitions": [], "events": len(old)}
    assert list(Event.objects.values_list("id", flat=True)) == [young.pk]


@pytest.mark.django_db
def test_the_command_runs_what_the_beat_runs():
    out = StringIO()
    call_command("event_partitions", "--retention-days=0", stdout=out)
    assert "created" in out.getvalue() and "dropped 0 partitions" in out.getvalue()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_existing_events_survive_the_conversion_and_ids_continue():
    old = migrate([("blackouts", "0007_policy_name_statistics")]).apps
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relkind FROM pg_class WHERE relname = 'blackouts_event'")
            assert cursor.fetchone() == ("r",)
        OldEvent = old.get_model("blackouts", "Event")
        OldPolicy = old.get_model("blackouts", "BlackoutPolicy")
        policy = OldPolicy.objects.create(name="p", selector_criteria="class equals 'X'", timeframe=timeframe())
        now = timezone.now()
        stored = {}
        for months in (-14, -3, 0):
            event = OldEvent.objects.create(identifier=f"m{months}", status="BLACKOUT", blackout_policy=policy)
            at = month_start(now, months) + timedelta(days=5, hours=1)
            OldEvent.objects.filter(pk=event.pk).update(received_at=at)
            stored[event.pk] = (f"m{months}", at)
    finally:
        migrate(latest())
    assert partitions.is_partitioned()
    assert {e.pk: (e.identifier, e.received_at) for e in Event.objects.all()} == stored
    assert set(_where(*stored).values()) == {partition_name(month_start(at)) for _, at in stored.values()}
    assert Event.objects.filter(blackout_policy=policy.pk).count() == 3
    assert EventFactory().pk > max(stored)  # the id sequence continues


@pytest.mark.django_db
def test_the_beat_runs_the_upkeep_hourly_through_the_task(settings):
    from blackouts import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["blackouts-event-partitions"]
    assert entry["task"] == tasks.event_partitions_maintain.name
    settings.EVENTS_RETENTION_DAYS = 0
    result = tasks.event_partitions_maintain.apply().get()
    assert result == {"created": [], "dropped": [], "events_dropped": 0}  # migrate made the months; keep all


@on_postgres
@pytest.mark.django_db
def test_create_and_drop_give_up_rather_than_queue_every_insert_behind_a_long_read(monkeypatch):
    """Creating a month locks the DEFAULT partition and DETACH the table: behind a long read (an export) either
    would hold every insert in the queue. Each waits ``LOCK_TIMEOUT`` at most, fails, and the next run retries."""
    import psycopg
    from django.db import OperationalError

    now = timezone.now()
    monkeypatch.setattr(partitions, "LOCK_TIMEOUT", "100ms")
    db = connection.settings_dict
    reader = psycopg.connect(
        dbname=db["NAME"], host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"], password=db["PASSWORD"]
    )
    later = now + timedelta(days=200)  # the current month is then past a 1-day retention
    try:
        reader.execute("SELECT count(*) FROM blackouts_event")  # a read in progress: its transaction stays open
        with pytest.raises(OperationalError, match="lock timeout"):
            partitions.partitions_drop_expired(retention_days=1, now=later)
        with connection.cursor() as cursor:  # into DEFAULT (a month is missing), written there, not moved there
            cursor.execute(
                "INSERT INTO blackouts_event (identifier, event_class, msg, severity, status, previous_status,"
                " source_hostname, source_identifier, repeat_count, slots, received_at)"
                " VALUES ('x', 'EVENT', '', 'INFO', 'OPEN', '', '', '', 0, '{}', %s)",
                [month_start(now, 12) + timedelta(days=1)],
            )
        with pytest.raises(OperationalError, match="lock timeout"):
            partitions.partitions_ensure(now=now)
    finally:
        reader.close()
    assert partitions.partitions_ensure(now=now) == [partition_name(month_start(now, 12))]  # the reader gone
    assert (
        partition_name(month_start(now))
        in partitions.partitions_drop_expired(retention_days=1, now=later)["partitions"]
    )
