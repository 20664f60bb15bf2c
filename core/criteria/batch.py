"""Compiler 3: a parsed criteria evaluated over a whole batch of events at once (ingest).

A batch is held as columns (:class:`Batch`); a set of events is a bit mask (a Python ``int``, bit ``i`` is event
``i``), so ``AND``/``OR``/``NOT`` are single integer operations and a comparison is an index look-up, not a
call per event:

- ``equals``/``not_equals``/``within`` look the value up in the slot's value -> mask index;
- ``has_prefix``/``has_suffix`` look up the first/last ``len(target)`` characters (one index per length);
- ``contains`` searches the batch's lowered values joined into one string (``str.find``, in C), mapping each
  hit back to its event (only in the spans a ``dispatch.FirstMatch`` found the text in, when it searched first);
- the numeric operators bisect the slot's sorted distinct values (prefix masks: ``<``, ``<=`` in O(log n));
- ``matches`` runs RE2 on the distinct values of the events still in question (an ``AND`` narrows them first),
  each value once per batch and pattern.

Many criteria in precedence order (ingest's active policies) go through ``dispatch.FirstMatch``, which
evaluates only those whose guard the batch meets (``criteria.dispatch``).

Values are read by the same rule as the predicate reads them (``Slots.reader``: a missing free slot is ``''``,
a numeric slot goes through ``int()``); a property test holds the batch evaluation equal to the predicate on
every event, and the dispatch equal to the plain loop (:func:`first_matches`) over random criteria and batches
(``tests/core/test_criteria_compilers.py``).
"""

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from itertools import compress
from operator import itemgetter

from . import regex
from .language import BoolOp, Comparison, Not, Slots

SEPARATOR = "\x00"  # joins a column's values for ``contains``; a target holding it takes the slow path

_MASKS: list[int] = []  # 1 << i for i < len: shared by the batches of a process (replaced whole, never changed)
_KEPT_MASKS = 4096  # batches up to this size share them (a list of 4,096 such ints holds about 1 MB)


def masks(size: int) -> list[int]:
    """``[1 << i for i in range(size)]`` (or longer): each event's own bit, computed once per process."""
    global _MASKS
    found = _MASKS
    if len(found) >= size:
        return found
    found = [1 << i for i in range(max(size, min(2 * len(found), _KEPT_MASKS)))]
    if size <= _KEPT_MASKS:
        _MASKS = found
    return found


