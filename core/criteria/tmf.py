"""TMF630 filter queries, as a TMF hub listener gives them (``eventType=ServiceStateChangeEvent&event.service.state=
active``): parsed once, judged against a JSON document (the event as rendered). The subset of TMF630 Part 1 "Query
resources with attribute filtering" that names attributes:

- ``path=value`` equal; ``path=a,b`` equal to any (OR); ``&`` joins conditions (AND); ``;`` joins alternatives
  (OR, looser than ``&``);
- operators as a path suffix (``.eq .ne .gt .gte .lt .lte``: ``eventTime.gt=2024-05-01``) or in symbols
  (``= != > >= < <=``); the ordering ones take one value;
- a path is dotted attribute names (``event.service.relatedParty.role``); through a list it reads every element;
- percent-encoded conditions are decoded (``eventTime%3E2024``); blanks around names, operators and values, and a
  leading ``?``, are ignored; the empty query matches every document.

Equal and not-equal compare text (booleans as ``true``/``false``); the ordering operators compare numbers when both
sides are numbers, else text (ISO 8601 timestamps of one form order as text). A path the document does not hold is
equal to nothing and not-equal to every value. JSONPath filters (``filter=…[?(@…)]``) are not taken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote

from ..errors import Invalid

CODE = "tmf.invalid_query"
MAX_LENGTH = 2000
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte")
_SYMBOLS = {"=": "eq", "!=": "ne", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte"}
_NAME = r"[A-Za-z_@$][\w@$-]*"
_CONDITION = re.compile(rf"(?P<path>{_NAME}(?:\.{_NAME})*)\s*(?P<op>!=|>=|<=|=|>|<)\s*(?P<values>.*)", re.S)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


@dataclass(frozen=True)
class Condition:
    path: tuple[str, ...]
    op: str
    values: tuple[str, ...]

    @property
    def name(self) -> str:
        return ".".join(self.path)


def _invalid(message: str) -> Invalid:
    return Invalid(message, code=CODE, field="query")


def _condition(raw: str) -> Condition:
    text = unquote(raw).strip()
    if not text:
        raise _invalid("an empty condition ('&' or ';' twice in a row, or at an end).")
    match = _CONDITION.fullmatch(text)
    if match is None:
        raise _invalid(f"'{text}' is no condition: write name=value (name.ne=value, name>value, a=v1,v2…).")
    path, op = match["path"].split("."), _SYMBOLS[match["op"]]
    if len(path) > 1 and path[-1] in OPERATORS:
        if op != "eq":
            raise _invalid(f"'{text}': one operator per condition.")
        op = path.pop()
    values = tuple(value.strip() for value in match["values"].split(","))
    if not all(values):
        raise _invalid(f"'{text}': a value is missing.")
    if op not in ("eq", "ne") and len(values) > 1:
        raise _invalid(f"'{text}': {op} compares with one value.")
    return Condition(tuple(path), op, values)


@lru_cache(maxsize=512)
def parse(text: str) -> tuple[tuple[Condition, ...], ...]:
    """The alternatives of a query, each the conditions that must all hold; ``()`` for the empty query.
    :class:`core.errors.Invalid` (field ``query``) saying what is wrong when it does not parse."""
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise _invalid(f"at most {MAX_LENGTH} characters.")
    text = text.removeprefix("?").strip()
    if not text:
        return ()
    return tuple(tuple(_condition(raw) for raw in alternative.split("&")) for alternative in text.split(";"))


def equal_values(alternatives, name: str) -> set[str] | None:
    """The values ``name`` must equal for a document to match (each alternative names some with ``=``), or None
    when an alternative leaves it free (the empty query included)."""
    if not alternatives:
        return None
    found: set[str] = set()
    for alternative in alternatives:
        named = [set(c.values) for c in alternative if c.name == name and c.op == "eq"]
        if not named:
            return None
        found |= set.intersection(*named)
    return found


def _leaves(node, path):
    if isinstance(node, list):
        for item in node:
            yield from _leaves(item, path)
    elif not path:
        if not isinstance(node, dict):
            yield "true" if node is True else "false" if node is False else "" if node is None else str(node)
    elif isinstance(node, dict) and path[0] in node:
        yield from _leaves(node[path[0]], path[1:])


def _ordered(left: str, right: str, op: str) -> bool:
    a, b = (float(left), float(right)) if _NUMBER.fullmatch(left) and _NUMBER.fullmatch(right) else (left, right)
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]


def _holds(condition: Condition, document) -> bool:
    found = list(_leaves(document, condition.path))
    if condition.op in ("eq", "ne"):
        equal = any(value in condition.values for value in found)
        return equal if condition.op == "eq" else not equal
    return any(_ordered(value, condition.values[0], condition.op) for value in found)


def matches(text: str, document) -> bool:
    """Whether ``document`` (a decoded JSON value) satisfies the query ``text``."""
    alternatives = parse(text)
    return not alternatives or any(all(_holds(c, document) for c in alt) for alt in alternatives)
