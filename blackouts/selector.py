"""The event selector language (``eventSelectorCriteria``): a lark grammar, one AST, two compilers.

``( class equals 'EVENT' ) AND NOT msg contains 'test' OR severity within ['MAJOR','CRITICAL']``

The same parsed expression compiles to a Django ``Q`` (bulk work in the database: window start/end) and to a
Python predicate (one incoming event at ingest). Both give the same answer for every event; a hypothesis test
(tests/blackouts/test_selector.py) holds them to it.

Semantics, chosen to be identical in Python, SQLite and PostgreSQL:

- Text slots compare as text; a missing free slot reads as the empty string.
- ``equals``/``not_equals``/``within``/``has_prefix``/``has_suffix`` are case-sensitive; ``contains`` is
  case-insensitive (ASCII letters; SQLite's ``LIKE`` folds only ASCII); ``matches`` is a regular expression
  searched anywhere in the value (keep to the common subset of Python and POSIX regex syntax).
- ``greater_than``, ``smaller_than``, ``greater_or_equals``, ``smaller_or_equals`` and ``between [min,max]``
  (inclusive) are numeric and only apply to the numeric slots (``repeat_count``); on a text slot they are a
  400, since text ordering differs between database collations and Python.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

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
    Regex,
)
from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

# Slot name in the language -> Event model field. Anything else is a free slot (Event.slots[name]).
TEXT_FIELDS = {
    "class": "event_class",
    "msg": "msg",
    "severity": "severity",
    "status": "status",
    "_identifier": "identifier",
    "source_hostname": "source_hostname",
    "source_identifier": "source_identifier",
}
NUMERIC_FIELDS = {"repeat_count": "repeat_count"}
NUMERIC_OPERATORS = {"greater_than", "smaller_than", "greater_or_equals", "smaller_or_equals", "between"}

GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> not_
         | atom
?atom: "(" or_expr ")"
     | comparison
comparison: SLOT OPERATOR value
?value: scalar
      | "[" [scalar ("," scalar)*] "]" -> bracket_list
      | scalar ("," scalar)+ -> bare_list
?scalar: STRING -> string
       | NUMBER -> number
       | WORD -> word

_OR: /OR\b/i
_AND: /AND\b/i
_NOT: /NOT\b/i
OPERATOR.2: /(OPERATORS)\b/i
SLOT: /(?!(?:AND|OR|NOT)\b)[A-Za-z_][A-Za-z0-9_.]*/i
STRING: /'(?:[^'\\]|\\.)*'/ | /"(?:[^"\\]|\\.)*"/
NUMBER.1: /-?\d+(\.\d+)?(?![A-Za-z0-9_.:\-\/@])/
WORD: /[A-Za-z0-9_.:\-\/@]+/
%import common.WS
%ignore WS
"""

OPERATOR_WORDS = (
    "not_equals|equals|contains|has_prefix|has_suffix|starts\\s+with|ends\\s+with|within|matches"
    "|greater_or_equals|smaller_or_equals|greater_than|smaller_than|between"
)
_PARSER = Lark(
    GRAMMAR.replace("OPERATORS", OPERATOR_WORDS), parser="lalr", propagate_positions=True, maybe_placeholders=False
)


class SelectorError(ValueError):
    """Invalid criteria; ``position`` is 1-based, ``token`` the offending text."""

    def __init__(self, message: str, *, position: int | None = None, token: str | None = None):
        super().__init__(message)
        self.position = position
        self.token = token


# --- AST --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    slot: str
    operator: str
    value: object  # str | int | tuple


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    operands: tuple


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


class _ToAst(Transformer):
    def string(self, items):
        return _unquote(str(items[0]))

    def number(self, items):
        return float(items[0])

    def word(self, items):
        return str(items[0])

    def bracket_list(self, items):
        return tuple(i for i in items if i is not None)

    def bare_list(self, items):
        return tuple(items)

    def comparison(self, items):
        slot, operator, value = items
        op = re.sub(r"\s+", " ", str(operator).lower())
        op = {"starts with": "has_prefix", "ends with": "has_suffix"}.get(op, op)
        return _check(str(slot), op, value, operator)

    def not_(self, items):
        return Not(items[0])

    def and_expr(self, items):
        return BoolOp("and", tuple(items))

    def or_expr(self, items):
        return BoolOp("or", tuple(items))