def bits(mask: int) -> Iterator[int]:
    """Indexes of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class Batch:
    """The events of one batch (dicts in the predicate's shape, read as ``slots`` says), with per-slot columns
    and indexes built lazily, once per batch.

    ``read``, when given, reads a slot's whole column at once instead (ingest reads its rows' columns without
    building a dict per event); it must give what ``slots.reader(slot)`` gives on each event's dict form."""

    def __init__(self, events: list, slots: Slots, *, read: Callable[[str], list] | None = None):
        self.events = events
        self.slots = slots
        self.size = len(events)
        self.all = (1 << self.size) - 1
        self._read = read
        self._columns: dict[str, list] = {}
        self.indexes: dict[tuple, dict] = {}
        # (slot, cut) -> (values, their index): exact for each of ``values`` (a value no event holds is absent),
        # built by ``FirstMatch`` for the values its guards look up, in place of an index of every value
        self.known: dict[tuple, tuple] = {}
        self._distinct: dict[tuple, object] = {}
        # slot -> lowered text -> the (start, end) spans of the joined lowered column that hold it (``()``: none),
        # ``None`` -> the spans of the texts not listed (the whole column): ``FirstMatch`` records its searches
        self.spans: dict[str, dict] = {}
        self.memo: dict[tuple, dict] = {}  # a test's answers by value (``matches``: one search per value and pattern)
        self._cuts: dict[tuple, list] = {}
        self._bounded: dict[str, str] = {}
        self._joined: dict[str, tuple[str, list[int]]] = {}
        self._sorted: dict[str, tuple[list, list[int]]] = {}

    def column(self, slot: str) -> list:
        """The slot's value in each event, read as the predicate reads it (``Slots.reader``)."""
        found = self._columns.get(slot)
        if found is None:
            if self._read is not None:
                found = self._columns[slot] = self._read(slot)
            else:
                found = self._columns[slot] = list(map(self.slots.reader(slot), self.events))
        return found

    def _cut(self, slot: str, cut: int) -> list:
        if not cut:
            return self.column(slot)
        found = self._cuts.get((slot, cut))
        if found is None:
            values = self.column(slot)
            found = [value[:cut] for value in values] if cut > 0 else [value[cut:] for value in values]
            self._cuts[(slot, cut)] = found
        return found

    def distinct(self, slot: str, cut: int = 0):
        """The set of the keys of ``index(slot, cut)`` (the distinct values, cut as it cuts them), without
        building their masks: what the dispatch of ``dispatch.FirstMatch`` asks of a batch."""
        key = (slot, cut)
        found = self.indexes.get(key)
        if found is not None:
            return found.keys()
        found = self._distinct.get(key)
        if found is None:
            found = self._distinct[key] = set(self._cut(slot, cut))
        return found

    def index(self, slot: str, cut: int = 0) -> dict:
        """value -> mask of the events holding it; ``cut`` > 0 keys by the first ``cut`` characters, < 0 by
        the last ``-cut`` (a shorter value keys by itself, which cannot equal a target of that length).
        Evaluators look in ``indexes`` first (one dict look-up per policy), calling this only to build."""
        key = (slot, cut)
        found = self.indexes.get(key)
        if found is None:
            found = {}
            get = found.get
            for value, mask in zip(self._cut(slot, cut), masks(self.size), strict=False):  # masks may be longer
                found[value] = get(value, 0) | mask
            self.indexes[key] = found
        return found

    def index_of(self, slot: str, cut: int, present) -> dict:
        """``index(slot, cut)`` restricted to the keys in ``present`` (a set): one pass in C over the column, a
        Python step only for the events that hold one of them."""
        column = self.column(slot)
        keys = map(itemgetter(slice(cut) if cut > 0 else slice(cut, None)), column) if cut else column
        found: dict = {}
        get, bit = found.get, masks(self.size)
        for position in compress(range(self.size), map(present.__contains__, keys)):
            value = column[position]
            if cut:
                value = value[:cut] if cut > 0 else value[cut:]
            found[value] = get(value, 0) | bit[position]
        return found

    def bounded(self, slot: str) -> str:
        """The column's values joined by :data:`SEPARATOR`, with one before the first and after the last."""
        found = self._bounded.get(slot)
        if found is None:
            found = self._bounded[slot] = SEPARATOR + SEPARATOR.join(self.column(slot)) + SEPARATOR
        return found

    def joined_lower(self, slot: str) -> tuple[str, list[int]]:
        """The column's lowered values joined by :data:`SEPARATOR`, and where each value starts."""
        found = self._joined.get(slot)
        if found is None:
            lowered = [value.lower() for value in self.column(slot)]
            starts, offset = [], 0
            for value in lowered:
                starts.append(offset)
                offset += len(value) + 1
            found = self._joined[slot] = (SEPARATOR.join(lowered), starts)
        return found

    def sorted_values(self, slot: str) -> tuple[list, list[int]]:
        """A numeric slot's distinct values ascending, and ``below[k]``: the mask of events whose value is one
        of the first ``k`` of them."""
        found = self._sorted.get(slot)
        if found is None:
            index = self.index(slot)
            values = sorted(index)
            below, mask = [0], 0
            for value in values:
                mask |= index[value]
                below.append(mask)
            found = self._sorted[slot] = (values, below)
        return found


def _mask(batch: Batch, key: tuple, target) -> int:
    """The events whose ``index(*key)`` key is ``target``: from the whole index when built, else from the
    values ``FirstMatch`` indexed (``Batch.known``) when ``target`` is one of them, else the index is built."""
    found = batch.indexes.get(key)
    if found is None:
        known = batch.known.get(key)
        if known is not None and target in known[0]:
            return known[1].get(target, 0)
        found = batch.index(*key)
    return found.get(target, 0)


Evaluator = Callable[[Batch, int], int]
"""``evaluate(batch, within)``: a mask whose bits inside ``within`` are exactly the events of ``within`` that
match (bits outside ``within`` may be anything); ``within`` lets an ``AND`` spare costly leaves."""


def _contains(slot: str, target: str) -> Evaluator:
    lowered = target.lower()
    if not lowered:
        return lambda batch, within: batch.all
    if SEPARATOR in lowered:
        return _scan(slot, lambda value: lowered in value.lower(), ("contains", slot, lowered))

    def evaluate(batch: Batch, within: int) -> int:
        text, starts = batch.joined_lower(slot)
        kept = batch.spans.get(slot)
        spans = ((0, len(text)),) if kept is None else kept.get(lowered, kept[None])
        out, find, last = 0, text.find, len(starts) - 1
        for position, end in spans:
            while True:
                position = find(lowered, position, end)
                if position < 0:
                    break
                event = bisect_right(starts, position) - 1
                out |= 1 << event
                if event >= last:
                    break
                position = starts[event + 1]
        return out

    return evaluate


