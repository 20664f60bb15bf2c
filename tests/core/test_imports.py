"""Master-data import (core/imports): round trip of every importable model (generated over the registry), upsert by
natural key, dry run, refused rows with line and reason, the wire's validation, hostile files, the command."""

import csv
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.imports import readers, specs
from core.imports.engine import run_import
from core.lists import writers
from enrollments.keys import address_key
from enrollments.models import Customer, Premise, ServiceAgreement, ServicePoint

SPECS = sorted(specs.REGISTRY.values(), key=lambda s: s.label)
IDS = [s.label for s in SPECS]
EXPECTED = {
    "blackouts.BlackoutPolicy",
    "enrollments.Customer",
    "enrollments.Premise",
    "enrollments.Program",
    "enrollments.ServiceAgreement",
    "enrollments.ServicePoint",
    "inventory.Party",
    "inventory.Place",
    "inventory.Resource",
    "inventory.Service",
    "inventory.Specification",
    "outages.ExternalSystem",
}


def _import(label, content, fmt="csv", **options):
    data = content.encode() if isinstance(content, str) else content
    return run_import(specs.get_spec(label), io.BytesIO(data), fmt=fmt, **options)


def _export(spec, fmt) -> bytes:
    queryset = spec.list_spec.base_queryset()
    columns = list(spec.list_spec.columns)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        writers.write_xlsx(queryset, columns, buffer)
        return buffer.getvalue()
    return "".join(writers.STREAMERS[fmt](queryset, columns)).encode()


def _snapshot(model):
    return sorted(model._default_manager.values_list(), key=str)


def test_the_registry_covers_the_master_data_of_the_issue():
    assert set(IDS) == EXPECTED
    for spec in SPECS:
        spec.check()
        assert spec.list_spec.model is spec.model


PREMISES = "cis_premise_id,address1,city,state\nP-1,1 Main St.,Springfield,CA\nP-2,2 Oak Ave,Riverside,CA\n"


@pytest.mark.django_db
def test_upsert_by_natural_key_creates_updates_and_leaves_alone():
    first = _import("enrollments.Premise", PREMISES)
    assert (first.created, first.updated, first.unchanged, first.applied) == (2, 0, 0, True)
    expected = address_key(address1="1 Main St.", city="Springfield", state="CA")
    assert Premise.objects.get(cis_premise_id="P-1").address_key == expected
    again = _import("enrollments.Premise", PREMISES.replace("2 Oak Ave", "22 Oak Avenue"))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    changed = Premise.objects.get(cis_premise_id="P-2")
    assert changed.address1 == "22 Oak Avenue" and changed.address_key.startswith("22 oak avenue|")
    assert Premise.objects.count() == 2
    # A file with fewer columns changes only those: the other fields keep their stored values.
    partial = _import("enrollments.Premise", "cis_premise_id,postal\nP-1,94000\n")
    assert partial.updated == 1
    stored = Premise.objects.get(cis_premise_id="P-1")
    assert (stored.address1, stored.postal) == ("1 Main St.", "94000")


@pytest.mark.django_db
def test_relations_are_named_by_natural_key():
    _import("enrollments.Premise", PREMISES)
    report = _import(
        "enrollments.ServicePoint",
        "cis_service_point_id,cis_premise_id,service_type\nSP-1,P-1,E\nSP-2,P-404,E\nSP-3,,G\n",
        apply_valid=True,
    )
    assert (report.created, report.refused) == (1, 2)
    assert [(r.line, r.column) for r in report.refusals] == [(3, "cis_premise_id"), (4, "cis_premise_id")]
    assert "no premise with cis_premise_id 'P-404'" in report.refusals[0].reason
    assert ServicePoint.objects.get().premise.cis_premise_id == "P-1"
    _import("enrollments.Customer", "cis_account_id,cis_person_id,name\nA-1,,Ann Smith\nA-1,PER-2,Bob Smith\n")
    served = _import(
        "enrollments.ServiceAgreement",
        "cis_account_id,cis_person_id,cis_service_point_id\nA-1,,SP-1\nA-1,PER-2,SP-1\n",
    )
    assert served.created == 2, list(served.lines())
    assert {a.customer.name for a in ServiceAgreement.objects.all()} == {"Ann Smith", "Bob Smith"}
    assert (
        _import(
            "enrollments.ServiceAgreement", "cis_account_id,cis_person_id,cis_service_point_id\nA-1,,SP-1\n"
        ).unchanged
        == 1
    )


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_reports_what_would_happen():
    _import("enrollments.Premise", PREMISES)
    before = _snapshot(Premise)
    report = _import(
        "enrollments.Premise", PREMISES.replace("Riverside", "Fairview") + "P-3,3 Elm,Bristol,CA\n", dry_run=True
    )
    assert (report.created, report.updated, report.unchanged, report.applied) == (1, 1, 1, False)
    assert "Dry run, nothing written" in report.summary()
    assert _snapshot(Premise) == before