def _num(value, token: Token) -> int:
    """Numeric slots hold integers; a literal must be an integer too (so SQL and Python agree exactly)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not number.is_integer() or abs(number) > 2**53:
        raise SelectorError(
            f"Invalid eventSelectorCriteria at position {token.start_pos + 1}: {token} needs an integer",
            position=token.start_pos + 1,
            token=str(token),
        )
    return int(number)


def _text(value) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _check(slot: str, op: str, value, token: Token) -> Comparison:
    where = f"at position {token.start_pos + 1}"
    numeric_slot = slot in NUMERIC_FIELDS
    if op in NUMERIC_OPERATORS and not numeric_slot:
        raise SelectorError(
            f"Invalid eventSelectorCriteria {where}: operator {token} needs a numeric slot, not '{slot}'",
            position=token.start_pos + 1,
            token=str(token),
        )
    if op == "between":
        if not (isinstance(value, tuple) and len(value) == 2):
            raise SelectorError(
                f"Invalid eventSelectorCriteria {where}: between needs [min,max]",
                position=token.start_pos + 1,
                token=str(token),
            )
        low, high = (_num(v, token) for v in value)
        return Comparison(slot, op, (low, high))
    if op == "within":
        items = value if isinstance(value, tuple) else (value,)
        if numeric_slot:
            return Comparison(slot, op, tuple(_num(v, token) for v in items))
        return Comparison(slot, op, tuple(_text(v) for v in items))
    if isinstance(value, tuple):
        raise SelectorError(
            f"Invalid eventSelectorCriteria {where}: operator {token} takes one value, not a list",
            position=token.start_pos + 1,
            token=str(token),
        )
    if op in NUMERIC_OPERATORS or (numeric_slot and op in ("equals", "not_equals")):
        return Comparison(slot, op, _num(value, token))
    if numeric_slot:
        raise SelectorError(
            f"Invalid eventSelectorCriteria {where}: operator {token} needs a text slot, not '{slot}'",
            position=token.start_pos + 1,
            token=str(token),
        )
    text = _text(value)
    if op == "matches":
        if re.search(r"\(\?(?![:=!])|\\[AZzGP]", text):
            # keep to the syntax Python (SQLite, ingest) and PostgreSQL (window edges) read the same way
            raise SelectorError(
                f"Invalid eventSelectorCriteria {where}: unsupported regular expression syntax",
                position=token.start_pos + 1,
                token=str(token),
            )
        try:
            re.compile(text)
        except re.error as exc:
            raise SelectorError(
                f"Invalid eventSelectorCriteria {where}: bad regular expression ({exc})",
                position=token.start_pos + 1,
                token=str(token),
            ) from None
    return Comparison(slot, op, text)


@lru_cache(maxsize=4096)
def parse(criteria: str):
    """Parse criteria into the AST; :class:`SelectorError` names the position and the token."""
    if not criteria or not criteria.strip():
        raise SelectorError("Invalid eventSelectorCriteria: empty", position=1, token="")
    try:
        tree = _PARSER.parse(criteria)
    except UnexpectedToken as exc:
        token = "end of input" if exc.token.type == "$END" else str(exc.token)
        pos = (exc.token.start_pos or len(criteria)) + 1 if exc.token.type != "$END" else len(criteria) + 1
        raise SelectorError(
            f"Invalid eventSelectorCriteria at position {pos}: unexpected token '{token}'", position=pos, token=token
        ) from None
    except UnexpectedCharacters as exc:
        pos = exc.pos_in_stream + 1
        token = criteria[exc.pos_in_stream : exc.pos_in_stream + 10].split(" ")[0]
        raise SelectorError(
            f"Invalid eventSelectorCriteria at position {pos}: unexpected token '{token}'", position=pos, token=token
        ) from None
    except UnexpectedEOF:
        pos = len(criteria) + 1
        raise SelectorError(
            f"Invalid eventSelectorCriteria at position {pos}: unexpected end of input", position=pos, token=""
        ) from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark errors
        raise SelectorError(f"Invalid eventSelectorCriteria: {exc}") from None
    if _depth(tree) > MAX_DEPTH:
        raise SelectorError(f"Invalid eventSelectorCriteria: nested more than {MAX_DEPTH} levels deep", position=1)
    try:
        return _ToAst().transform(tree)
    except Exception as exc:  # lark wraps transformer errors in VisitError
        inner = getattr(exc, "orig_exc", exc)
        if isinstance(inner, SelectorError):
            raise inner from None
        raise


MAX_DEPTH = 64


def _depth(tree) -> int:
    """Depth of the parse tree, without recursion (the compilers recurse, so depth is bounded first)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in getattr(node, "children", ()) if hasattr(child, "children"))
    return deepest


