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
  :func:`check_in_database`;
- its **expanded repetition** (:func:`repetition`) is at most ``MAX_REPETITION``, for one pattern and summed
  over every ``matches`` of one criteria (``language.parse``). PostgreSQL's engine unrolls bounded repetition,
  so nested bounds multiply its work: ``((([a-z0-9]{0,5}){0,5}){0,5}){0,8}zq`` (1,000) took 7-13 s over 3,003
  events, while every pattern within 100 took under half a second there (measured; ``docs/blackouts.md``).

Both engines run in the same mode: ``.`` and ``[^...]`` match a newline, ``^``/``$`` anchor the whole value.
The value a pattern is run against is its first ``MAX_SUBJECT`` characters (in SQL and in Python alike).
"""

import re

import re2
from django.db import DatabaseError, connection, transaction

from core.errors import Invalid

MAX_PATTERN = 512
MAX_REPETITION = 100  # expanded repetition of one criteria's patterns, all together (see ``repetition``)
OPEN_ENDED = 1  # what ``*``, ``+`` and ``{m,}`` add to their minimum (``?`` counts 2 as well: with or without)
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


_BOUND = re.compile(r"\{(\d+)(,(\d*))?\}")


def _multiplier(low: int, high: int | None) -> int:
    """How many copies of its operand a repetition stands for: its upper bound (``{0,1}``/``?``: 2, a choice);
    without one (``*``, ``+``, ``{m,}``), its minimum plus a fixed cost."""
    if high is None:
        return max(low, 1) + OPEN_ENDED
    return 2 if (high == 1 and low == 0) else high


def _class_end(pattern: str, i: int) -> int:
    """The index just past the bracket expression that starts at ``pattern[i] == '['``."""
    i += 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):  # a leading ] is a member
        i += 1
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern.startswith("[:", i):
            end = pattern.find(":]", i + 2)
            if end >= 0:
                i = end + 2
                continue
        if pattern[i] == "]":
            return i + 1
        i += 1
    return i


def repetition(pattern: str) -> int:
    """The pattern's expanded repetition: every repeated atom (character, class, ``.``) counted as many times as
    the repetitions around it unroll it, multiplied over every nesting level. ``x{5}`` is 5, ``(ab){0,5}`` 10,
    ``((x{0,5}){0,5}){0,8}`` 200; ``?``, ``*`` and ``+`` multiply by 2; atoms outside any repetition cost nothing.
    Reads the portable dialect (a pattern :func:`check_pattern` accepted)."""
    # One frame per open group: [expanded size, repetition cost, size of the last item, cost of the last item]
    frames = [[0, 0, 0, 0]]
    i = 0
    while i < len(pattern):
        char, frame = pattern[i], frames[-1]
        if char == "(":
            frames.append([0, 0, 0, 0])
            i += 3 if pattern.startswith("(?:", i) else 1
            continue
        if char == ")" and len(frames) > 1:
            size, cost = frames.pop()[:2]
            parent = frames[-1]
            parent[0] += size
            parent[1] += cost
            parent[2], parent[3] = size, cost
            i += 1
            continue
        if char == "|":
            frame[2] = frame[3] = 0
            i += 1
            continue
        bound = _BOUND.match(pattern, i) if char == "{" else None
        if char in "*+?" or bound:
            if bound:
                low = int(bound[1])
                high = low if bound[2] is None else (int(bound[3]) if bound[3] else None)
                i = bound.end()
            else:
                low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
                i += 1
            if pattern.startswith("?", i):  # lazy: the same work
                i += 1
            size, cost = frame[2], frame[3]
            repeated = _multiplier(low, high) * size
            frame[0] += repeated - size
            frame[1] += repeated - cost
            frame[2], frame[3] = repeated, repeated
            continue
        if char == "\\":
            i += 2
        elif char == "[":
            i = _class_end(pattern, i)
        else:
            i += 1
        frame[0] += 1
        frame[2], frame[3] = 1, 0
    while len(frames) > 1:  # unbalanced (refused by RE2 before we get here): close what is open
        size, cost = frames.pop()[:2]
        frames[-1][0] += size
        frames[-1][1] += cost
    return frames[0][1]


def too_complex(pattern: str, count: int) -> Invalid:
    shown = pattern if len(pattern) <= 80 else pattern[:77] + "..."
    return Invalid(
        f"Invalid regular expression '{shown}': its repetition expands to {count:,} (nested bounds multiply; "
        f"?, * and + count 2), the limit is {MAX_REPETITION} over all the matches of one criteria",
        code=TOO_COMPLEX,
        field="selector_criteria",
        pattern=pattern,
        repetition=count,
    )


TOO_COMPLEX = "blackouts.pattern_too_complex"


def check_pattern(pattern: str) -> None:
    """Refuse a pattern RE2 cannot compile, that is too long, that PostgreSQL would read differently, or whose
    expanded repetition is over the budget."""
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
    count = repetition(pattern)
    if count > MAX_REPETITION:
        raise too_complex(pattern, count)


def check_in_database(pattern: str) -> None:
    """On PostgreSQL, compile the pattern in the database (in a savepoint, so a refusal leaves the transaction
    usable). Other backends run RE2 (see ``criteria.compile``), already checked by :func:`check_pattern`."""
    if connection.vendor != "postgresql":
        return
    from .bounded import bounded, is_timeout

    try:
        with bounded(), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT '' ~ %s", [pattern])
    except DatabaseError as exc:
        if is_timeout(exc):
            raise
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "refused by PostgreSQL"
        raise invalid_pattern(pattern, reason) from None


def compile_pattern(pattern: str):
    """The RE2 program of an accepted pattern."""
    return re2.compile(pattern, _OPTIONS)


def search(pattern, subject: str) -> bool:
    """Does ``pattern`` (a compiled RE2 program) occur in the first ``MAX_SUBJECT`` characters of ``subject``?
    The subject is given to RE2 as the UTF-8 it reads (the patterns are UTF-8): the same answer as from the
    text, without the wrapper mapping each match's byte offsets back to characters (half the cost of a call)."""
    return pattern.search(subject[:MAX_SUBJECT].encode()) is not None
