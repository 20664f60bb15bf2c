"""The CSV export on PostgreSQL by ``COPY (…) TO STDOUT``: the same bytes as :func:`core.lists.writers.stream_csv`.

The list's query (``queryset.values_list(<columns>)``: its filters, joins, DISTINCT and ORDER BY as they are) becomes
a subquery; the outer ``SELECT`` turns each column into the text the Python writer would write, in SQL:

- date-times: UTC, ISO 8601 with a ``Z``, microseconds only when there are some (``iso_utc``);
- dates: ``YYYY-MM-DD``; booleans ``true``/``false``; whole numbers and UUIDs as PostgreSQL prints them;
- text: an apostrophe before a formula-like cell (``neutralise``: a trigger first, or after leading whitespace,
  zero-width characters and the like), as one anchored regular expression built from ``FORMULA_TRIGGERS`` and
  ``IGNORED_PREFIX`` (tried only on a cell whose first character is one of those). ``CSV_UNSAFE`` (lone
  surrogates) has nothing to escape: a UTF-8 database cannot hold one;
- an empty text and a null both as an empty field (``NULLIF``: PostgreSQL would quote an empty text), as
  ``csv.writer`` writes them.

PostgreSQL's CSV quoting is Python's ``QUOTE_MINIMAL`` (a field with a comma, a quote, CR or LF is quoted, quotes
doubled); its rows end in LF, one row per COPY message, so each row's LF becomes CRLF here. The header line is
written by Python's ``csv`` as before. Whatever SQL cannot render exactly (JSON, decimals, floats, durations...),
a single-column export (``csv`` quotes a lone empty field, PostgreSQL a lone ``\\.``), ``USE_TZ`` off or a
database not in UTF-8 leaves the whole export to the Python writer: :func:`plan` answers ``None``.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from contextlib import nullcontext, suppress

from django.conf import settings
from django.db import DatabaseError, connections, models

from .cells import FORMULA_TRIGGERS, IGNORED_PREFIX, cell_text, final_field

BATCH_ROWS = 2000  # rows joined into one chunk (about 100 KB for a list of a dozen columns)
SPOOL_BYTES = 8 * 1024 * 1024  # the COPY's output kept in memory up to this, then on disk


def _formula_pattern() -> str:
    """``neutralise()`` as an anchored regular expression: a trigger that is also skipped whitespace (tab, CR)
    first, or any number of skipped characters then another trigger ('-' last: in brackets it is itself)."""
    skipped_triggers = "".join(sorted(FORMULA_TRIGGERS & set(IGNORED_PREFIX)))
    triggers = "".join(sorted(FORMULA_TRIGGERS - set(IGNORED_PREFIX) - {"-"})) + "-"
    if any(char in "\\]^-'\0" for char in skipped_triggers + triggers[:-1] + IGNORED_PREFIX):
        raise ValueError("a character the formula pattern cannot hold as it is")
    return f"^(?:[{skipped_triggers}]|[{IGNORED_PREFIX}]*[{triggers}])"


FORMULA_PATTERN = _formula_pattern()
_PATTERN_LITERAL = "'" + FORMULA_PATTERN + "'"  # no quote, backslash or NUL in it (checked above)
# The first characters that may need the pattern (a cheap test first: most cells start with none of them).
_FIRST_CODES = ", ".join(str(code) for code in sorted(map(ord, FORMULA_TRIGGERS | set(IGNORED_PREFIX))))

# One SQL template per converter of ``writers.converters_for`` that SQL renders exactly; ``{c}`` is the column.
TEMPLATES = {
    "datetime": "replace(to_char(({c}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), '.000000Z', 'Z')",
    "date": "to_char({c}, 'YYYY-MM-DD')",
    "bool": "CASE {c} WHEN TRUE THEN 'true' WHEN FALSE THEN 'false' END",
    "plain": "({c})::text",
    "text": "NULLIF(CASE WHEN ascii({c}) IN ("
    + _FIRST_CODES
    + ") AND {c} ~ "
    + _PATTERN_LITERAL
    + " THEN '''' || {c} ELSE ({c})::text END, '')",
}


def column_kind(model, column) -> str | None:
    """Which template renders the column as ``converters_for`` does, or ``None`` if none does exactly (the checks
    are in ``converters_for``'s order)."""
    f = final_field(model, column.lookup)
    if isinstance(f, models.DateTimeField):
        return "datetime"
    if isinstance(f, models.DateField):
        return "date"
    if isinstance(f, models.BooleanField):
        return "bool"
    if isinstance(f, models.CharField | models.TextField):
        return "text"
    if isinstance(f, models.IntegerField | models.AutoField):
        return "plain"
    if isinstance(f, models.UUIDField):  # the generic converter's str(uuid): lower-case with hyphens, as ::text
        return "plain"
    return None  # floats (repr), decimals (exponents), JSON (json.dumps), durations...: the Python writer


def kinds(model, columns: list) -> list[str] | None:
    """The template of each column, or ``None`` when one column has none (decided once per list and columns)."""
    if len(columns) < 2:
        return None
    found = [column_kind(model, column) for column in columns]
    return None if None in found else found


def plan(queryset, columns: list) -> str | None:
    """The ``COPY`` statement that writes ``queryset``'s rows as the Python writer would, or ``None`` (the Python
    writer then). Connects to the queryset's database (a replica, when the router chose one)."""
    column_kinds = kinds(queryset.model, columns)
    connection = connections[queryset.db]
    if column_kinds is None or connection.vendor != "postgresql" or not settings.USE_TZ:
        return None
    connection.ensure_connection()
    if connection.connection.info.parameter_status("server_encoding") != "UTF8":
        return None
    sql, params = queryset.values_list(*[c.lookup for c in columns]).query.sql_with_params()
    inner = connection.ops.compose_sql(sql, params)  # COPY takes no parameters: bound here by psycopg
    names = [f"c{i}" for i in range(len(columns))]
    cells = ", ".join(
        TEMPLATES[kind].replace("{c}", f'"_q"."{name}"') for kind, name in zip(column_kinds, names, strict=True)
    )
    # Only the list's own query (bound by psycopg) and the fixed templates above: no request text is pasted in.
    select = f'SELECT {cells} FROM ({inner}) AS "_q"({", ".join(names)})'  # noqa: S608
    return f"COPY ({select}) TO STDOUT WITH (FORMAT csv)"


def header(columns: list) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([cell_text(c.header) for c in columns])
    return buffer.getvalue().encode()


def stream(
    queryset, columns: list, statement: str, *, progress: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The CSV (header then rows, CRLF line ends) from ``statement`` (:func:`plan`), bytes in chunks of
    ``BATCH_ROWS`` rows.

    The whole COPY runs on the first ``next()`` into a spooled temporary file (memory up to ``SPOOL_BYTES``, then
    disk): psycopg holds the connection for as long as a COPY runs, so no other query (``progress`` writing a job's
    heartbeat, a middleware after the view) may come while one is open; and a failing query fails before the first
    byte is answered. Chunks then come from the file, ``progress`` told after each."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed below
    try:
        batches = _copy_into(connections[queryset.db], statement, spool)
        spool.seek(0)
        head = header(columns)
        done = 0
        for rows, size in batches:
            done += rows
            yield head + spool.read(size)
            head = b""
            if progress:
                progress(done)
        if head:
            yield head
            if progress:
                progress(0)
    finally:
        spool.close()


def _copy_into(connection, statement: str, spool) -> list[tuple[int, int]]:
    """Run the COPY, writing its rows (LF made CRLF) to ``spool``; returns (rows, bytes) of each batch written."""
    batches = []
    with connection.cursor() as cursor:
        # JIT compiling the cell expressions costs more than it saves on an export (measured: a third of 100,000
        # rows' time); the session's own setting comes back after.
        cursor.execute("SELECT set_config('jit', 'off', false)")
        try:
            _copy_rows(cursor, statement, spool, batches)
        finally:
            with suppress(DatabaseError):  # a failed COPY in a transaction: its rollback undoes the setting anyway
                cursor.execute("RESET jit")
    return batches


def _copy_rows(cursor, statement: str, spool, batches: list) -> None:
    debug = getattr(cursor, "debug_sql", None)  # CaptureQueriesContext, DEBUG: the COPY is logged
    with debug(statement) if debug else nullcontext(), cursor.cursor.copy(statement) as copy:
        read = copy.read
        rows = []
        while data := read():
            rows.append(data[:-1])  # one row a message, ending in LF (csv.writer's rows end in CRLF)
            if len(rows) >= BATCH_ROWS:
                rows.append(b"")
                batches.append((len(rows) - 1, spool.write(b"\r\n".join(rows))))
                rows.clear()
        if rows:
            rows.append(b"")
            batches.append((len(rows) - 1, spool.write(b"\r\n".join(rows))))
