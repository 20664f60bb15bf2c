"""A time bound on every query that evaluates criteria (blackouts: window start and end, the preview; a pattern's
check in the database): :func:`bounded`.

The repetition budget (``regex.MAX_REPETITION``) keeps each pattern cheap per row; this keeps a whole query
bounded whatever the size of the table. On PostgreSQL the block runs in a savepoint with
``SET LOCAL statement_timeout`` (``set_config(..., true)``), set back when the block ends; a cancelled statement
rolls the savepoint back (the transaction stays usable) and becomes :class:`core.errors.Invalid`
``blackouts.criteria_timeout`` on ``selector_criteria``. On SQLite (the development database) the ``matches``
function (RE2, run from Python) stops the statement once the same time has passed; the rest of a statement is not
bounded there (linear scans of a small table). Settings (0: no bound): ``CRITERIA_STATEMENT_TIMEOUT_MS`` for what a
person waits for (a preview, a pattern's check), ``CRITERIA_WINDOW_TIMEOUT_MS`` for a window edge's statements
(``bounded(window_timeout_ms())``): a window start over 10,000,000 events updates a million of them, which takes
tens of seconds and must not be mistaken for a pathological criteria.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from core.errors import Invalid

DEFAULT_TIMEOUT_MS = 10_000
DEFAULT_WINDOW_TIMEOUT_MS = 300_000
TIMEOUT = "blackouts.criteria_timeout"
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled (statement_timeout among others)


def timeout_ms() -> int:
    return int(getattr(settings, "CRITERIA_STATEMENT_TIMEOUT_MS", DEFAULT_TIMEOUT_MS))


def window_timeout_ms() -> int:
    return int(getattr(settings, "CRITERIA_WINDOW_TIMEOUT_MS", DEFAULT_WINDOW_TIMEOUT_MS))


def too_slow(ms: int) -> Invalid:
    return Invalid(
        f"eventSelectorCriteria took longer than {ms:,} ms to evaluate and was stopped: use fewer or simpler "
        "matches patterns, or narrow the criteria with an equals or within first",
        code=TIMEOUT,
        field="selector_criteria",
        timeout_ms=ms,
    )


def is_timeout(exc: BaseException) -> bool:
    """Was this database error the bound stopping a statement?"""
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) == _QUERY_CANCELED or getattr(cause, "pgcode", None) == _QUERY_CANCELED:
        return True
    return connection.vendor == "sqlite" and DEADLINE.passed


@contextmanager
def bounded(ms: int | None = None) -> Iterator[None]:
    """Run the block's queries under ``ms`` (default: ``CRITERIA_STATEMENT_TIMEOUT_MS``); a statement stopped by it
    raises ``blackouts.criteria_timeout``. Nested blocks share the outer bound."""
    ms = timeout_ms() if ms is None else ms
    if ms <= 0 or getattr(connection, "_criteria_bounded", False) or connection.vendor not in ("postgresql", "sqlite"):
        yield
        return
    # PostgreSQL: a savepoint, so that a cancelled statement leaves the transaction usable. SQLite's failed
    # statement does not abort its transaction; a savepoint there only where one is open already (a BEGIN of our
    # own would be IMMEDIATE: the write lock, for a read).
    savepoint = connection.vendor == "postgresql" or connection.in_atomic_block
    connection._criteria_bounded = True
    try:
        with transaction.atomic() if savepoint else nullcontext():
            if connection.vendor == "postgresql":
                yield from _postgresql(ms)
            else:
                yield from _sqlite(ms)
    except DatabaseError as exc:
        if is_timeout(exc):
            raise too_slow(ms) from None
        raise
    finally:
        connection._criteria_bounded = False


def _postgresql(ms: int) -> Iterator[None]:
    # One round trip: PostgreSQL evaluates a target list in order, so the current value is read before it is set.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'), set_config('statement_timeout', %s, true)", [f"{ms}ms"]
        )
        previous = cursor.fetchone()[0]
    yield
    with connection.cursor() as cursor:  # not reached when a statement failed: the savepoint's rollback undoes it
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])


class _Deadline(threading.local):
    at: float | None = None
    passed = False


DEADLINE = _Deadline()


def check_deadline() -> None:
    """Called by SQLite's ``matches`` function for each value: past the block's deadline, stop the statement (an
    error raised in a function fails the statement only; an interrupt, ``set_progress_handler``, would roll back
    the whole transaction of a write)."""
    if DEADLINE.at is not None and time.monotonic() > DEADLINE.at:
        DEADLINE.passed = True
        raise TimeoutError("criteria statement timeout")


def _sqlite(ms: int) -> Iterator[None]:
    DEADLINE.at, DEADLINE.passed = time.monotonic() + ms / 1000, False
    try:
        yield
    finally:
        DEADLINE.at = None
