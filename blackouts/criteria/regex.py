"""Regular expressions of the ``matches`` operator: one dialect that RE2 and PostgreSQL read the same way.

A pattern is run by two engines: RE2 (``google-re2``, linear time, no backtracking blow-up) for the Python
predicate at ingest and for SQLite's ``REGEXP``, and PostgreSQL's own engine (``~``) for the set-based window
edges. A pattern is accepted only when both take it and read it alike:

- at most ``MAX_PATTERN`` characters; RE2 must compile it (so no backreferences, lookarounds, possessive
  quantifiers, unknown POSIX classes);
- a conservative refusal of what PostgreSQL refuses or reads differently, checked on every backend so a
  pattern accepted on a developer's SQLite is accepted in production: groups other than ``(...)`` and
  ``(?:...)`` (flags, named groups, comments), repetition bounds over 255 (PostgreSQL's limit) or malformed
  (``{,3}``, ``a{2``), escapes other than ``\\d \\D \\s \\S \\w \\W \\n \\t \\r \\f \\v`` and escaped punctuation
  (``\\b`` is a backspace in PostgreSQL, ``\\x41`` reads a different number of digits, ``\\1`` is a backreference),
  POSIX classes other than the twelve classic ones, collating elements ``[[.x.]]`` and equivalence classes
  ``[[=x=]]``;
- on PostgreSQL, the database itself must compile it (``SELECT '' ~ %s`` in a savepoint):
  :func:`check_in_database`.

Both engines run in the same mode: ``.`` and ``[^...]`` match a newline, ``^``/``$`` anchor the whole value.
The value a pattern is run against is its first ``MAX_SUBJECT`` characters (in SQL and in Python alike).
"""

import re

import re2
from django.db import DatabaseError, connection, transaction

from core.errors import Invalid

MAX_PATTERN = 512
MAX_SUBJECT = 4000
PG_MAX_REPEAT = 255
POSIX_CLASSES = {
    "alnum",
    "alpha",
    "blank",
    "cntrl",
    "digit",
    "graph",
    "lower",
    "print",
    "punct",
    "space",
    "upper",
    "xdigit",
}
_SAFE_ESCAPES = set("dDsSwWntrfv")

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is a 400, not a line on stderr
_OPTIONS.dot_nl = True  # as PostgreSQL's default (non newline-sensitive) mode
_OPTIONS.max_mem = 8 << 20


def invalid_pattern(pattern: str, reason: str) -> Invalid:
    shown = pattern if len(pattern) <= 80 else pattern[:77] + "..."
    return Invalid(
        f"Invalid regular expression '{shown}': {reason}",
        code="blackouts.invalid_pattern",
        field="selector_criteria",
        pattern=pattern,
    )


def _portability_problem(pattern: str) -> str | None:
    """Why PostgreSQL would refuse ``pattern`` or read it differently from RE2; None if it reads the same."""
    i, in_class, class_start = 0, False, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            nxt = pattern[i + 1 : i + 2]
            if nxt and (nxt in _SAFE_ESCAPES or not nxt.isalnum()):
                i += 2
                continue
            return f"the escape \\{nxt} is not read the same way by every engine"
        if in_class:
            if pattern.startswith("[:", i):
                end = pattern.find(":]", i + 2)
                if end < 0 or pattern[i + 2 : end] not in POSIX_CLASSES:
                    return "unknown POSIX character class"
                i = end + 2
                continue
            if pattern.startswith("[.", i) or pattern.startswith("[=", i):
                return "collating elements and equivalence classes are not supported"
            if char == "]" and not class_start:
                in_class = False
            class_start = False
            i += 1
            continue
        if char == "[":
            in_class, class_start = True, True
            i += 1
            if pattern.startswith("^", i):
                i += 1
            continue
        if char == "(" and pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
            return "only (...) and (?:...) groups are supported (no flags, named groups or lookarounds)"
        if char == "{":
            bound = re.match(r"\{(\d*)(,?)(\d*)\}", pattern[i:])
            if bound is None or not bound[1]:
                if re.match(r"\{[\d,]", pattern[i:]):
                    return "malformed repetition bound"
                i += 1
                continue
            if any(int(n) > PG_MAX_REPEAT for n in (bound[1], bound[3]) if n):
                return f"repetition bounds above {PG_MAX_REPEAT} are not supported"
            i += len(bound[0])
            continue
        i += 1
    return None


def check_pattern(pattern: str) -> None:
    """Refuse a pattern RE2 cannot compile, that is too long, or that PostgreSQL would read differently."""
    if len(pattern) > MAX_PATTERN:
        raise invalid_pattern(pattern, f"longer than {MAX_PATTERN} characters")
    try:
        re2.compile(pattern, _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise invalid_pattern(pattern, reason) from None
    problem = _portability_problem(pattern)
    if problem:
        raise invalid_pattern(pattern, problem)


def check_in_database(pattern: str) -> None:
    """On PostgreSQL, compile the pattern in the database (in a savepoint, so a refusal leaves the transaction
    usable). Other backends run RE2 (see ``criteria.compile``), already checked by :func:`check_pattern`."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT '' ~ %s", [pattern])
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "refused by PostgreSQL"
        raise invalid_pattern(pattern, reason) from None


def compile_pattern(pattern: str):
    """The RE2 program of an accepted pattern."""
    return re2.compile(pattern, _OPTIONS)


def search(pattern, subject: str) -> bool:
    """Does ``pattern`` (a compiled RE2 program) occur in the first ``MAX_SUBJECT`` characters of ``subject``?"""
    return pattern.search(subject[:MAX_SUBJECT]) is not None
