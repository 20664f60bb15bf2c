"""Issue 21, finding 6: a value that a spreadsheet cannot hold, stored behind the door (a legacy row, an import
of old, a raw request body that was refused), must never break an export.

Generated over every registered analyst list (``core/lists/specs.py``): one row of the demo data gets a control
character in every text column (and, where the database can hold it, a lone surrogate in every JSON column), then the
list is exported as XLSX, CSV and JSON Lines through the analyst API and as XLSX and CSV by a background job. Each
answers 200 with a file its reader opens, and the XLSX cell shows the character as a visible ``\\uXXXX`` escape.
"""

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.db import DataError, connection, models, transaction
from rest_framework.test import APIClient

from config.api_urls import router
from core.lists import jobs
from core.lists.models import ExportJob

csv.field_size_limit(2**31 - 1)
ROUTES = [(prefix, viewset.spec) for prefix, viewset, _basename in router.registry]
IDS = [prefix for prefix, _ in ROUTES]
BELL = "\x07"
SURROGATE = "\ud800"


@pytest.fixture
def analyst(demo_data, db, analyst_user):
    client = APIClient()
    client.force_authenticate(analyst_user)
    return client


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _poison_first_row(spec) -> int:
    """Write control characters (and lone surrogates where the database can store them) into the text and JSON
    columns of the list's first row, behind every door (``update()``, as a legacy row). Returns how many cells."""
    first = spec.base_queryset().values_list("pk", flat=True).first()
    assert first is not None, f"{spec.key}: the demo data should fill every list"
    poisoned = 0
    for column in spec.columns:
        field = spec.final_field(column)
        if field is None or field.primary_key or not field.concrete:
            continue
        parts = column.lookup.split("__")
        owner_pk = first
        if len(parts) > 1:
            owner_pk = spec.base_queryset().filter(pk=first).values_list("__".join([*parts[:-1], "pk"]), flat=True)[0]
            if owner_pk is None:
                continue
        owner = field.model._default_manager.filter(pk=owner_pk)
        if isinstance(field, models.CharField | models.TextField):
            value = f"{BELL}\x1b{owner_pk}"[: field.max_length or None]
        elif isinstance(field, models.JSONField):
            value = f"{SURROGATE}{BELL}"
        else:
            continue
        try:
            with transaction.atomic():
                owner.update(**{field.name: value})
        except DataError:
            if not isinstance(field, models.JSONField):
                raise
            owner.update(**{field.name: f"{BELL}\x1b"})  # PostgreSQL's jsonb cannot hold a lone surrogate
        poisoned += 1
    return poisoned


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_every_list_exports_cells_a_spreadsheet_cannot_hold(analyst, prefix, spec, tmp_path):
    assert _poison_first_row(spec) > 0, f"{spec.key}: no text column to check"
    total = spec.base_queryset().count()

    response = analyst.get(f"/api/{prefix}/?format=xlsx")
    assert response.status_code == 200
    path = tmp_path / "list.xlsx"
    path.write_bytes(_content(response))
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == total + 1
    cells = [cell for row in rows for cell in row if isinstance(cell, str)]
    assert any("\\u0007" in cell for cell in cells), "the bell is shown as a visible escape"
    assert not any(BELL in cell for cell in cells)

    response = analyst.get(f"/api/{prefix}/?format=csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(_content(response).decode("utf-8"))))
    assert len(table) == total + 1

    response = analyst.get(f"/api/{prefix}/?format=jsonl")
    assert response.status_code == 200
    lines = [json.loads(line) for line in _content(response).decode("utf-8").splitlines()]
    assert len(lines) == total
    kept = [value for line in lines for value in line.values() if isinstance(value, str) and BELL in value]
    assert kept, "JSON keeps the value as stored"


@pytest.mark.parametrize(("prefix", "spec"), ROUTES, ids=IDS)
def test_every_background_export_writes_cells_a_spreadsheet_cannot_hold(
    analyst, superuser, settings, tmp_path, prefix, spec
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    _poison_first_row(spec)
    for fmt in ("xlsx", "csv"):
        job = jobs.export_job_create(user=superuser, list_key=spec.key, query="", fmt=fmt)
        jobs.export_job_run(job_id=job.pk)
        job.refresh_from_db()
        assert job.status == ExportJob.Status.DONE, job.error
        path = Path(job.file.path)
        if fmt == "xlsx":
            rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
        else:
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        assert len(rows) == job.rows_total + 1


def test_a_lone_surrogate_is_escaped_where_the_database_holds_one(analyst, tmp_path):
    """SQLite keeps a JSON string with a lone surrogate (PostgreSQL's jsonb refuses it at the write)."""
    from blackouts.models import Event

    event = Event.objects.order_by("pk").first()
    try:
        with transaction.atomic():
            Event.objects.filter(pk=event.pk).update(slots=f"{SURROGATE}x")
    except DataError:  # refused at the write: nothing stored can break the export
        assert connection.vendor == "postgresql"
        return
    for fmt in ("xlsx", "csv"):
        response = analyst.get(f"/api/blackouts/events/?format={fmt}&fields=id,slots")
        assert response.status_code == 200
        body = _content(response)
        if fmt == "csv":
            assert "\\ud800x" in body.decode("utf-8")
        else:
            path = tmp_path / "events.xlsx"
            path.write_bytes(body)
            cells = [r[1] for r in openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
            assert "\\ud800x" in cells


@pytest.mark.parametrize(
    ("text", "xlsx", "csv_"),
    [
        ("bell\x07", "bell\\u0007", "bell\x07"),
        ("\x00\x08\x0b\x0c\x0e\x1f", "\\u0000\\u0008\\u000b\\u000c\\u000e\\u001f", "\x00\x08\x0b\x0c\x0e\x1f"),
        ("keep\ttab\nLF\rCR", "keep\ttab\nLF\rCR", "keep\ttab\nLF\rCR"),
        ("\ufffe\uffff", "\\ufffe\\uffff", "\ufffe\uffff"),
        ("lone \ud800 \udfff", "lone \\ud800 \\udfff", "lone \\ud800 \\udfff"),
        ("\x07=1+1", "\\u0007=1+1", "\x07=1+1"),
    ],
)
def test_cell_text_escapes_what_the_file_cannot_hold(text, xlsx, csv_, tmp_path):
    from openpyxl import Workbook

    from core.lists.writers import XLSX_UNSAFE, cell_text

    assert cell_text(text, XLSX_UNSAFE) == xlsx
    assert cell_text(text) == csv_
    workbook = Workbook(write_only=True)
    workbook.create_sheet().append([cell_text(text, XLSX_UNSAFE)])
    workbook.save(tmp_path / "one.xlsx")
    shown = openpyxl.load_workbook(tmp_path / "one.xlsx").active["A1"].value
    assert shown == xlsx.replace("\r", "\n")  # XML reads a CR as a line end: what any XLSX reader shows
