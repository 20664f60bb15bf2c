"""Two compilers of a parsed criteria: a Python predicate (one event) and a Django ``Q`` (set-based work in the
database). Both give the same answer for every event; a property test holds them to it on SQLite and PostgreSQL
(``tests/core/test_criteria_compilers.py``).

``matches`` runs RE2 in Python and on SQLite (a ``criteria_re2_search`` SQL function, given to each SQLite
connection the first time a ``matches`` is compiled for it) and PostgreSQL's ``~`` on PostgreSQL; ``criteria.regex``
keeps patterns to what both read alike.
"""

from collections.abc import Callable

from django.db.models import F, Q, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Left, Length, Right
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    In,
    LessThan,
    LessThanOrEqual,
    Lookup,
)

from . import regex
from .bounded import check_deadline
from .language import Comparison, Not, Slots


# --- Compiler 1: Python predicate over an event dict ------------------------------------------------------------
def _compile_comparison(node: Comparison, slots: Slots) -> Callable[[dict], bool]:
    get, op, target = slots.reader(node.slot), node.operator, node.value
    if op == "equals":
        return lambda e: get(e) == target
    if op == "not_equals":
        return lambda e: get(e) != target
    if op == "contains":
        lowered = target.lower()
        return lambda e: lowered in get(e).lower()
    if op == "has_prefix":
        return lambda e: get(e).startswith(target)
    if op == "has_suffix":
        return lambda e: get(e).endswith(target)
    if op == "within":
        members = frozenset(target)
        return lambda e: get(e) in members
    if op == "matches":
        pattern = regex.compile_pattern(target)
        return lambda e: regex.search(pattern, get(e))
    if op == "greater_than":
        return lambda e: get(e) > target
    if op == "smaller_than":
        return lambda e: get(e) < target
    if op == "greater_or_equals":
        return lambda e: get(e) >= target
    if op == "smaller_or_equals":
        return lambda e: get(e) <= target
    if op == "between":
        low, high = target
        return lambda e: low <= get(e) <= high
    raise AssertionError(op)  # pragma: no cover


def to_predicate(node, slots: Slots) -> Callable[[dict], bool]:
    """A predicate over an event as a dict of slot name -> value (read as ``slots.reader`` says), compiled to
    nested closures once so that evaluating it costs no tree walk."""
    if isinstance(node, Comparison):
        return _compile_comparison(node, slots)
    if isinstance(node, Not):
        inner = to_predicate(node.operand, slots)
        return lambda e: not inner(e)
    parts = tuple(to_predicate(child, slots) for child in node.operands)
    if len(parts) == 2:
        first, second = parts
        if node.op == "and":
            return lambda e: first(e) and second(e)
        return lambda e: first(e) or second(e)
    if node.op == "and":
        return lambda e: all(part(e) for part in parts)
    return lambda e: any(part(e) for part in parts)


# --- Compiler 2: Django Q over the model -------------------------------------------------------------------------
class Matches(Lookup):
    """``subject ~ pattern`` on PostgreSQL; RE2 on SQLite (Django's own ``REGEXP`` there is Python's
    backtracking ``re``), through a function this lookup gives the connection before it is first used."""

    lookup_name = "re2_matches"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs})::text ~ {rhs}", [*lhs_params, *rhs_params]

    def as_sqlite(self, compiler, connection):
        ensure_sqlite_function(connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{SQLITE_FUNCTION}({rhs}, {lhs})", [*rhs_params, *lhs_params]


SQLITE_FUNCTION = "criteria_re2_search"


def _sqlite_search(pattern, subject) -> bool | None:
    check_deadline()
    if pattern is None or subject is None:
        return None
    return regex.search(_sqlite_program(pattern), str(subject))


_PROGRAMS: dict = {}


def _sqlite_program(pattern: str):
    program = _PROGRAMS.get(pattern)
    if program is None:
        if len(_PROGRAMS) > 4096:
            _PROGRAMS.clear()
        program = _PROGRAMS[pattern] = regex.compile_pattern(pattern)
    return program


def ensure_sqlite_function(connection) -> None:
    """Give the SQLite connection (Django's wrapper) the RE2 search function, once per underlying connection (a
    reconnection gets it again). Called as a ``matches`` is compiled, just before the statement runs."""
    connection.ensure_connection()
    raw = connection.connection
    if getattr(connection, "_criteria_re2_for", None) is not raw:
        raw.create_function(SQLITE_FUNCTION, 2, _sqlite_search, deterministic=True)
        connection._criteria_re2_for = raw


def _expression(slot: str, slots: Slots):
    if slot in slots.numeric:
        return F(slots.numeric[slot])
    if slot in slots.text:
        return F(slots.text[slot])
    if slots.free is None:
        raise ValueError(f"these slots have no SQL form: '{slot}' is neither a column nor in a JSON field")
    return Coalesce(KeyTextTransform(slot, slots.free), Value(""), output_field=TextField())


MATCH_ALL = Q(pk__isnull=False)


def _q_comparison(node: Comparison, slots: Slots) -> Q:
    expr, op, target = _expression(node.slot, slots), node.operator, node.value
    if op == "equals":
        return Q(Exact(expr, target))
    if op == "not_equals":
        return ~Q(Exact(expr, target))
    if op == "contains":
        if node.slot in slots.text:  # the field's own lookup (Django's, on every backend)
            return Q(**{f"{slots.text[node.slot]}__icontains": target})
        return Q(IContains(expr, target))
    if op == "has_prefix":
        # SQLite's LIKE is case-insensitive, so prefix/suffix compare substrings exactly instead.
        return Q(Exact(Left(expr, len(target)), target)) if target else MATCH_ALL
    if op == "has_suffix":
        if not target:
            return MATCH_ALL
        return Q(Exact(Right(expr, len(target)), target)) & Q(GreaterThanOrEqual(Length(expr), len(target)))
    if op == "within":
        return Q(In(expr, list(target))) if target else Q(pk__in=[])
    if op == "matches":
        return Q(Matches(Left(expr, regex.MAX_SUBJECT), target))
    if op == "greater_than":
        return Q(GreaterThan(expr, target))
    if op == "smaller_than":
        return Q(LessThan(expr, target))
    if op == "greater_or_equals":
        return Q(GreaterThanOrEqual(expr, target))
    if op == "smaller_or_equals":
        return Q(LessThanOrEqual(expr, target))
    if op == "between":
        return Q(GreaterThanOrEqual(expr, target[0])) & Q(LessThanOrEqual(expr, target[1]))
    raise AssertionError(op)  # pragma: no cover


def to_q(node, slots: Slots) -> Q:
    """A ``Q`` over the model whose fields ``slots`` names, selecting exactly the rows whose event dicts the
    predicate accepts."""
    if isinstance(node, Comparison):
        return _q_comparison(node, slots)
    if isinstance(node, Not):
        return ~to_q(node.operand, slots)
    parts = [to_q(child, slots) for child in node.operands]
    out = parts[0]
    for part in parts[1:]:
        out = (out & part) if node.op == "and" else (out | part)
    return out
