"""The import engine: a file's rows matched by natural key, validated as the wire validates them, classified
(created, updated, unchanged, refused) and written set-based, batch by batch, in one transaction.

- Streamed: rows are read, judged and written ``spec.batch_size`` at a time; memory does not grow with the file.
  Duplicate natural keys within the file are found through a temporary table of the keys seen so far (a Python
  set of a million keys would not be flat).
- All or nothing by default: one refused row rolls the whole file back (every row is still judged, so the report
  lists all of them). ``apply_valid`` writes the valid rows and reports the refused ones. A dry run judges and
  writes inside the transaction, then rolls it back: what it reports is exactly what applying would do.
- A row is never half-applied: each batch is written inside a savepoint; if the database refuses it (a concurrent
  writer), its rows are written one by one, each in its own savepoint, and the refused one is reported.
- On PostgreSQL a plain CSV file of a spec that declares its write a plain upsert (``ImportSpec.sql_write``) is
  judged and written in SQL instead (``setbased.py``), with the same report and the same stored data; whatever that
  path cannot judge exactly it rolls back, and the file is read again here, row by row (the reference).
- Recorded as the services record: one ``Change`` per row written (``created``, or ``updated`` with the fields
  before and after), whichever path wrote it (``writes.record_written``), plus one ``imported`` change on the model
  with the file's counts.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DatabaseError, models, transaction

from .. import changes
from ..errors import DomainError
from . import lookups, readers, reasons, setbased, values
from .report import MAX_LISTED, Refusal, Report
from .specs import ImportSpec

__all__ = ["MAX_LISTED", "Refusal", "Report", "run_import"]

logger = logging.getLogger(__name__)


# --- Column plans ------------------------------------------------------------------------------------------------
FIELD, RELATION, IGNORED = "field", "relation", "ignored"  # compared with `is`


@dataclass
class _Plan:
    kind: str
    convert: Callable | None = None
    check: Callable | None = None
    attname: str = ""
    relation: object = None
    to_field: str = ""


def _plans(spec: ImportSpec, *, spreadsheet: bool) -> dict[str, _Plan]:
    model = spec.model
    relations = spec.relation_columns()
    plans = {}
    for name in spec.column_names():
        if name in relations:
            rel = relations[name]
            plans[name] = _Plan(RELATION, relation=rel, to_field=rel.columns[name])
        elif name in spec.fields or name in spec.create_only:
            f = model._meta.get_field(name)
            plans[name] = _Plan(
                FIELD,
                convert=values.converter(f, spreadsheet=spreadsheet),
                check=values.checker(f),
                attname=f.attname,
            )
        else:
            plans[name] = _Plan(IGNORED)
    return plans


# --- The engine --------------------------------------------------------------------------------------------------
class Importer:
    def __init__(self, spec: ImportSpec, fmt: str, *, dry_run=False, apply_valid=False, progress=None, set_based=True):
        spec.check()
        self.set_based = set_based
        self.path = ""  # which path read the file: "set-based" or "rows"
        self.spec = spec
        self.model = spec.model
        self.fmt = fmt
        self.dry_run = dry_run
        self.apply_valid = apply_valid
        self.progress = progress
        self.report = Report(model=spec.label, fmt=fmt, dry_run=dry_run, apply_valid=apply_valid)
        self.plans = _plans(spec, spreadsheet=readers.spreadsheet(fmt))
        opts = self.model._meta
        self.pk_attname = opts.pk.attname
        # Written attributes (attnames) and, for each, the column named in reports.
        self.column_of: dict[str, str] = {}
        for name, plan in self.plans.items():
            if plan.kind == FIELD:
                self.column_of[plan.attname] = name
            elif plan.kind == RELATION:
                self.column_of.setdefault(opts.get_field(plan.relation.field).attname, name)
        self.written = list(self.column_of)
        self.create_only = {opts.get_field(n).attname for n in spec.create_only}
        self.key_attnames = [opts.get_field(n).attname for n in spec.natural_key]
        self.relations = {rel.field: rel for rel in spec.relations}
        self.fields_by_attname = {f.attname: f for f in opts.concrete_fields}
        self.spreadsheet = readers.spreadsheet(fmt)
        self.fields_by_name = {f.name: f for f in opts.concrete_fields}
        # Per column: (kind, converter-and-checker | relation's field, attname | relation), chosen once.
        self.steps = {}
        for name, plan in self.plans.items():
            if plan.kind == FIELD:
                self.steps[name] = (
                    FIELD,
                    values.cell_reader(self.fields_by_name[name], spreadsheet=self.spreadsheet),
                    plan.attname,
                )
            elif plan.kind == RELATION:
                self.steps[name] = (RELATION, plan.to_field, plan.relation)
            else:
                self.steps[name] = (IGNORED, None, None)

    # -- entry point --
    def run(self, binary) -> Report:
        try:
            with transaction.atomic():
                if not self._run_set_based(binary):
                    self._run_rows(binary)
                report = self.report
                keep = not self.dry_run and (self.apply_valid or not report.refused)
                if not keep:
                    transaction.set_rollback(True)
                elif report.created or report.updated:
                    # The file's own change, with its counts (each row written recorded its own), in the import's
                    # transaction.
                    changes.record_set(self.spec.model, "imported", counts=report.counts())
                report.applied = keep
            report.refusals.sort(key=lambda r: (r.line is None, r.line or 0))
        except readers.FileRefused as exc:
            report = self.report
            report.file_error = exc.message
            report.applied = False
        return report

    def _run_set_based(self, binary) -> bool:
        """PostgreSQL judges and writes a plain CSV file in SQL (``setbased.py``); anything it cannot judge exactly
        is rolled back and read again row by row."""
        if not self.set_based or not setbased.eligible(self, binary):
            return False
        start = binary.tell()
        try:
            with transaction.atomic():
                setbased.run(self, binary)
        except (setbased.NotPlain, DatabaseError) as exc:
            logger.info("import of %s: the row path reads this file (%s)", self.spec.label, exc)
            binary.seek(start)
            self.report = Report(
                model=self.spec.label, fmt=self.fmt, dry_run=self.dry_run, apply_valid=self.apply_valid
            )
            return False
        self.path = "set-based"
        return True

    def _run_rows(self, binary) -> None:
        self.path = "rows"
        columns = self.spec.list_spec.columns
        rows = readers.read_rows(
            binary,
            self.fmt,
            allowed=[c.name for c in columns],
            headers={c.name: c.header for c in columns},
        )
        with lookups.SeenKeys() as seen:
            self.seen = seen
            for batch in lookups.batches(rows, self.spec.batch_size):
                self._batch(batch)
                if self.progress:
                    self.progress(self.report.rows)

    # -- one batch --
    def _batch(self, batch: list) -> None:
        report = self.report
        report.rows += len(batch)
        parsed = []
        for line, raw in batch:
            reason = getattr(raw, "reason", None)
            if reason:
                report.refuse(line, getattr(raw, "column", ""), reason)
                continue
            row = self._convert(line, raw)
            if row is not None:
                parsed.append(row)
        parsed = self._resolve_relations(parsed)
        parsed = self._keys(parsed)
        stored = self._stored(parsed)
        creates, updates = [], []
        for line, vals, key, _text in parsed:
            self._judge(line, vals, stored.get(key) if key is not None else None, creates, updates)
        self._write(creates, updates)

    def _convert(self, line: int, raw: dict):
        vals, refs = {}, {}
        steps = self.steps
        for name, cell in raw.items():
            kind, fn, target = steps[name]
            if kind is FIELD:
                try:
                    vals[target] = fn(cell)
                except ValueError as exc:
                    self.report.refuse(line, name, str(exc))
                    return None
            elif kind is RELATION:
                text = values.cell_text(cell, spreadsheet=self.spreadsheet) if cell is not None else ""
                refs.setdefault(target.field, {})[fn] = (name, text.strip())
        return line, vals, refs

    def _resolve_relations(self, parsed: list) -> list:
        opts = self.model._meta
        for rel in self.relations.values():
            fk = opts.get_field(rel.field)
            related = fk.related_model
            to_fields = list(rel.columns.values())
            wanted = {tuple(refs[rel.field][t][1] for t in to_fields) for _, _, refs in parsed if rel.field in refs}
            wanted = {k for k in wanted if any(k)}
            found: dict[tuple, object] = {}
            first = to_fields[0]
            keys = list(wanted)
            for query in lookups.matching(related._default_manager, first, list({k[0] for k in keys})):
                for row in query.values_list(*to_fields, related._meta.pk.attname):
                    found[tuple(str(v) for v in row[:-1])] = row[-1]
            kept = []
            for line, vals, refs in parsed:
                given = refs.get(rel.field)
                if given is None:
                    kept.append((line, vals, refs))
                    continue
                key = tuple(given[t][1] for t in to_fields) if all(t in given for t in to_fields) else None
                column = next(iter(given.values()))[0]
                if key is None:
                    missing = [c for c, t in rel.columns.items() if t not in given]
                    self.report.refuse(line, missing[0], f"{related._meta.verbose_name} needs column {missing[0]}")
                    continue
                if not any(key):
                    if fk.null:
                        vals[fk.attname] = None
                        kept.append((line, vals, refs))
                    else:
                        self.report.refuse(line, column, reasons.relation_required(related))
                    continue
                pk = found.get(key)
                if pk is None:
                    self.report.refuse(line, column, reasons.relation_missing(related, to_fields, key))
                    continue
                vals[fk.attname] = pk
                kept.append((line, vals, refs))
            parsed = kept
        return [(line, vals) for line, vals, _ in parsed]

    def _keys(self, parsed: list) -> list:
        """Each row's natural key; rows without one are refused (or, when keys are optional, created); a key seen
        earlier in the file is refused naming that line."""
        out = []
        for line, vals in parsed:
            key = tuple(vals.get(a) for a in self.key_attnames)
            if all(part is None or part == "" for part in key):
                if self.spec.key_optional:
                    for a in self.key_attnames:
                        vals.pop(a, None)
                    out.append((line, vals, None, None))
                    continue
                self.report.refuse(line, self.column_of.get(self.key_attnames[0], ""), self.no_key_reason())
                continue
            out.append((line, vals, key, lookups.key_text(key)))
        texts = [t for *_, t in out if t is not None]
        earlier = self.seen.seen(texts) if texts else {}
        kept, new_pairs, in_batch = [], [], {}
        for line, vals, key, text in out:
            if text is not None:
                first = earlier.get(text) or in_batch.get(text)
                if first is not None:
                    column = self.column_of.get(self.key_attnames[0], "")
                    self.report.refuse(line, column, reasons.duplicate_key(first))
                    continue
                in_batch[text] = line
                new_pairs.append((text, line))
            kept.append((line, vals, key, text))
        self.seen.add(new_pairs)
        return kept

    def no_key_reason(self) -> str:
        names = ", ".join(self.column_of.get(a, a) for a in self.key_attnames)
        return f"no natural key ({names})"

    def _stored(self, parsed: list) -> dict:
        keys = [key for _, _, key, _ in parsed if key is not None]
        if not keys:
            return {}
        manager = self.model._default_manager
        names = list(dict.fromkeys([self.pk_attname, *self.key_attnames, *self.written]))
        first = self.key_attnames[0]
        found = {}
        firsts = list({k[0] for k in keys})
        for query in lookups.matching(manager, first, firsts):
            for row in query.values(*names):
                found[tuple(row[a] for a in self.key_attnames)] = row
        return found

    def _judge(self, line: int, vals: dict, stored: dict | None, creates: list, updates: list) -> None:
        report = self.report
        if stored is None:
            merged = {}
            for attname in self.written:
                if attname not in vals:
                    f = self.fields_by_attname[attname]
                    merged[attname] = f.get_default() if f.has_default() or not f.is_relation else None
                    if f.is_relation and not f.null:
                        report.refuse(line, self.column_of[attname], "needed to create a record: the column is missing")
                        return
                    check = self.plans[self.column_of[attname]].check if not f.is_relation else None
                    try:
                        if check:
                            check(merged[attname])
                    except ValueError as exc:
                        report.refuse(line, self.column_of[attname], f"needed to create a record: {exc}")
                        return
            merged.update(vals)
        else:
            if self.spec.clean is None and all(stored[a] == v for a, v in vals.items()):
                report.unchanged += 1  # the common case of a refresh, without building anything
                return
            merged = {a: stored[a] for a in self.written} | vals
        try:
            cleaned = self.spec.clean(merged, stored) if self.spec.clean else merged
        except DomainError as exc:
            path = (exc.errors[0][0] if exc.errors else "") or ""
            column = self.column_of.get(path.split(".")[0].split("[")[0], path.split(".")[0])
            report.refuse(line, column, exc.message)
            return
        if stored is None:
            if self.spec.key_optional and any(cleaned.get(a) not in (None, "") for a in self.key_attnames):
                column = self.column_of.get(self.key_attnames[0], "")
                report.refuse(line, column, "no record has this id (leave it empty to create a new one)")
                return
            creates.append((line, cleaned))
            return
        changed = [a for a in self.written if a in cleaned and cleaned[a] != stored[a]]
        fixed = [a for a in changed if a in self.create_only]
        if fixed:
            report.refuse(line, self.column_of[fixed[0]], "cannot be changed by an import (it is set when created)")
            return
        if not changed:
            report.unchanged += 1
            return
        updates.append((line, stored[self.pk_attname], cleaned))

    def _write(self, creates: list, updates: list) -> None:
        if not creates and not updates:
            return
        try:
            with transaction.atomic():
                self.spec.write(creates=[v for _, v in creates], updates=[(pk, v) for _, pk, v in updates])
        except (DomainError, DatabaseError):
            self._write_one_by_one(creates, updates)
            return
        self.report.created += len(creates)
        self.report.updated += len(updates)

    def _write_one_by_one(self, creates: list, updates: list) -> None:
        for line, vals in creates:
            if self._write_row(line, creates=[vals], updates=[]):
                self.report.created += 1
        for line, pk, vals in updates:
            if self._write_row(line, creates=[], updates=[(pk, vals)]):
                self.report.updated += 1

    def _write_row(self, line: int, **batch) -> bool:
        try:
            with transaction.atomic():
                self.spec.write(**batch)
        except DomainError as exc:
            path = (exc.errors[0][0] if exc.errors else "") or ""
            self.report.refuse(line, self.column_of.get(path.split(".")[0], path), exc.message)
            return False
        except DatabaseError as exc:
            self.report.refuse(line, "", f"refused by the database: {str(exc).strip().splitlines()[0][:300]}")
            return False
        return True


def run_import(spec: ImportSpec, binary, *, fmt: str, dry_run=False, apply_valid=False, progress=None) -> Report:
    """Import the rows of ``binary`` (a binary file object) into ``spec``'s model and return the report."""
    return Importer(spec, fmt, dry_run=dry_run, apply_valid=apply_valid, progress=progress).run(binary)


def model_label(model: type[models.Model]) -> str:
    return model._meta.label
