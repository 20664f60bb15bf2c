"""Streaming exports of an analyst list (``core/lists/specs.py``): CSV, JSON (array), JSON Lines and XLSX, flat memory.

Rows come from ``queryset.values_list(...).iterator(chunk_size=...)`` (a server-side cursor on PostgreSQL), are
converted column by column with a converter chosen once per column, and are written in batches. No model instance
and no serializer is built per row, which is what keeps a million rows fast and flat. Pages use the same row
builder (:func:`json_rows`) on one page of rows, so a page row and an export row are the same object.

A column here is anything with ``name``, ``header`` and ``lookup`` (a :class:`core.lists.specs.Column`).
"""

import csv
import functools
import io
import itertools
import json
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.db import models

from .cells import CSV_UNSAFE, XLSX_UNSAFE, cell_text, final_field, neutralise

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "jsonl": ("application/x-ndjson", "jsonl"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
CHUNK_SIZE = 5000
BATCH_ROWS = 1000


def iso_utc(value: datetime) -> str:
    if value.tzinfo is None:
        return value.isoformat()
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- Column conversion ---------------------------------------------------------------------------
def _text_converter(value, unsafe=CSV_UNSAFE):
    return "" if value is None else cell_text(value, unsafe)


def _datetime_converter(value):
    return "" if value is None else iso_utc(value)


def _date_converter(value):
    return "" if value is None else value.isoformat()


def _bool_converter(value):
    return "" if value is None else ("true" if value else "false")


def _plain_converter(value):
    return "" if value is None else value


def _generic_converter(value, unsafe=CSV_UNSAFE):
    if value is None:
        return ""
    if isinstance(value, str):
        return cell_text(value, unsafe)
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return neutralise(json.dumps(value, default=str))
    if isinstance(value, int | float | Decimal):
        return value
    return cell_text(str(value), unsafe)  # UUIDs, durations, anything else: as text


def _identity(value):
    return value


def _json_datetime(value):
    return iso_utc(value)


def _json_date(value):
    return value.isoformat()


def _json_generic(value):
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str | int | float | bool | dict | list):
        return value
    return str(value)  # UUIDs, durations: as text, as DRF renders them


def converters_for(model, columns: list, *, spreadsheet: bool = True, xlsx: bool = False) -> list[Callable]:
    """One converter per column, chosen once from the model field's type (no per-cell type dispatch).

    ``spreadsheet`` converters (CSV, XLSX) escape what the file cannot hold (:func:`cell_text`; ``xlsx``: what an
    XLSX cell cannot hold) and neutralise formula-like text; JSON ones keep text and types as they are (and are
    never called on ``None``).
    """
    _text = functools.partial(_text_converter, unsafe=XLSX_UNSAFE) if xlsx else _text_converter
    _generic = functools.partial(_generic_converter, unsafe=XLSX_UNSAFE) if xlsx else _generic_converter
    out = []
    for column in columns:
        f = final_field(model, column.lookup)
        if isinstance(f, models.DateTimeField):
            out.append(_datetime_converter if spreadsheet else _json_datetime)
        elif isinstance(f, models.DateField):
            out.append(_date_converter if spreadsheet else _json_date)
        elif isinstance(f, models.BooleanField):
            out.append(_bool_converter if spreadsheet else _identity)
        elif isinstance(f, models.CharField | models.TextField):
            out.append(_text if spreadsheet else _identity)
        elif isinstance(f, models.IntegerField | models.AutoField | models.FloatField):
            out.append(_plain_converter if spreadsheet else _identity)
        else:
            out.append(_generic if spreadsheet else _json_generic)
    return out


def iter_rows(queryset, columns: list, *, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple]:
    """Raw value tuples from a server-side cursor (PostgreSQL) or chunked fetches (SQLite)."""
    return queryset.values_list(*[c.lookup for c in columns]).iterator(chunk_size=chunk_size)


def json_rows(source, columns: list, *, model=None) -> Iterator[dict]:
    """``{column name: JSON value}`` per row. ``source`` is a queryset (streamed) or, with ``model``, an iterable
    of value tuples already fetched (one page)."""
    if model is None:
        model = source.model
        source = iter_rows(source, columns)
    convert = converters_for(model, columns, spreadsheet=False)
    names = [c.name for c in columns]
    for row in source:
        yield {
            name: (None if value is None else fn(value)) for name, fn, value in zip(names, convert, row, strict=True)
        }