@pytest.mark.django_db
def test_refused_rows_have_their_line_column_and_reason_and_nothing_is_half_applied():
    content = (
        "cis_premise_id,address1,state\nP-1,1 Main St,CA\nP-2,2 Oak Ave,TOOLONGSTATE\nP-1,again,CA\n\n,no key,CA\n"
    )
    report = _import("enrollments.Premise", content)
    assert not report.applied and Premise.objects.count() == 0, "all or nothing: one refused row, nothing written"
    assert [(r.line, r.column) for r in report.refusals] == [(3, "state"), (4, "cis_premise_id"), (6, "cis_premise_id")]
    assert "at most 6 characters" in report.refusals[0].reason
    assert "line 2" in report.refusals[1].reason
    valid = _import("enrollments.Premise", content, apply_valid=True)
    assert valid.applied and valid.created == 1 and valid.refused == 3
    assert list(Premise.objects.values_list("cis_premise_id", flat=True)) == ["P-1"]


@pytest.mark.django_db
def test_bad_values_are_refused_in_their_column():
    report = _import(
        "enrollments.Program",
        "program_id,name,is_active\nPRG-1,One,perhaps\nPRG-2,Two,TRUE\nPRG-3-IS-MUCH-TOO-LONG,Three,false\n",
        apply_valid=True,
    )
    assert [(r.line, r.column) for r in report.refusals] == [(2, "is_active"), (4, "program_id")]
    assert "not a boolean" in report.refusals[0].reason
    assert report.created == 1


# --- The wire's validation -------------------------------------------------------------------------------------
def _policy_rows(**overrides):
    timeframe = {
        "startDate": "01012030",
        "startTime": "01:00",
        "endTime": "02:00",
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
    }
    row = {
        "name": "nightly",
        "description": "",
        "enabled": False,
        "execution_order": 1,
        "selector_criteria": "( class equals 'EVENT' )",
        "timeframe": timeframe,
        "blackout_existing_events": False,
        "reset_status_on_blackout_end": False,
    }
    return json.dumps([row | overrides])


@pytest.mark.django_db
def test_an_imported_policy_is_validated_as_the_wire_validates_it():
    from blackouts import policy_input
    from blackouts.models import BlackoutPolicy
    from core.errors import Invalid

    bad = "( class equals 'EVENT'"
    with pytest.raises(Invalid) as wire:
        policy_input.clean_policy({"selector_criteria": bad}, skip={"name", "execution_order", "timeframe"})
    report = _import("blackouts.BlackoutPolicy", _policy_rows(selector_criteria=bad), fmt="json")
    assert report.refused == 1 and not BlackoutPolicy.objects.exists()
    refusal = report.refusals[0]
    assert (refusal.line, refusal.column) == (1, "selector_criteria")
    assert refusal.reason == wire.value.message
    bad_time = _import("blackouts.BlackoutPolicy", _policy_rows(timeframe={"startDate": "x"}), fmt="json")
    assert bad_time.refused == 1 and bad_time.refusals[0].column == "timeframe"
    good = _import("blackouts.BlackoutPolicy", _policy_rows(), fmt="json")
    assert good.created == 1, list(good.lines())
    assert BlackoutPolicy.objects.get().timeframe["endsOn"] == {"never": True}


@pytest.mark.django_db
def test_an_active_policy_is_not_changed_by_an_import(client):
    from blackouts.models import BlackoutPolicy

    always = {
        "startDate": "01012020",
        "startTime": "00:00",
        "endTime": "23:59",
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
    }
    assert _import("blackouts.BlackoutPolicy", _policy_rows(enabled=True, timeframe=always), fmt="json").created == 1
    report = _import(
        "blackouts.BlackoutPolicy", _policy_rows(enabled=True, timeframe=always, description="new"), fmt="json"
    )
    assert report.refused == 1 and report.refusals[0].reason == "Failed to update, policy is in active state"
    assert BlackoutPolicy.objects.get().description == ""


