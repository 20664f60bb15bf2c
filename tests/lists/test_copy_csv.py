"""The CSV export by ``COPY`` on PostgreSQL (``core/lists/copy_csv.py``) writes the very bytes of the Python writer.

Over every registered analyst list: the demo data, then awkward values written behind every door (``update()``) into
the first rows: formula triggers (full-width ones too, after whitespace, NBSP, BOM, zero-width spaces or newlines),
quotes, commas, CR/LF, empty text, unicode, NULLs, date-times near midnight (with and without microseconds, and given
in a zone other than UTC) with a site time zone other than UTC. The CSV by COPY and the CSV by Python must
be byte-identical, for all the list's columns and for those SQL renders (a list with a JSON column goes to Python
whole: that is checked too).
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from core.lists import cells, copy_csv, specs, writers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TEXTS = [
    "=1+1",
    "+1 555",
    "-2",
    "@SUM(A1)",
    "\tTab",
    "\rCR",
    "\uff1d1+1",
    "\uff0bx",
    "\uff0dx",
    "\uff20x",
    " =1",
    "\u00a0\u200b=1",
    "\ufeff@x",
    "\n\n=x",
    "\u3000\uff0b1",
    " \t ",
    "a\nb",
    "x\r\ny",
    'quote"d',
    '"',
    "comma,here",
    "",
    "  plain",
    "ünïcødé ✓ 𝄞",
    "'already",
    "\\.",
    "-",
]
CHICAGO = timezone(timedelta(hours=-6))
DATETIMES = [
    datetime(2025, 3, 30, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(2025, 1, 1, 0, 0, 0, tzinfo=UTC),
    datetime(2025, 12, 31, 23, 30, 0, 5, tzinfo=CHICAGO),  # the next day in UTC
    datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    None,
]
DATES = [date(2025, 2, 28), date(1, 1, 1), None]
BOOLS = [True, False, None]
LISTS = sorted(specs.REGISTRY)


def _value(field, i: int, pk):
    if isinstance(field, models.DateTimeField):
        return DATETIMES[i % len(DATETIMES)]
    if isinstance(field, models.DateField):
        return DATES[i % len(DATES)]
    if isinstance(field, models.BooleanField):
        return BOOLS[i % len(BOOLS)]
    if isinstance(field, models.CharField | models.TextField):
        text = TEXTS[i % len(TEXTS)]
        return text[: field.max_length] if field.max_length else text
    return ...


def _awkward(spec, rows: int = 40) -> None:
    """Awkward values in every writable column of the list's first ``rows`` rows (a value a constraint refuses is
    left out: the row keeps its own)."""
    pks = list(spec.base_queryset().values_list("pk", flat=True)[:rows])
    assert pks, f"{spec.key}: the demo data should fill every list"
    for i, pk in enumerate(pks):
        for j, column in enumerate(spec.columns):
            field = spec.final_field(column)
            if field is None or field.primary_key or not field.concrete or "__" in column.lookup:
                continue
            value = _value(field, i + j, pk)
            if value is ... or (value is None and not field.null):
                continue
            try:
                with transaction.atomic():
                    spec.model._default_manager.filter(pk=pk).update(**{field.name: value})
            except (DatabaseError, ValueError, TypeError):
                pass


def _both(queryset, columns) -> tuple[bytes | None, bytes]:
    python = "".join(writers.stream_csv_python(queryset, columns)).encode()
    statement = copy_csv.plan(queryset, columns)
    by_copy = None if statement is None else b"".join(copy_csv.stream(queryset, columns, statement))
    return by_copy, python


@pytest.mark.parametrize("key", LISTS)
def test_copy_writes_the_bytes_of_the_python_writer(key, demo_data, settings):
    settings.TIME_ZONE = "America/Chicago"  # the site's zone changes neither (the database session stays UTC)
    spec = specs.REGISTRY[key]
    _awkward(spec)
    queryset = spec.base_queryset()
    rendered = [c for c in spec.columns if copy_csv.column_kind(spec.model, c) is not None]
    by_copy, python = _both(queryset, rendered)
    assert by_copy is not None, f"{key}: COPY should write {[c.name for c in rendered]}"
    assert python.count(b"\r\n") > 1
    assert by_copy.split(b"\r\n") == python.split(b"\r\n")  # line by line: a difference shows
    assert by_copy == python
    whole_copy, whole_python = _both(queryset, list(spec.columns))
    if len(rendered) == len(spec.columns):
        assert whole_copy == whole_python
    else:  # a column SQL cannot render: the whole export is Python's
        assert whole_copy is None


def test_the_regular_expression_is_neutralise():
    """Every prefix ``neutralise()`` knows, against the pattern PostgreSQL matches."""
    samples = [*TEXTS, *(c + "x" for c in cells.IGNORED_PREFIX), *(c + "=" for c in cells.IGNORED_PREFIX)]
    samples += [p + t for p in cells.IGNORED_PREFIX for t in cells.FORMULA_TRIGGERS]
    with connection.cursor() as cursor:
        for text in samples:
            cursor.execute("SELECT %s ~ " + copy_csv._PATTERN_LITERAL, [text])
            assert cursor.fetchone()[0] == (writers.neutralise(text) != text), repr(text)


def test_the_api_csv_is_written_by_copy(demo_data, analyst_user):
    client = APIClient()
    client.force_authenticate(analyst_user)
    spec = specs.REGISTRY["outages.customers"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/{spec.path}/?format=csv")
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert any(q["sql"].startswith("COPY (") for q in queries.captured_queries)
    assert body == "".join(writers.stream_csv_python(spec.base_queryset(), list(spec.columns))).encode()


def test_a_job_writes_its_csv_by_copy(demo_data):
    spec = specs.REGISTRY["outages.customers"]
    with CaptureQueriesContext(connection) as queries:
        text = "".join(writers.stream_csv(spec.base_queryset(), list(spec.columns)))
    assert any(q["sql"].startswith("COPY (") for q in queries.captured_queries)
    assert text == "".join(writers.stream_csv_python(spec.base_queryset(), list(spec.columns)))