# --- Compiler 1: Python predicate over an event dict ----------------------------------------------------------
def _getter(slot: str) -> Callable[[dict], object]:
    if slot in NUMERIC_FIELDS:
        return lambda event: int(event.get(slot) or 0)
    if slot in TEXT_FIELDS:
        return lambda event: str(event.get(slot) or "")
    return lambda event: str((event.get("slots") or {}).get(slot, "") or "")


def _compile_comparison(node: Comparison) -> Callable[[dict], bool]:
    get, op, target = _getter(node.slot), node.operator, node.value
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
        pattern = re.compile(target)
        return lambda e: pattern.search(get(e)) is not None
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


def to_predicate(node) -> Callable[[dict], bool]:
    """A predicate over an event as a dict of slot name -> value (``slots`` holds the free slots), compiled
    to nested closures once so that evaluating it costs no tree walk."""
    if isinstance(node, Comparison):
        return _compile_comparison(node)
    if isinstance(node, Not):
        inner = to_predicate(node.operand)
        return lambda e: not inner(e)
    parts = tuple(to_predicate(child) for child in node.operands)
    if len(parts) == 2:
        first, second = parts
        if node.op == "and":
            return lambda e: first(e) and second(e)
        return lambda e: first(e) or second(e)
    if node.op == "and":
        return lambda e: all(part(e) for part in parts)
    return lambda e: any(part(e) for part in parts)


def guard(node) -> tuple[str, frozenset] | None:
    """A necessary condition ``slot in values`` of the expression (an equals/within on a text slot at the top
    or under a top-level AND), so ingest can skip policies an event cannot match; None when there is none."""
    if isinstance(node, Comparison):
        if node.slot not in NUMERIC_FIELDS and node.operator in ("equals", "within"):
            values = node.value if isinstance(node.value, tuple) else (node.value,)
            return node.slot, frozenset(values)
        return None
    if isinstance(node, BoolOp) and node.op == "and":
        for child in node.operands:
            found = guard(child)
            if found is not None:
                return found
    return None


def slot_value(event: dict, slot: str):
    return _getter(slot)(event)


# --- Compiler 2: Django Q over Event --------------------------------------------------------------------------
def _expression(slot: str):
    if slot in NUMERIC_FIELDS:
        return F(NUMERIC_FIELDS[slot])
    if slot in TEXT_FIELDS:
        return F(TEXT_FIELDS[slot])
    return Coalesce(KeyTextTransform(slot, "slots"), Value(""), output_field=TextField())


MATCH_ALL = Q(pk__isnull=False)


def _q_comparison(node: Comparison) -> Q:
    expr, op, target = _expression(node.slot), node.operator, node.value
    if op == "equals":
        return Q(Exact(expr, target))
    if op == "not_equals":
        return ~Q(Exact(expr, target))
    if op == "contains":
        field_lookup = _plain_lookup(node.slot, "icontains", target)
        if field_lookup is not None:
            return field_lookup
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
        field_lookup = _plain_lookup(node.slot, "regex", target)
        if field_lookup is not None:
            return field_lookup
        return Q(Regex(expr, target))
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


def _plain_lookup(slot: str, lookup: str, target) -> Q | None:
    if slot in TEXT_FIELDS:
        return Q(**{f"{TEXT_FIELDS[slot]}__{lookup}": target})
    return None


def to_q(node) -> Q:
    """A ``Q`` over ``Event`` that selects exactly the events the predicate accepts."""
    if isinstance(node, Comparison):
        return _q_comparison(node)
    if isinstance(node, Not):
        return ~to_q(node.operand)
    parts = [to_q(child) for child in node.operands]
    out = parts[0]
    for part in parts[1:]:
        out = (out & part) if node.op == "and" else (out | part)
    return out


def compile_criteria(criteria: str) -> tuple[Q, Callable[[dict], bool]]:
    node = parse(criteria)
    return to_q(node), to_predicate(node)