# --- Hostile files ---------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_wrong_encoding_is_refused_with_its_line():
    report = _import("enrollments.Premise", "cis_premise_id,city\nP-1,Zürich\n".encode("latin-1"))
    assert report.file_error and "not UTF-8" in report.file_error and "line 2" in report.file_error
    assert not Premise.objects.exists()


@pytest.mark.django_db
def test_a_bom_and_the_exports_headers_are_read():
    report = _import("enrollments.Premise", "\ufeffPremise,City\nP-1,Springfield\n".encode())
    assert report.created == 1, list(report.lines())


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_formula_is_kept_as_text_never_evaluated(fmt):
    formula = '=HYPERLINK("http://evil.example","x")'
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows([["cis_premise_id", "address1", "address2"], ["P-1", formula, "'=1+1"]])
        content = buffer.getvalue().encode()
    else:
        workbook = openpyxl.Workbook()
        workbook.active.append(["cis_premise_id", "address1", "address2"])
        workbook.active.append(["P-1", formula, "'=1+1"])
        out = io.BytesIO()
        workbook.save(out)
        content = out.getvalue()
    assert _import("enrollments.Premise", content, fmt=fmt).created == 1
    premise = Premise.objects.get()
    # Stored as the text it is; an exported, neutralised "'=1+1" comes back as the "=1+1" that was exported.
    assert (premise.address1, premise.address2) == (formula, "=1+1")


@pytest.mark.django_db
def test_ten_thousand_columns_are_refused():
    header = ",".join(["cis_premise_id"] + [f"c{i}" for i in range(10_000)])
    report = _import("enrollments.Premise", header + "\n")
    assert "10,001 columns" in report.file_error


@pytest.mark.django_db
def test_unknown_or_duplicated_columns_are_refused():
    assert "Unknown column 'colour'" in _import("enrollments.Premise", "cis_premise_id,colour\n").file_error
    assert "appears twice" in _import("enrollments.Premise", "cis_premise_id,city,City\n").file_error


