"""Many criteria over one batch, in precedence order, dispatched by guards (ingest's active policies).

Each criteria has a :func:`guard`: values of which an event must hold one to match. :class:`FirstMatch` checks
the guards of all of them against a :class:`~core.criteria.batch.Batch` at once (a set intersection per slot for
values, one RE2 set search per slot for prefixes, suffixes and substrings) and evaluates only the criteria whose
guard the batch meets, and those without one. Its answer is :func:`~core.criteria.batch.first_matches`'s: a
property test holds the dispatch equal to that plain loop over random criteria and batches
(``tests/core/test_criteria_compilers.py``).
"""

from collections.abc import Iterator

import re2

from .batch import SEPARATOR, Batch, Evaluator, bits
from .language import Comparison, Not

SPAN = 64  # events per span of the joined column that ``FirstMatch`` searches for substrings at once


Guard = frozenset
"""Keys of which an event must hold one for a criteria to match it: ``(slot, cut, value)``, the event's
``Batch.index(slot, cut)`` key is ``value``, or ``(slot, None, text)``, its lowered value holds ``text``."""


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeError:  # a lone surrogate (JSON allows one): RE2 reads UTF-8 only
        return False
    return True


def guard(node) -> Guard | None:
    """A necessary condition of ``node`` that a whole batch can be checked against at once: keys of which an event
    must hold one for ``node`` to match it (:data:`Guard`); None when there is none (the criteria is always
    evaluated). ``equals``, ``within`` (one key per member: ``within []`` has none, and matches nothing),
    ``has_prefix``/``has_suffix`` with a target, and ``contains`` with a target (lowered; not one holding
    :data:`SEPARATOR` or a lone surrogate) give their keys; an ``AND`` needs one of its operands' (the fewest
    keys), an ``OR`` all of them (their union); ``NOT``, ``not_equals``, the numeric orderings, ``matches`` and
    empty targets give none."""
    if isinstance(node, Comparison):
        slot, op, target = node.slot, node.operator, node.value
        if op == "equals":
            return frozenset({(slot, 0, target)})
        if op == "within":
            return frozenset((slot, 0, member) for member in target)
        if op in ("has_prefix", "has_suffix") and target:
            return frozenset({(slot, len(target) if op == "has_prefix" else -len(target), target)})
        if op == "contains" and target:
            lowered = target.lower()
            if SEPARATOR not in lowered and _encodable(lowered):
                return frozenset({(slot, None, lowered)})
        return None
    if isinstance(node, Not):
        return None
    found = [guard(child) for child in node.operands]
    if node.op == "and":
        known = [keys for keys in found if keys is not None]
        # The fewest keys; on a tie, index keys rather than substrings (a set look-up, not a search).
        return min(known, key=lambda keys: (len(keys), any(cut is None for _, cut, _ in keys)), default=None)
    if any(keys is None for keys in found):
        return None
    return frozenset().union(*found)


def _substring_set(targets: list[str]):
    """An RE2 set searching for every target at once (literals, UTF-8), the empty text first: found in any text,
    it tells a search that ran to its end from one RE2 gave up on (out of memory: no answer at all). None when
    RE2 cannot build it."""
    options = re2.Options()
    options.literal = True
    options.log_errors = False
    options.max_mem = 32 << 20
    found = re2.Set.SearchSet(options)
    try:
        found.Add("")
        for target in targets:
            found.Add(target)
        found.Compile()
    except re2.error:
        return None
    return found