# --- Writers ---------------------------------------------------------------------------------------
def stream_csv(queryset, columns: list, *, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The CSV as text: by ``COPY`` on PostgreSQL when SQL renders every column exactly (the same text,
    ``core/lists/copy_csv.py``), else converted here (:func:`stream_csv_python`)."""
    chunks = csv_chunks(queryset, columns, progress=progress)
    return (chunk.decode() if isinstance(chunk, bytes) else chunk for chunk in chunks)


def csv_chunks(queryset, columns: list, *, progress: Callable[[int], None] | None = None) -> Iterator[bytes | str]:
    """The CSV in chunks: bytes from PostgreSQL's ``COPY`` when it can write it, else text from Python."""
    from . import copy_csv

    statement = copy_csv.plan(queryset, columns)
    if statement is None:
        return stream_csv_python(queryset, columns, progress=progress)
    return copy_csv.stream(queryset, columns, statement, progress=progress)


def stream_csv_python(queryset, columns: list, *, progress: Callable[[int], None] | None = None) -> Iterator[str]:
    """The CSV converted cell by cell in Python (SQLite, and what ``COPY`` cannot render exactly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([cell_text(c.header) for c in columns])
    convert = converters_for(queryset.model, columns)
    pairs = list(enumerate(convert))
    batch = []
    done = 0
    for row in iter_rows(queryset, columns):
        batch.append([fn(row[i]) for i, fn in pairs])
        if len(batch) >= BATCH_ROWS:
            writer.writerows(batch)
            done += len(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if progress:
                progress(done)
    writer.writerows(batch)
    done += len(batch)
    yield buffer.getvalue()
    if progress:
        progress(done)


def stream_jsonl(queryset, columns, *, progress=None) -> Iterator[str]:
    lines = []
    done = 0
    for obj in json_rows(queryset, columns):
        lines.append(json.dumps(obj, default=str))
        if len(lines) >= BATCH_ROWS:
            done += len(lines)
            yield "\n".join(lines) + "\n"
            lines.clear()
            if progress:
                progress(done)
    if lines:
        done += len(lines)
        yield "\n".join(lines) + "\n"
    if progress:
        progress(done)


def stream_json(queryset, columns, *, progress=None) -> Iterator[str]:
    """One JSON array, streamed element by element (the ``[`` goes out with the first rows, never alone)."""
    first = True
    for chunk in stream_jsonl(queryset, columns, progress=progress):
        body = ",\n".join(chunk.rstrip("\n").split("\n"))
        yield ("[" + body) if first else (",\n" + body)
        first = False
    yield "[]\n" if first else "]\n"


def write_xlsx(queryset, columns, target, *, progress=None, title: str = "export") -> None:
    """Write an XLSX with openpyxl's write-only (constant-memory) workbook; what a cell cannot hold is escaped."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "export")
    sheet.append([cell_text(c.header, XLSX_UNSAFE) for c in columns])
    convert = converters_for(queryset.model, columns, xlsx=True)
    done = 0
    for row in iter_rows(queryset, columns):
        sheet.append([fn(v) for fn, v in zip(convert, row, strict=True)])
        done += 1
        if progress and done % BATCH_ROWS == 0:
            progress(done)
    workbook.save(target)
    if progress:
        progress(done)


STREAMERS = {"csv": stream_csv, "json": stream_json, "jsonl": stream_jsonl}


def streaming_response(queryset, columns, fmt: str, filename: str):
    """A ``StreamingHttpResponse`` (CSV/JSON/JSONL) or a ``FileResponse`` over a temp file (XLSX)."""
    from django.http import FileResponse, StreamingHttpResponse

    content_type, extension = FORMATS[fmt]
    name = f"{filename}.{extension}"
    if fmt == "xlsx":
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
        write_xlsx(queryset, columns, spool, title=filename)
        spool.seek(0)
        return FileResponse(spool, as_attachment=True, filename=name, content_type=content_type)
    # Produce the first chunk (the header and the first batch of rows) before answering: a row the database cannot
    # read is then an error response, not a "200" whose body stops after a few bytes.
    chunks = iter(csv_chunks(queryset, columns) if fmt == "csv" else STREAMERS[fmt](queryset, columns))
    head = next(chunks, "")
    response = StreamingHttpResponse(itertools.chain([head], chunks), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