def _scan(slot: str, test: Callable[[object], bool], memo: tuple) -> Evaluator:
    """A test run once per distinct value among the events in question (the events of ``within``, when they
    are fewer than the distinct values); its answers are kept in the batch under ``memo`` (the test's
    identity: another evaluator with the same test asks no value twice)."""

    def evaluate(batch: Batch, within: int) -> int:
        seen = batch.memo.get(memo)
        if seen is None:
            seen = batch.memo[memo] = {}
        out = 0
        if within.bit_count() < len(batch.distinct(slot)):
            column = batch.column(slot)
            for position in bits(within):
                value = column[position]
                hit = seen.get(value)
                if hit is None:
                    hit = seen[value] = test(value)
                if hit:
                    out |= 1 << position
            return out
        for value, mask in batch.index(slot).items():
            if mask & within:
                hit = seen.get(value)
                if hit is None:
                    hit = seen[value] = test(value)
                if hit:
                    out |= mask
        return out

    return evaluate


def _below(slot: str, target, *, inclusive: bool) -> Callable[[Batch], int]:
    """Mask of the events whose value is < target (<= when ``inclusive``)."""
    cut = bisect_right if inclusive else bisect_left

    def evaluate(batch: Batch) -> int:
        values, below = batch.sorted_values(slot)
        return below[cut(values, target)]

    return evaluate


def _comparison(node: Comparison) -> Evaluator:
    slot, op, target = node.slot, node.operator, node.value
    key = (slot, 0)
    if op == "equals":
        return lambda batch, within: _mask(batch, key, target)
    if op == "not_equals":
        return lambda batch, within: batch.all ^ _mask(batch, key, target)
    if op == "within":
        members = tuple(frozenset(target))

        def evaluate(batch: Batch, within: int) -> int:
            out = 0
            for member in members:
                out |= _mask(batch, key, member)
            return out

        return evaluate
    if op == "contains":
        return _contains(slot, target)
    if op in ("has_prefix", "has_suffix"):
        if not target:
            return lambda batch, within: batch.all
        cut = len(target) if op == "has_prefix" else -len(target)
        cut_key = (slot, cut)
        return lambda batch, within: _mask(batch, cut_key, target)
    if op == "matches":
        pattern = regex.compile_pattern(target)
        return _scan(slot, lambda value: regex.search(pattern, value), ("matches", slot, target))
    if op == "smaller_than":
        less = _below(slot, target, inclusive=False)
        return lambda batch, within: less(batch)
    if op == "smaller_or_equals":
        at_most = _below(slot, target, inclusive=True)
        return lambda batch, within: at_most(batch)
    if op == "greater_than":
        at_most = _below(slot, target, inclusive=True)
        return lambda batch, within: batch.all ^ at_most(batch)
    if op == "greater_or_equals":
        less = _below(slot, target, inclusive=False)
        return lambda batch, within: batch.all ^ less(batch)
    if op == "between":
        less, at_most = _below(slot, target[0], inclusive=False), _below(slot, target[1], inclusive=True)
        return lambda batch, within: at_most(batch) & ~less(batch)
    raise AssertionError(op)  # pragma: no cover


def _cost(node) -> int:
    """A rough rank, so an AND tries its cheap operands first (the operands have no side effects, so the
    order never changes the answer): index look-ups, then substring search, then regular expressions."""
    if isinstance(node, Comparison):
        if node.operator == "matches":
            return 3
        return 2 if node.operator == "contains" else 1
    if isinstance(node, Not):
        return _cost(node.operand)
    return 1 + max(_cost(child) for child in node.operands)


def to_batch(node) -> Evaluator:
    """The evaluator of a parsed criteria over a :class:`Batch` (see :data:`Evaluator`)."""
    if isinstance(node, Comparison):
        return _comparison(node)
    if isinstance(node, Not):
        inner = to_batch(node.operand)
        return lambda batch, within: within & ~inner(batch, within)
    assert isinstance(node, BoolOp)
    if node.op == "and":
        parts = tuple(to_batch(child) for child in sorted(node.operands, key=_cost))

        def evaluate_and(batch: Batch, within: int) -> int:
            for part in parts:
                within &= part(batch, within)
                if not within:
                    return 0
            return within

        return evaluate_and
    parts = tuple(to_batch(child) for child in node.operands)

    def evaluate_or(batch: Batch, within: int) -> int:
        out = 0
        for part in parts:
            found = part(batch, within) & within
            out |= found
            within ^= found
            if not within:
                break
        return out

    return evaluate_or


def first_matches(batch: Batch, evaluators: list[tuple[object, Evaluator]], eligible: int) -> list:
    """For each event of ``batch``, the key of the first evaluator (in the given order) that matches it, or
    None; only the events of ``eligible`` are considered. One pass over the evaluators, none over the events:
    each evaluator sees only the events no earlier one took."""
    found: list = [None] * batch.size
    remaining = eligible & batch.all
    for key, evaluate in evaluators:
        if not remaining:
            break
        hit = evaluate(batch, remaining) & remaining
        if hit:
            remaining ^= hit
            for position in bits(hit):
                found[position] = key
    return found
