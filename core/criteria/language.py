"""The criteria language: a lark grammar, one AST, and :class:`Slots`, what a slot name reads in one use of it.

``( class equals 'EVENT' ) AND NOT msg contains 'test' OR severity within ['MAJOR','CRITICAL']``

:func:`parse` turns criteria into the AST (or raises :class:`core.errors.Invalid` naming the position and the
token); ``criteria.compile`` turns the AST into a Django ``Q`` and a Python predicate, ``criteria.batch`` into
an evaluator over a batch. Semantics are in the package docstring.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from lark import Lark, Token, Transformer, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from core.errors import Invalid

from . import regex


@dataclass(frozen=True, eq=False)  # hashed by identity: one module-level declaration per use, a key of parse's cache
class Slots:
    """What the slot names of a criteria read, declared by the user of the language (blackouts: the ``Event``
    model; the change log: a webhook payload's dotted paths).

    ``text`` and ``numeric`` map a slot name to a model field (a column of the ``Q``, a key of the event dict the
    predicate and the batch read); any other name is a free slot, read as text from ``event[free][name]`` (the
    JSON field ``free`` in SQL), or from the event dict itself when ``free`` is None (no SQL form then). The
    numeric operators apply to the numeric slots only (a parse error elsewhere)."""

    text: Mapping[str, str] = field(default_factory=dict)
    numeric: Mapping[str, str] = field(default_factory=dict)
    free: str | None = "slots"

    def reader(self, slot: str) -> Callable[[dict], object]:
        """How the predicate and the batch read a slot of an event dict (one rule for both): a numeric slot
        through ``int()`` (missing: 0), any other as text (missing: ``''``)."""
        if slot in self.numeric:
            return lambda event: int(event.get(slot) or 0)
        if slot in self.text or self.free is None:
            return lambda event: str(event.get(slot) or "")
        free = self.free
        return lambda event: str((event.get(free) or {}).get(slot, "") or "")


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


# Stable error codes on the wire (the BMC numbers of blackouts/api/errors.py, the subscription API's 400s): they
# keep the prefix of the language's first user. So do the messages' "eventSelectorCriteria" and the field.
CODE = "blackouts.invalid_criteria"
MAX_LENGTH = 4000  # a policy's eventSelectorCriteria and a webhook subscription's filter alike


def criteria_error(message: str, *, position: int | None = None, token: str | None = None, **params) -> Invalid:
    """Invalid criteria; ``position`` (1-based) and ``token`` (the offending text) are in ``params``."""
    return Invalid(message, code=CODE, field="selector_criteria", position=position, token=token, **params)


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
    def __init__(self, slots: Slots):
        super().__init__()
        self.slots = slots

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
        return _check(str(slot), op, value, operator, self.slots)

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
        raise criteria_error(
            f"Invalid eventSelectorCriteria at position {token.start_pos + 1}: {token} needs an integer",
            position=token.start_pos + 1,
            token=str(token),
        )
    return int(number)


def _text(value) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _check(slot: str, op: str, value, token: Token, slots: Slots) -> Comparison:
    where = f"at position {token.start_pos + 1}"
    numeric_slot = slot in slots.numeric
    if op in NUMERIC_OPERATORS and not numeric_slot:
        raise criteria_error(
            f"Invalid eventSelectorCriteria {where}: operator {token} needs a numeric slot, not '{slot}'",
            position=token.start_pos + 1,
            token=str(token),
        )
    if op == "between":
        if not (isinstance(value, tuple) and len(value) == 2):
            raise criteria_error(
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
        raise criteria_error(
            f"Invalid eventSelectorCriteria {where}: operator {token} takes one value, not a list",
            position=token.start_pos + 1,
            token=str(token),
        )
    if op in NUMERIC_OPERATORS or (numeric_slot and op in ("equals", "not_equals")):
        return Comparison(slot, op, _num(value, token))
    if numeric_slot:
        raise criteria_error(
            f"Invalid eventSelectorCriteria {where}: operator {token} needs a text slot, not '{slot}'",
            position=token.start_pos + 1,
            token=str(token),
        )
    text = _text(value)
    if op == "matches":
        try:
            regex.check_pattern(text)
        except Invalid as exc:
            raise Invalid(
                f"Invalid eventSelectorCriteria {where}: {exc.message}",
                code=exc.code,
                field="selector_criteria",
                position=token.start_pos + 1,
                token=str(token),
                pattern=text,
            ) from None
    return Comparison(slot, op, text)


@lru_cache(maxsize=4096)
def parse(criteria: str, slots: Slots):
    """Parse criteria into the AST, for the slots of one use (:class:`Slots`); :class:`~core.errors.Invalid` names
    the position and the token."""
    if not criteria or not criteria.strip():
        raise criteria_error("Invalid eventSelectorCriteria: empty", position=1, token="")
    if len(criteria) > MAX_LENGTH:
        raise criteria_error(f"Invalid eventSelectorCriteria: longer than {MAX_LENGTH:,} characters", position=1)
    try:
        tree = _PARSER.parse(criteria)
    except UnexpectedToken as exc:
        token = "end of input" if exc.token.type == "$END" else str(exc.token)
        pos = (exc.token.start_pos or len(criteria)) + 1 if exc.token.type != "$END" else len(criteria) + 1
        raise criteria_error(
            f"Invalid eventSelectorCriteria at position {pos}: unexpected token '{token}'", position=pos, token=token
        ) from None
    except UnexpectedCharacters as exc:
        pos = exc.pos_in_stream + 1
        token = criteria[exc.pos_in_stream : exc.pos_in_stream + 10].split(" ")[0]
        raise criteria_error(
            f"Invalid eventSelectorCriteria at position {pos}: unexpected token '{token}'", position=pos, token=token
        ) from None
    except UnexpectedEOF:
        pos = len(criteria) + 1
        raise criteria_error(
            f"Invalid eventSelectorCriteria at position {pos}: unexpected end of input", position=pos, token=""
        ) from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark errors
        raise criteria_error(f"Invalid eventSelectorCriteria: {exc}") from None
    if _depth(tree) > MAX_DEPTH:
        raise criteria_error(f"Invalid eventSelectorCriteria: nested more than {MAX_DEPTH} levels deep", position=1)
    try:
        node = _ToAst(slots).transform(tree)
    except Exception as exc:  # lark wraps transformer errors in VisitError
        inner = getattr(exc, "orig_exc", exc)
        if isinstance(inner, Invalid):
            raise inner from None
        raise
    found = patterns(node)
    total = sum(regex.repetition(pattern) for pattern in found)
    if len(found) > 1 and total > regex.MAX_REPETITION:
        raise Invalid(
            f"Invalid eventSelectorCriteria: its {len(found)} matches patterns expand to {total:,} repetitions "
            f"together (nested bounds multiply; ?, * and + count 2), the limit is {regex.MAX_REPETITION} over all "
            "the matches of one criteria",
            code=regex.TOO_COMPLEX,
            field="selector_criteria",
            repetition=total,
        )
    return node


def patterns(node) -> list[str]:
    """Every ``matches`` pattern of a parsed criteria."""
    out, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Comparison):
            if item.operator == "matches":
                out.append(item.value)
        elif isinstance(item, Not):
            stack.append(item.operand)
        else:
            stack.extend(item.operands)
    return out


MAX_DEPTH = 64


def _depth(tree) -> int:
    """Depth of the parse tree, without recursion (the compilers recurse, so depth is bounded first)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in getattr(node, "children", ()) if hasattr(child, "children"))
    return deepest
