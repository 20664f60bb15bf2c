"""The PostgreSQL set-based path of a CSV import: the raw file ``COPY``-ed into a staging table of text columns, every
row judged in SQL, the valid rows applied with one ``INSERT … SELECT`` and one ``UPDATE … FROM``.

The row path (``engine.py``) is the reference; this path gives the same report and the same stored data:

- the checks are generated from the same declarations (the model fields' length, blank and choices; the spec's
  relations and natural key), and a refused row's reason is written by the row path's own functions (the cell's
  converter raises the sentence; relation and key sentences are shared), so only *which* rows are refused is SQL;
- only what SQL judges exactly takes this path: a spec whose ``write`` is declared a plain upsert
  (``ImportSpec.sql_write``), plain text fields, relations to a unique natural key, a model with no other unique
  or check constraint. Anything else in the file — a byte that is not UTF-8, a blank line, a record spanning lines,
  an oddly quoted cell, a cell starting with an apostrophe, a relation cell with spaces around it, a cell longer
  than ``readers.MAX_CELL``, a write the database refuses — raises :class:`NotPlain`; the engine rolls this path
  back and reads the file again through the row path.

Each row written is recorded in the change log as the row path records it: by one ``INSERT … SELECT`` per action
(``core.changes.written``; for the new rows, in the statement that writes them, from what it returns) where the
spec declares the SQL twins of the natural key and the name (``SqlWrite``) and the model raises no event; else
read back and recorded in Python (``writes.record_written``).

Reading the file into the staging table is ``staging.py``.
"""

import uuid

from django.core import validators as django_validators
from django.db import connection, models
from django.utils import timezone

from core import changes
from core.changes import written

from . import reasons, writes
from .report import MAX_LISTED
from .staging import CHUNK, NotPlain, copy_rows, read_header

__all__ = ["NotPlain", "eligible", "run"]

_TEXT_TYPES = (models.CharField, models.TextField)
_AUTO = (models.AutoField, models.BigAutoField, models.SmallAutoField)
_KEY_TYPES = (models.CharField, models.TextField, models.IntegerField, *_AUTO)

STAGE_CELL, STAGE_RELATION, STAGE_NO_KEY, STAGE_DUPLICATE = 1, 10, 100, 101


def _plain_text(field: models.Field) -> bool:
    """A text field whose only rules are length, blank and (string) choices: what the SQL checks exactly."""
    return (
        isinstance(field, _TEXT_TYPES)
        and all(
            isinstance(v, django_validators.MaxLengthValidator | django_validators.ProhibitNullCharactersValidator)
            for v in field.validators
        )
        and all(isinstance(key, str) for key, _ in (field.flatchoices or ()))
    )


def _unique(model, names: set[str]) -> bool:
    opts = model._meta
    if len(names) == 1 and opts.get_field(next(iter(names))).unique:
        return True
    if any(set(fields) == names for fields in opts.unique_together):
        return True
    return any(
        isinstance(c, models.UniqueConstraint) and c.condition is None and set(c.fields) == names
        for c in opts.constraints
    )


