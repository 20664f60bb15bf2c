"""The change rows the PostgreSQL set-based import builds in SQL (``core.changes.written``) are the ones Python
builds (``record_many``), byte for byte: each field type's JSON form, a secret field's marks, NULLs and empty
text, the declared twins of natural keys and names over awkward text, and the same imports recorded both ways."""

import datetime as dt
import decimal
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import context
from core.changes import recording, written
from core.changes.models import Change
from core.imports import specs
from core.imports.engine import Importer

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

FIELDS = {
    "text": (
        models.TextField(),
        "text",
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), min_codepoint=1)),
    ),
    "bool": (models.BooleanField(), "boolean", st.booleans()),
    "int": (models.BigIntegerField(), "bigint", st.integers(-(2**63), 2**63 - 1)),
    "decimal": (
        models.DecimalField(max_digits=12, decimal_places=6),
        "numeric(12, 6)",
        st.decimals(min_value=-999999, max_value=999999, places=6, allow_nan=False, allow_infinity=False),
    ),
    "uuid": (models.UUIDField(), "uuid", st.uuids()),
    "date": (models.DateField(), "date", st.dates()),
    "time": (models.TimeField(), "time", st.times()),
    "datetime": (
        models.DateTimeField(),
        "timestamptz",
        st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=st.just(dt.UTC)),
    ),
}


@pytest.mark.parametrize("kind", sorted(FIELDS))
def test_each_field_type_has_the_json_form_python_records(kind):
    field, sql_type, values = FIELDS[kind]
    field.set_attributes_from_name("x")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(values)
    def check(value):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT ({written.json_sql(field, 'v.x')})::text FROM (SELECT (%s)::{sql_type} AS x) v", [value]
            )
            in_sql = cursor.fetchone()[0]
            # a new row's changes are written as JSON text and read once (written._created_sql): the same value
            cursor.execute(
                f"SELECT ({written._json_text_sql(field, 'v.x')})::jsonb = {written.json_sql(field, 'v.x')} "
                f"FROM (SELECT (%s)::{sql_type} AS x) v",
                [value],
            )
            assert cursor.fetchone()[0] is True
            cursor.execute(f"SELECT ({written.json_sql(field, f'NULL::{sql_type}')})::text")
            assert cursor.fetchone()[0] is None  # None: SQL NULL, JSON null inside the pair
        loaded = field.to_python(value)
        if kind == "decimal":
            loaded = loaded.quantize(decimal.Decimal("0.000001"))  # the column's scale, as Django reads it back
        expected = recording.json_value(loaded)
        assert json.loads(in_sql) == expected
        assert type(json.loads(in_sql)) is type(expected)

    check()


@pytest.mark.parametrize("field", [models.JSONField(), models.FloatField(), models.DecimalField(decimal_places=7)])
def test_a_type_without_a_twin_is_recorded_in_python(field):
    field.set_attributes_from_name("x")
    field.model = Change
    with pytest.raises(written.Unsupported):
        written.json_sql(field, "x")
    assert written.supported(Change) is False  # its JSON fields


def _changes_of(rows) -> list[tuple]:
    return sorted(
        (
            c.object_type,
            c.object_id,
            c.natural_key,
            c.object_repr,
            c.action,
            json.dumps(c.changes, sort_keys=True),
            c.counts,
            c.events,
            c.actor,
            c.request_id,
            c.object_state,
        )
        for c in rows
    )


def _run_sql(sql_and_params) -> list[Change]:
    first = Change.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with connection.cursor() as cursor:
        cursor.execute(*sql_and_params)
    return list(Change.objects.filter(id__gt=first))


def test_users_new_and_changed_are_recorded_as_record_many_records_them():
    """Users: a secret field (the password), date-times, booleans, NULLs and empty text, in both actions."""
    user_model = get_user_model()
    table = connection.ops.quote_name(user_model._meta.db_table)
    twins = {"natural_key": lambda col: col("username"), "name": lambda col: col("username")}
    with context.bound(actor="user:tester", request_id="req-1"):
        users = [
            user_model.objects.create(username="ann", password="secret", email="a@example.com", first_name="Ann"),
            user_model.objects.create(
                username="bob", password="", last_login=dt.datetime(2026, 1, 2, 3, 4, 5, 60, dt.UTC)
            ),
            user_model.objects.create(username="cy%", is_staff=True, last_login=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)),
        ]
        pks = [u.pk for u in users]
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE w_created AS SELECT id FROM {table} WHERE id = ANY(%s)", [pks])
            cursor.execute(f"CREATE TEMPORARY TABLE w_before AS SELECT * FROM {table} WHERE id = ANY(%s)", [pks])
        in_sql = _run_sql(written.insert_sql(user_model, "created", rows="w_created", **twins))
        with transaction.atomic():
            sid = transaction.savepoint()
            in_python = recording.record_many(user_model.objects.filter(pk__in=pks).order_by("pk"), "created")
            for change in in_python:  # record_many's objects stand for the rows it inserted
                change.id = None
            transaction.savepoint_rollback(sid)
        assert _changes_of(in_sql) == _changes_of(in_python)
        assert next(c for c in in_sql if c.natural_key == "ann").changes["password"] == [None, "•••• (changed)"]
        assert "password" not in next(c for c in in_sql if c.natural_key == "bob").changes

        befores = {u.pk: recording.snapshot(u) for u in user_model.objects.filter(pk__in=pks)}
        user_model.objects.filter(username="ann").update(password="", email="", is_active=False)
        user_model.objects.filter(username="bob").update(password="new", last_login=None, first_name="Bob")
        in_sql = _run_sql(written.insert_sql(user_model, "updated", rows="w_before", before=True, **twins))
        sid = transaction.savepoint()
        in_python = recording.record_many(
            user_model.objects.filter(pk__in=pks).order_by("pk"), "updated", befores=befores
        )
        transaction.savepoint_rollback(sid)
    assert _changes_of(in_sql) == _changes_of(in_python)
    assert len(in_sql) == 2  # cy% did not change: no change recorded
    ann = next(c for c in in_sql if c.natural_key == "ann")
    assert ann.changes["password"] == ["••••", None] and ann.changes["is_active"] == [True, False]
    bob = next(c for c in in_sql if c.natural_key == "bob")
    assert bob.changes["password"] == [None, "•••• (changed)"]
    assert bob.changes["last_login"] == ["2026-01-02T03:04:05.000060+00:00", None]