def _texts(node) -> Iterator[tuple[str, str]]:
    """``(slot, lowered target)`` of every ``contains`` of ``node`` that a set search can look for."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Comparison):
            if item.operator == "contains" and item.value:
                lowered = item.value.lower()
                if SEPARATOR not in lowered and _encodable(lowered):
                    yield item.slot, lowered
        elif isinstance(item, Not):
            stack.append(item.operand)
        else:
            stack.extend(item.operands)


class FirstMatch:
    """:func:`first_matches` over a fixed list of ``(key, evaluator, node)`` in precedence order (``node``: the
    parsed criteria the evaluator was compiled from), compiled once for many batches (ingest keeps one per active
    policy set). A batch evaluates, in the given order, only the evaluators without a :func:`guard` and those
    whose guard some event of the batch meets: the ``equals``/``within`` keys of all the guards are looked up at
    once per slot (the batch's distinct values, a set intersection), the prefixes and suffixes at once per slot
    (one RE2 set search of the batch's values joined between separators, ``Batch.bounded``: no column of cut
    values per length), every ``contains`` target at once per slot (an RE2 set search of each span of
    :data:`SPAN` events of the batch's joined, lowered column; where each target was found is recorded in
    ``Batch.spans``, so a ``contains`` evaluated later searches only those spans, none for a target found
    nowhere). An evaluator whose guard
    no event meets matches no event, so it would take none and leave the others' answer unchanged: the result is
    :func:`first_matches`'s (a property test holds it, ``tests/core/test_criteria_compilers.py``)."""

    def __init__(self, entries: list[tuple[object, Evaluator, object]]):
        self.keys = [key for key, _, _ in entries]
        self.evaluators = [evaluate for _, evaluate, _ in entries]
        self.always: list[int] = []  # positions of the entries without a guard
        self.by_index: dict[tuple, dict] = {}  # (slot, cut) -> value -> positions
        ends: dict[str, dict] = {}  # slot -> separator + prefix, or suffix + separator -> positions
        texts: dict[str, dict] = {}  # slot -> lowered text -> positions of the entries it guards
        end_keys: dict[str, dict] = {}  # slot -> the ``ends`` key -> the (cut, value) keys it stands for
        for position, (_, _, node) in enumerate(entries):
            for slot, text in _texts(node):
                texts.setdefault(slot, {}).setdefault(text, [])
            keys = guard(node)
            if keys is None:
                self.always.append(position)
                continue
            for slot, cut, value in keys:
                if cut is None:
                    texts[slot][value].append(position)
                elif cut and _encodable(value):
                    end = SEPARATOR + value if cut > 0 else value + SEPARATOR
                    ends.setdefault(slot, {}).setdefault(end, []).append(position)
                    end_keys.setdefault(slot, {}).setdefault(end, set()).add((cut, value))
                else:
                    self.by_index.setdefault((slot, cut), {}).setdefault(value, []).append(position)
        # slot -> (RE2 set of the texts or None, the texts, the positions each guards)
        self.by_text = {
            slot: (_substring_set(list(table)), tuple(table), tuple(table.values())) for slot, table in texts.items()
        }
        # slot -> (RE2 set of the ends or None, the positions each guards, the (cut, value) keys of each)
        self.by_end = {
            slot: (
                _substring_set(list(table)),
                tuple(table.values()),
                tuple(tuple(end_keys[slot][end]) for end in table),
            )
            for slot, table in ends.items()
        }
        # (slot, cut) -> every value a guard looks up there: a batch indexes only those of them it holds
        self.universe: dict[tuple, frozenset] = {key: frozenset(table) for key, table in self.by_index.items()}
        for slot, (_, _, ends_of) in self.by_end.items():
            for pairs in ends_of:
                for cut, value in pairs:
                    self.universe[(slot, cut)] = self.universe.get((slot, cut), frozenset()) | {value}

    def __len__(self) -> int:
        return len(self.keys)

    def candidates(self, batch: Batch) -> list[int]:
        """Positions of the entries to evaluate on ``batch``, ascending (and ``batch.spans`` recorded)."""
        found = set(self.always)
        present: dict[tuple, set] = {}  # (slot, cut) -> the values of the universe the batch may hold
        for (slot, cut), table in self.by_index.items():
            held = present[(slot, cut)] = table.keys() & batch.distinct(slot, cut)
            for value in held:
                found.update(table[value])
        for slot, (searcher, owners, ends_of) in self.by_end.items():
            # A value with the prefix has it right after a separator (one inside a value only adds candidates).
            hits = _contained(searcher, batch.bounded(slot))
            for n in range(len(owners)) if hits is None else hits:
                found.update(owners[n])
                for cut, value in ends_of[n]:
                    present.setdefault((slot, cut), set()).add(value)
        for key, universe in self.universe.items():
            if key not in batch.indexes and key not in batch.known:
                # Exact for every value of the universe: those the batch holds are all in ``present``.
                held = present.get(key)
                batch.known[key] = (universe, batch.index_of(*key, held) if held else {})
        for slot, (searcher, texts, owners) in self.by_text.items():
            hits = self._search(batch, slot, searcher, texts)
            for n in range(len(texts)) if hits is None else hits:
                found.update(owners[n])
        return sorted(found)

    @staticmethod
    def _search(batch: Batch, slot: str, searcher, texts: tuple) -> list[int] | None:
        """Which of ``texts`` the lowered column holds (indexes; None: cannot tell), searched in spans of
        :data:`SPAN` events, and where (``batch.spans``: a ``contains`` then looks only in the spans that hold
        its text, and answers a text found nowhere without a search)."""
        text, starts = batch.joined_lower(slot)
        where: dict[int, list] = {}
        for first in range(0, len(starts), SPAN):
            begin = starts[first]
            end = starts[first + SPAN] - 1 if first + SPAN < len(starts) else len(text)
            hits = _contained(searcher, text[begin:end])
            if hits is None:
                return None
            for n in hits:
                where.setdefault(n, []).append((begin, end))
        spans: dict = dict.fromkeys(texts, ())
        spans.update((texts[n], tuple(found)) for n, found in where.items())
        spans[None] = ((0, len(text)),)
        batch.spans[slot] = spans
        return list(where)

    def __call__(self, batch: Batch, eligible: int) -> list:
        """For each event of ``batch``, the key of the first entry that matches it, or None (only the events of
        ``eligible`` are considered): what ``first_matches(batch, [(key, evaluator), ...], eligible)`` answers."""
        found: list = [None] * batch.size
        remaining = eligible & batch.all
        if not remaining:
            return found
        keys, evaluators = self.keys, self.evaluators
        for position in self.candidates(batch):
            hit = evaluators[position](batch, remaining) & remaining
            if hit:
                remaining ^= hit
                key = keys[position]
                for event in bits(hit):
                    found[event] = key
                if not remaining:
                    break
        return found


def _contained(searcher, text: str) -> list[int] | None:
    """Indexes of the texts ``searcher`` finds in ``text``; None when it cannot tell (no set, a lone surrogate in
    the text, or RE2 gave up)."""
    if searcher is None:
        return None
    try:
        matched = searcher.Match(text)
    except UnicodeError:
        return None
    if not matched or 0 not in matched:
        return None
    return [n - 1 for n in matched if n]