def eligible(importer, binary) -> bool:
    """Whether this import may try the set-based path (the file itself is checked while it is read)."""
    spec, model = importer.spec, importer.model
    if connection.vendor != "postgresql" or importer.fmt != "csv" or spec.sql_write is None:
        return False
    if spec.clean is not None or spec.key_optional or spec.create_only:
        return False
    if not getattr(binary, "seekable", lambda: False)():
        return False
    opts = model._meta
    numbered = isinstance(opts.pk, _AUTO) and opts.pk.attname not in importer.column_of
    if not numbered and tuple(spec.natural_key) != (opts.pk.name,):
        return False  # the key is the database's number, or the primary key is the natural key
    if any(plan.kind == "field" and not _plain_text(opts.get_field(name)) for name, plan in importer.plans.items()):
        return False
    key = set(spec.natural_key)
    if not all(opts.get_field(name).attname in importer.column_of for name in key):
        return False
    if any(f.unique and not f.primary_key and {f.name} != key for f in opts.concrete_fields):
        return False
    if any(set(fields) != key for fields in opts.unique_together):
        return False
    if any(not (isinstance(c, models.UniqueConstraint) and set(c.fields) == key) for c in opts.constraints):
        return False
    derived = {d.attname for d in spec.sql_write.derived}
    for f in opts.concrete_fields:
        if f.attname not in importer.column_of and f.attname not in derived and f.has_default() and callable(f.default):
            return False  # a default computed per row (a uuid): leave it to the row path's writes
    for rel in spec.relations:
        fk = opts.get_field(rel.field)
        related = fk.related_model
        to_fields = [related._meta.get_field(t) for t in rel.columns.values()]
        if related is model or not fk.target_field.primary_key:
            return False
        if not all(isinstance(f, _KEY_TYPES) for f in to_fields):
            return False
        if not _unique(related, set(rel.columns.values())):
            return False
    return True