class _Endless(io.RawIOBase):
    """A 1 GB file that is never on disk: generated as it is read, counting what was read."""

    def __init__(self, size: int, head: bytes, line: bytes):
        self.size, self.head, self.line, self.read_bytes = size, head, line, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        if self.read_bytes >= self.size:
            return 0
        chunk = (self.head if self.read_bytes == 0 else b"") + self.line * (len(buffer) // len(self.line))
        chunk = chunk[: min(len(buffer), self.size - self.read_bytes)]
        buffer[: len(chunk)] = chunk
        self.read_bytes += len(chunk)
        return len(chunk)


def test_a_one_gigabyte_file_is_streamed_not_read_whole():
    source = _Endless(1 << 30, b"cis_premise_id,city\n", b"P-0000000001,Springfield\n")
    rows = readers.read_rows(io.BufferedReader(source), "csv", allowed=["cis_premise_id", "city"], headers={})
    first = [next(rows) for _ in range(1000)]
    assert first[0] == (2, {"cis_premise_id": "P-0000000001", "city": "Springfield"})
    assert source.read_bytes <= 2 * (1 << 20), "only what the first rows need is read"


@pytest.mark.django_db
def test_a_one_gigabyte_file_with_a_bad_header_is_refused_at_once():
    source = _Endless(1 << 30, b"nonsense\n", b"x\n")
    report = run_import(specs.get_spec("enrollments.Premise"), io.BufferedReader(source), fmt="csv")
    assert "Unknown column" in report.file_error and source.read_bytes <= 2 * (1 << 20)


def _xlsx(rows, *, dimension: str | None = None, extra: dict | None = None) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    if dimension is None and not extra:
        return out.getvalue()
    rebuilt = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as source,
        zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if dimension and item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index("<dimension ref=")
                end = text.index("/>", start)
                data = (text[:start] + f'<dimension ref="{dimension}"' + text[end:]).encode()
            target.writestr(item, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return rebuilt.getvalue()


@pytest.mark.django_db
def test_an_xlsx_bomb_is_refused():
    huge_sheet = _xlsx([["cis_premise_id"], ["P-1"]], dimension="A1:NTP1048576")
    assert "columns" in _import("enrollments.Premise", huge_sheet, fmt="xlsx").file_error
    many_rows = _xlsx([["cis_premise_id"], ["P-1"]], dimension="A1:A99999999")
    assert "rows" in _import("enrollments.Premise", many_rows, fmt="xlsx").file_error
    bomb = _xlsx([["cis_premise_id"], ["P-1"]], extra={"xl/sharedStrings2.xml": b"<si>" + b"a" * (40 << 20)})
    assert "zip bomb" in _import("enrollments.Premise", bomb, fmt="xlsx").file_error
    assert "not a zip" in _import("enrollments.Premise", b"PK not really", fmt="xlsx").file_error
    assert not Premise.objects.exists()


@pytest.mark.django_db
def test_json_and_json_lines_refuse_what_is_not_rows():
    assert "Not a JSON array" in _import("enrollments.Premise", '{"cis_premise_id": "P-1"}', fmt="json").file_error
    report = _import("enrollments.Premise", '{"cis_premise_id": "P-1"}\n[1]\n{"colour": 1}\nnot json\n', fmt="jsonl")
    assert not report.applied and [r.line for r in report.refusals] == [2, 3, 4]
    assert "unknown key 'colour'" in report.refusals[1].reason


@pytest.mark.django_db
def test_duplicate_natural_keys_across_batches_are_found(settings):
    spec = specs.get_spec("enrollments.Customer")
    rows = "".join(f"A-{i},,Name {i}\n" for i in range(2500)) + "A-7,,Again\n"
    report = run_import(spec, io.BytesIO(("cis_account_id,cis_person_id,name\n" + rows).encode()), fmt="csv")
    assert report.refused == 1 and report.refusals[0].line == 2502
    assert "line 9" in report.refusals[0].reason
    assert Customer.objects.count() == 0


# --- The command -----------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_command_prints_the_report_and_fails_on_refused_rows(tmp_path):
    good = tmp_path / "premises.csv"
    good.write_text(PREMISES)
    out = io.StringIO()
    call_command("import_records", "enrollments.Premise", str(good), "--no-progress", "--dry-run", stdout=out)
    assert "Dry run, nothing written. 2 rows: 2 to create" in out.getvalue() and not Premise.objects.exists()
    call_command("import_records", "enrollments.premise", str(good), "--no-progress", stdout=out)
    assert Premise.objects.count() == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"cis_premise_id": "P-9", "state": "TOOLONGSTATE"}\n')
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 rows refused"):
        call_command("import_records", "enrollments.Premise", str(bad), "--no-progress", stdout=out)
    assert "line 1, column state" in out.getvalue()
    with pytest.raises(CommandError, match="cannot be imported"):
        call_command("import_records", "enrollments.Enrollment", str(good), "--no-progress")


@pytest.mark.django_db
def test_the_seen_keys_table_is_gone_after_an_import():
    _import("enrollments.Premise", PREMISES)
    tables = connection.introspection.table_names()
    assert not [t for t in tables if t.startswith("import_seen_") or t.startswith("import_stage_")]


@pytest.mark.django_db
def test_a_huge_cell_is_refused_and_the_csv_module_is_left_as_it_was():
    limit = csv.field_size_limit()
    report = _import(
        "enrollments.Premise", "cis_premise_id,address1\nP-1," + "x" * 120_000 + "\nP-2,ok\n", apply_valid=True
    )
    assert csv.field_size_limit() == limit
    assert report.created == 1 and report.refusals[0].line == 2 and "longer than" in report.refusals[0].reason


@pytest.mark.django_db
def test_an_applied_import_records_one_change_with_its_counts_and_a_dry_run_none():
    from core.changes.models import Change

    spec = specs.get_spec("outages.ExternalSystem")
    data = b"name,description,is_active\nIMPORTED-1,one,true\nIMPORTED-2,two,true\n"
    run_import(spec, io.BytesIO(data), fmt="csv", dry_run=True)
    assert not Change.objects.filter(action="imported").exists()
    report = run_import(spec, io.BytesIO(data), fmt="csv")
    assert report.applied and report.created == 2
    change = Change.objects.get(action="imported")
    assert change.object_type == "outages.externalsystem" and change.counts["created"] == 2
    run_import(spec, io.BytesIO(data), fmt="csv")  # all unchanged: nothing recorded
    assert Change.objects.filter(action="imported").count() == 1
