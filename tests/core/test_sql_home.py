"""SQL below the ORM has one home, :mod:`core.sql`: no other product module uses Django's internals
(``get_compiler``, ``get_db_converters``, ``Model.from_db``, ``_state``) or a raw cursor, except the set-based
paths named below, each kept for a benchmark. A new copy anywhere else fails this test."""

import ast
import configparser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

INTERNALS = {"get_compiler", "get_db_converters", "from_db", "_state"}
RAW = {"cursor", "execute", "executemany", "raw"}  # connection.cursor(), cursor.execute(...), Manager.raw(...)

HOME = "core/sql.py"
# Django's internals: only core.sql, and the set-based import engine the issue allows (benchmarked: import-100k).
INTERNALS_ALLOWED = {
    HOME: "the one home",
    "core/imports/setbased.py": "the set-based import engine (bench: import-100k, import-1m)",
    # the change record's precompiled INSERT (core.changes is being made an app of its own in parallel): its
    # `_insert` is to become `core.sql.insert_returning_pk`-like; it already takes `insert_params` from core.sql
    "core/changes/recording.py": "the change record's INSERT … RETURNING (bench: changes-record-cost)",
}
# Raw cursors: core.sql, and the set-based paths (COPY, staging tables, batched INSERTs) and session statements
# that are no statement on a model, each named with what keeps it.
RAW_ALLOWED = INTERNALS_ALLOWED | {
    "core/imports/lookups.py": "the import's temporary key tables (bench: import-100k)",
    "core/imports/staging.py": "the import's staging tables (bench: import-100k)",
    "core/imports/writes.py": "the import's set-based writes (bench: import-100k)",
    "outages/services/customers.py": "storm-scale customer lists: COPY, unnest, executemany (bench: outages-storm)",
    "outages/reliability/intervals.py": "customer interruptions merged by window functions (bench: reliability)",
    "blackouts/ingest.py": "events ingest: ids drawn in one query and COPY (bench: events-ingest)",
    "core/criteria/bounded.py": "the statement timeout of a criteria evaluation (a session setting)",
    "core/criteria/regex.py": "PostgreSQL compiles a pattern (no model)",
    "inventory/demo.py": "the id sequence reset after explicit ids (sequence_reset_sql)",
    "core/health.py": "the readiness probe's SELECT 1 (no model)",
    "blackouts/partitions.py": "the event table's partitions: DDL and the catalog (bench: blackouts-events-10m)",
    "outages/services/log.py": "a storm message's log entry over 1 MiB written by COPY (bench: outages-storm)",
    "core/lists/copy_csv.py": "CSV exports by COPY … TO STDOUT and its session's jit (bench: export-csv-1m)",
}


def _product_files() -> list[Path]:
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    roots = [line.strip() for line in parser.get("importlinter", "root_packages").splitlines() if line.strip()]
    return sorted(
        path
        for root in roots
        for path in (ROOT / root).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def uses(source: str) -> tuple[set[str], set[str]]:
    """The internals and the raw-SQL attributes ``source`` uses (``refresh_from_db`` is no ``from_db``)."""
    found = {node.attr for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Attribute)}
    return found & INTERNALS, found & RAW


def test_every_product_module_keeps_sql_below_the_orm_in_core_sql():
    offenders = []
    for path in _product_files():
        name = path.relative_to(ROOT).as_posix()
        internals, raw = uses(path.read_text())
        if internals and name not in INTERNALS_ALLOWED:
            offenders.append(f"{name}: {sorted(internals)}")
        if raw and name not in RAW_ALLOWED:
            offenders.append(f"{name}: {sorted(raw)}")
    assert not offenders, "SQL below the ORM belongs in core/sql.py:\n" + "\n".join(offenders)


def test_the_allowances_are_still_needed():
    """An allowance whose file no longer uses what it allows goes (so the list only shrinks)."""
    for name in RAW_ALLOWED:
        internals, raw = uses((ROOT / name).read_text())
        assert raw or internals, f"{name} no longer needs its allowance"
    for name in INTERNALS_ALLOWED:
        if name != "core/imports/setbased.py":  # allowed by the issue, whatever it uses today
            assert uses((ROOT / name).read_text())[0], f"{name} no longer uses Django's internals"


@pytest.mark.parametrize(
    "copy",
    [
        "sql, params = queryset.query.get_compiler('default').as_sql()",
        "obj = Model.from_db('default', names, values)",
        "obj._state.adding = False",
        "converters = connection.ops.get_db_converters(col)",
        "with connection.cursor() as cursor:\n    cursor.execute('SELECT 1')",
        "rows = Model.objects.raw('SELECT * FROM t')",
    ],
)
def test_a_new_copy_is_caught(copy):
    internals, raw = uses(copy)
    assert internals or raw
    assert "contacts/services.py" not in INTERNALS_ALLOWED and "contacts/services.py" not in RAW_ALLOWED


def test_refresh_from_db_is_no_internal():
    assert uses("obj.refresh_from_db()") == (set(), set())