# --- Judging ---------------------------------------------------------------------------------------------------
class _Judge:
    """The SQL of one file: per file column ``c<i>``, the checks and values the row path would compute."""

    def __init__(self, importer, names: list[str]):
        self.importer = importer
        self.names = names
        self.index = {name: i for i, name in enumerate(names)}
        self.model = importer.model
        self.opts = self.model._meta
        self.params: list = []
        self.values: dict[str, str] = {}  # written attname -> SQL over the judged rows
        for name, plan in importer.plans.items():
            if plan.kind == "field" and name in self.index:
                self.values[plan.attname] = f"c{self.index[name]}"
        self.relations = []  # (rel, fk, related, file columns in file order, to_fields)
        for k, rel in enumerate(importer.spec.relations):
            fk = self.opts.get_field(rel.field)
            cols = sorted(rel.columns, key=self.index.__getitem__)
            self.relations.append((rel, fk, fk.related_model, cols, list(rel.columns.values())))
            self.values[fk.attname] = f"fk{k}"

    def _cell_ok(self, i: int, field: models.Field) -> str:
        c = f"s.c{i}"
        parts = []
        if not field.blank:
            parts.append(f"{c} <> ''")
        if field.max_length:  # bytes first: O(1), and no more characters than bytes
            limit = int(field.max_length)
            parts.append(f"(octet_length({c}) <= {limit} OR length({c}) <= {limit})")
        if field.choices:
            keys = [key for key, _ in field.flatchoices]
            self.params.extend(keys)
            parts.append(f"({c} = '' OR {c} IN ({', '.join(['%s'] * len(keys))}))")
        return " AND ".join(parts) or "TRUE"

    def select_rows(self, stage: str) -> str:
        q = connection.ops.quote_name
        plans = self.importer.plans
        weird, bad = [], []
        for i, name in enumerate(self.names):
            plan = plans[name]
            if plan.kind == "ignored":
                continue
            if plan.kind == "relation":
                weird.append(f"s.c{i} ~ '^[^!-~]|[^!-~]$'")  # the row path strips spaces around a key
            else:
                bad.append(f"WHEN NOT ({self._cell_ok(i, self.opts.get_field(name))}) THEN {i}")
        joins, fks = [], []
        for k, (rel, _fk, related, cols, _to) in enumerate(self.relations):
            empty = " AND ".join(f"s.c{self.index[c]} = ''" for c in cols)
            on = " AND ".join(
                f"r{k}.{q(related._meta.get_field(t).column)}"
                + ("" if isinstance(related._meta.get_field(t), _TEXT_TYPES) else "::text")
                + f" = s.c{self.index[c]}"
                for c, t in rel.columns.items()
            )
            joins.append(f"LEFT JOIN {q(related._meta.db_table)} r{k} ON NOT ({empty}) AND {on}")
            fks.append(f"CASE WHEN {empty} THEN NULL ELSE r{k}.{q(related._meta.pk.column)} END AS fk{k}")
        bad_sql = f"CASE {' '.join(bad)} END" if bad else "NULL::int"
        cells = ", ".join(f"s.c{i}" for i in range(len(self.names)))
        return (
            f"SELECT s.line, {cells}, ({' OR '.join(weird) or 'FALSE'}) AS weird, {bad_sql} AS bad"  # noqa: S608
            + "".join(f", {f}" for f in fks)
            + f" FROM {stage} s {' '.join(joins)}"
        )

    def first_refusal(self) -> str:
        """Over a row of ``select_rows``: the first check that refuses it (a cell, then each relation in turn)."""
        stages = []
        for k, (_rel, fk, _related, cols, _to) in enumerate(self.relations):
            empty = " AND ".join(f"c{self.index[c]} = ''" for c in cols)
            refused = f"NOT ({empty}) AND fk{k} IS NULL" + ("" if fk.null else f" OR ({empty})")
            stages.append(f"WHEN {refused} THEN {STAGE_RELATION + k}")
        return f"CASE WHEN bad IS NOT NULL THEN {STAGE_CELL} {' '.join(stages)} END"

    def key_parts(self) -> list[tuple[str, bool]]:
        """Per natural key field: its SQL over the judged rows and whether it is text (else a resolved id)."""
        out = []
        for attname in self.importer.key_attnames:
            field = self.opts.get_field(attname)
            out.append((self.values[attname], isinstance(field, _TEXT_TYPES)))
        return out

    def create_judged(self, cursor, stage: str) -> str:
        """One row per file row: its cells, the first check that refuses it (``stage``), its stored record and
        what the import does with it (``action``: ``c`` create, ``u`` update, ``=`` unchanged)."""
        q = connection.ops.quote_name
        judged = f"import_judged_{uuid.uuid4().hex[:12]}"
        parts = self.key_parts()
        empty = " AND ".join(f"(a.{v} = '')" if text else f"(a.{v} IS NULL)" for v, text in parts)
        table = q(self.opts.db_table)
        match = " AND ".join(
            f"t.{q(self.opts.get_field(a).column)} " + ("=" if n == 0 else "IS NOT DISTINCT FROM") + f" a.{v}"
            for n, (a, (v, _)) in enumerate(zip(self.importer.key_attnames, parts, strict=True))
        )
        same = " AND ".join(
            f"t.{q(self.opts.get_field(a).column)} IS NOT DISTINCT FROM a.{v}" for a, v in self.values.items()
        )
        pk = f"t.{q(self.opts.pk.column)}"
        # An unchanged row keeps only its line and key (a nightly refresh is mostly those): the other cells are
        # needed to write a row or to explain its refusal.
        keys = {v for v, _ in parts}
        kept = ", ".join(
            f"m.c{i}" if f"c{i}" in keys else f"CASE WHEN m.action IS DISTINCT FROM '=' THEN m.c{i} END AS c{i}"
            for i in range(len(self.names))
        )
        fks = "".join(f", m.fk{k}" for k in range(len(self.relations)))
        sql = (
            f"CREATE TEMPORARY TABLE {judged} ON COMMIT DROP AS "  # noqa: S608 - names from the model
            # OFFSET 0: each level computed once per row, not inlined into every expression that uses it
            f"WITH r AS ({self.select_rows(stage)} OFFSET 0), "
            f"a AS (SELECT r.*, {self.first_refusal()} AS stage0 FROM r OFFSET 0), "
            f"m AS (SELECT a.*, CASE WHEN a.stage0 IS NULL AND {empty} THEN {STAGE_NO_KEY} ELSE a.stage0 END "
            f"AS stage, {pk} AS target_pk, "
            f"CASE WHEN a.stage0 IS NOT NULL OR ({empty}) THEN NULL WHEN {pk} IS NULL THEN 'c' "
            f"WHEN {same} THEN '=' ELSE 'u' END AS action "
            f"FROM a LEFT JOIN {table} t ON a.stage0 IS NULL AND {match} OFFSET 0) "
            f"SELECT m.line, m.weird, m.bad{fks}, m.stage, NULL::bigint AS first_line, m.target_pk, m.action, {kept} "
            "FROM m"
        )
        cursor.execute(sql, self.params)
        # A natural key seen on an earlier line: refused, naming that line (only rows no check refused count).
        cursor.execute(
            f"UPDATE {judged} j SET stage = {STAGE_DUPLICATE}, first_line = d.first_line, action = NULL "  # noqa: S608
            f"FROM (SELECT {self.keytext('s.')} AS keytext, min(line) AS first_line FROM {judged} s "
            "WHERE stage IS NULL GROUP BY 1 HAVING count(*) > 1) d "
            f"WHERE j.stage IS NULL AND {self.keytext('j.')} = d.keytext "
            "AND j.line > d.first_line"
        )
        return judged

    def keytext(self, prefix: str) -> str:
        """The row path's text of a natural key (``lookups.key_text``): the parts joined by 0x1F, compared byte
        by byte (as Python compares; and ``COLLATE "C"`` sorts fastest)."""
        parts = self.key_parts()
        if len(parts) == 1 and parts[0][1]:
            return f'{prefix}{parts[0][0]} COLLATE "C"'
        return "concat_ws(chr(31), " + ", ".join(f"coalesce({prefix}{v}::text, '')" for v, _ in parts) + ') COLLATE "C"'

    def refusals(self, cursor, judged: str, report, total: int) -> None:
        """List the refused rows in the order the row path lists them (batch, then check, then line)."""
        importer = self.importer
        if not total:
            return
        cells = ", ".join(f"c{i}" for i in range(len(self.names)))
        size = int(importer.spec.batch_size)
        cursor.execute(
            f"SELECT line, stage, first_line, bad, {cells} FROM {judged} WHERE stage IS NOT NULL "  # noqa: S608
            f"ORDER BY (line - 2) / {size}, stage, line LIMIT {MAX_LISTED}"
        )
        key_column = importer.column_of.get(importer.key_attnames[0], "")
        for line, stage, first_line, bad, *row in cursor.fetchall():
            if stage == STAGE_CELL:
                name = self.names[bad]
                try:
                    importer.steps[name][1](row[bad])
                except ValueError as exc:
                    report.refuse(line, name, str(exc))
                    continue
                raise NotPlain(f"SQL refused line {line}, column {name}, which the row path accepts")
            if stage == STAGE_NO_KEY:
                report.refuse(line, key_column, importer.no_key_reason())
            elif stage == STAGE_DUPLICATE:
                report.refuse(line, key_column, reasons.duplicate_key(first_line))
            else:
                rel, _fk, related, cols, to_fields = self.relations[stage - STAGE_RELATION]
                given = {rel.columns[c]: row[self.index[c]] for c in cols}
                key = tuple(given[t] for t in to_fields)
                reason = reasons.relation_missing(related, to_fields, key) if any(key) else None
                report.refuse(line, cols[0], reason or reasons.relation_required(related))
        report.refused += total - min(total, MAX_LISTED)

    # -- applying --
    def apply(self, cursor, judged: str, *, created: int, updated: int) -> None:
        q = connection.ops.quote_name
        table = q(self.opts.db_table)
        derived = self.importer.spec.sql_write.derived
        names = list(self.values)
        exprs = [f"j.{self.values[a]}" for a in names]
        for d in derived:
            names.append(d.attname)
            exprs.append(d.sql({i: f"j.{self.values[i]}" if i in self.values else "NULL" for i in d.inputs}))
        insert_names, insert_exprs, params = list(names), list(exprs), []
        now = timezone.now()
        for f in self.opts.concrete_fields:
            if f.attname in names or f.primary_key:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now  # as the row path's writes (writes.py)
            else:
                value = f.get_default() if f.has_default() or not f.null else None
            insert_names.append(f.attname)
            insert_exprs.append("%s")
            params.append(f.get_db_prep_save(value, connection))
        columns = ", ".join(q(self.opts.get_field(a).column) for a in insert_names)
        pk = q(self.opts.pk.column)
        # What the change log needs (writes.record_written): the rows about to be overwritten, and the new rows' pks.
        before = created_pks = None
        if updated:
            before = f"import_before_{uuid.uuid4().hex[:12]}"
            cursor.execute(
                f"CREATE TEMPORARY TABLE {before} ON COMMIT DROP AS SELECT t.* FROM {table} t "  # noqa: S608
                f"JOIN {judged} j ON t.{pk} = j.target_pk WHERE j.action = 'u'"
            )
        # A derived value Python must fix after the write (a non-ASCII address) is one the change rows must see.
        odd = [d for d in derived if (created or updated) and self._odd(cursor, judged, d)]
        twins = written.twins(self.model)
        insert = (
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(insert_exprs)} "  # noqa: S608
            f"FROM {judged} j WHERE j.action = 'c' ORDER BY j.line"
        )
        if created and twins and not odd:
            # One statement writes the new rows and their change rows (from what it returns, not read again).
            record, record_params = written.insert_sql(self.model, "created", rows="inserted", whole=True, **twins)
            cursor.execute(f"WITH inserted AS ({insert} RETURNING *) {record}", params + record_params)
        elif created:
            created_pks = f"import_created_{uuid.uuid4().hex[:12]}"
            cursor.execute(
                f"CREATE TEMPORARY TABLE {created_pks} ON COMMIT DROP AS SELECT {pk} FROM {table} WITH NO DATA"  # noqa: S608
            )
            cursor.execute(
                f"WITH inserted AS ({insert} RETURNING {pk}) INSERT INTO {created_pks} SELECT {pk} FROM inserted",  # noqa: S608
                params,
            )
        sets = ", ".join(
            f"{q(self.opts.get_field(a).column)} = {e}"
            for a, e in zip(names, exprs, strict=True)
            if a != self.opts.pk.attname
        )
        if updated:
            cursor.execute(
                f"UPDATE {table} t SET {sets} FROM {judged} j WHERE j.action = 'u' AND t.{pk} = j.target_pk"  # noqa: S608
            )
        for d in odd:
            self._derive_in_python(cursor, judged, d)
        self._record(cursor, created_pks, before)

    def _record(self, cursor, created_pks: str | None, before: str | None) -> None:
        """One change per row written, as the row path's write records it (``writes.record_written``): the new
        rows, then the changed ones against their rows as they were. In SQL (``core.changes.written``) where the
        spec declares the twins of the natural key and name and the model raises no event; else ``writes.CHUNK``
        rows at a time in Python. (New rows recorded in SQL are recorded by the statement that writes them, in
        ``apply``, unless Python fixes a derived value afterwards.)"""
        twins = written.twins(self.model)
        if twins:
            if created_pks:
                cursor.execute(*written.insert_sql(self.model, "created", rows=created_pks, **twins))
            if before:
                cursor.execute(*written.insert_sql(self.model, "updated", rows=before, before=True, **twins))
            return
        pk = connection.ops.quote_name(self.opts.pk.column)
        manager = self.model._default_manager
        if created_pks:
            for chunk in self._pages(cursor, f"SELECT {pk} FROM {created_pks}", pk):  # noqa: S608
                writes.record_written(self.model, created=[row[0] for row in chunk])
        if before:
            for chunk in self._pages(cursor, f"SELECT {pk} FROM {before}", pk):  # noqa: S608
                rows = manager.raw(f"SELECT * FROM {before} WHERE {pk} = ANY(%s)", [[row[0] for row in chunk]])  # noqa: S608
                writes.record_written(self.model, befores={obj.pk: changes.snapshot(obj) for obj in rows})

    @staticmethod
    def _pages(cursor, select: str, pk: str):
        """The rows of ``select`` in pk order, ``writes.CHUNK`` at a time (memory flat for any file size)."""
        last = None
        while True:
            where = "" if last is None else f" WHERE {pk} > %s"
            cursor.execute(f"{select}{where} ORDER BY {pk} LIMIT {writes.CHUNK}", [] if last is None else [last])
            rows = cursor.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def _odd_rows(self, judged: str, derived) -> str | None:
        """``FROM … WHERE`` the rows written whose inputs of ``derived`` are not all ASCII (None: it has none)."""
        inputs = [i for i in derived.inputs if i in self.values]
        if not inputs:
            return None
        other = " OR ".join(f"octet_length(j.{self.values[i]}) <> length(j.{self.values[i]})" for i in inputs)
        return f"FROM {judged} j WHERE j.action IN ('c', 'u') AND ({other})"

    def _odd(self, cursor, judged: str, derived) -> bool:
        odd = self._odd_rows(judged, derived)
        if odd is None:
            return False
        cursor.execute(f"SELECT EXISTS (SELECT 1 {odd})")
        return cursor.fetchone()[0]

    def _derive_in_python(self, cursor, judged: str, derived) -> None:
        """The rows whose inputs are not all ASCII get the derived value from Python (see ``specs.Derived``)."""
        q = connection.ops.quote_name
        inputs = [i for i in derived.inputs if i in self.values]
        odd = self._odd_rows(judged, derived)
        match = " AND ".join(
            f"t.{q(self.opts.get_field(a).column)} IS NOT DISTINCT FROM j.{v}"
            for a, (v, _) in zip(self.importer.key_attnames, self.key_parts(), strict=True)
        )
        pk = q(self.opts.pk.column)
        read = ", ".join(f"j.{self.values[i]}" for i in inputs)
        table = q(self.opts.db_table)
        cursor.execute(f"SELECT t.{pk}, {read} {odd.replace(' WHERE ', f' JOIN {table} t ON {match} WHERE ')}")
        rows = [(derived.python(dict(zip(inputs, values, strict=True))), key) for key, *values in cursor.fetchall()]
        column = q(self.opts.get_field(derived.attname).column)
        for start in range(0, len(rows), 1000):
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s WHERE {pk} = %s",  # noqa: S608
                rows[start : start + 1000],
            )


def run(importer, binary) -> None:
    """Judge and write ``binary`` set-based into ``importer.report``; raise :class:`NotPlain` where the row path
    must (the caller runs this in a savepoint and rolls it back then)."""
    report = importer.report
    names, body = read_header(importer, binary.read(CHUNK))
    judge = _Judge(importer, names)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")  # sorts and hashes of a file's rows in memory; reset at commit
        stage = copy_rows(cursor, binary, names, body, importer.progress)
        judged = judge.create_judged(cursor, stage)
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE weird), count(*) FILTER (WHERE action = 'c'), "  # noqa: S608
            f"count(*) FILTER (WHERE action = 'u'), count(*) FILTER (WHERE action = '='), "
            f"count(*) FILTER (WHERE stage IS NOT NULL) FROM {judged}"
        )
        rows, weird, created, updated, unchanged, refused = cursor.fetchone()
        if weird:
            raise NotPlain("cells the row path reads differently (an apostrophe, spaces around a key, a huge cell)")
        report.rows = rows
        judge.refusals(cursor, judged, report, refused)
        judge.apply(cursor, judged, created=created, updated=updated)
        report.created, report.updated, report.unchanged = created, updated, unchanged
        if importer.progress:
            importer.progress(rows)