# Each declared twin against its Python one over awkward text: empty parts, quotes, a percent sign, non-ASCII.
CUSTOMERS = 'cis_account_id,cis_person_id,name\nA1,,Ann O\'Brien\n,P2,Bob 100% Zoë\nA3,P3,Cy\nA4,P4,"Dee, Jr"\n'
CUSTOMERS_AGAIN = "cis_account_id,cis_person_id,name\nA1,,Ann O'Brien-Smith\n,P2,Bob 100% Zoë\nA3,P3,Çy\n"
PREMISE_HEADER = (
    "cis_premise_id,address1,address2,address3,address4,city,county,state,postal,country,division,time_zone\n"
)
PREMISES = PREMISE_HEADER + "P1,,,,,,,,,,,\nP2,2 Rue d'Été,,,,Montréal,,QC,,CAN,,\nP3,3 Main,Apt 1,,,Oz,,KS,,,,\n"
PREMISES_AGAIN = PREMISE_HEADER + "P1,1 New Rd,,,,Newtown,,,,,,\nP2,,,,,,,QC,,CAN,,\nP3,3 Main,Apt 1,,,Oz,,KS,,,,\n"
POINTS = "cis_service_point_id,cis_premise_id,service_type\nSP1,P1,E\nSP2,P2,\nSP%3,P2,G\n"
POINTS_AGAIN = "cis_service_point_id,cis_premise_id,service_type\nSP1,P2,E\nSP2,P2,G\n"
AGREEMENTS = "cis_account_id,cis_person_id,cis_service_point_id\nA1,,SP1\n,P2,SP2\nA3,P3,SP%3\n"

# label: (files loaded first, the file recorded both ways)
FILES = {
    "enrollments.Customer": ([("enrollments.Customer", CUSTOMERS)], CUSTOMERS_AGAIN),
    "enrollments.Premise": ([("enrollments.Premise", PREMISES)], PREMISES_AGAIN),
    "enrollments.ServicePoint": (
        [("enrollments.Premise", PREMISES), ("enrollments.ServicePoint", POINTS)],
        POINTS_AGAIN,
    ),
    "enrollments.ServiceAgreement": (
        [("enrollments.Customer", CUSTOMERS), ("enrollments.Premise", PREMISES), ("enrollments.ServicePoint", POINTS)],
        AGREEMENTS,
    ),
}


def _import(label: str, content: str):
    importer = Importer(specs.get_spec(label), "csv", set_based=True)
    report = importer.run(io.BytesIO(content.encode()))
    assert importer.path == "set-based" and report.applied and not report.refused, report.lines()
    return report


def _recorded(label: str, content: str) -> list[tuple]:
    with transaction.atomic():
        first = Change.objects.order_by("-id").values_list("id", flat=True).first() or 0
        with context.bound(actor="user:tester"):
            _import(label, content)
        out = [
            (c.action, c.natural_key, c.object_repr, json.dumps(c.changes, sort_keys=True), c.counts, c.events)
            + ((c.object_id,) if c.action != "created" else ())  # a new row's number differs between runs
            for c in Change.objects.filter(id__gt=first).exclude(action="imported")
        ]
        transaction.set_rollback(True)
    return sorted(out)


def test_every_declared_twin_is_proven_here():
    declared = {s.label for s in specs.REGISTRY.values() if s.sql_write and s.sql_write.natural_key}
    assert declared <= set(FILES)


@pytest.mark.parametrize("label", sorted(FILES))
def test_the_changes_built_in_sql_are_the_ones_built_in_python(label, monkeypatch):
    seeds, content = FILES[label]
    for seed_label, seed in seeds:
        _import(seed_label, seed)
    in_sql = _recorded(label, content)
    monkeypatch.setattr(written, "supported", lambda model: False)  # the Python path, chunk by chunk
    in_python = _recorded(label, content)
    assert in_sql == in_python
    assert {c[0] for c in in_sql} == ({"created"} if label == "enrollments.ServiceAgreement" else {"updated"})
