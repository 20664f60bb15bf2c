"""The criteria language, a library: parse, then compile three ways. Blackout policies select events with it
(``eventSelectorCriteria``), webhook subscriptions filter payloads with it (``core.changes``); each declares what
its slot names read (:class:`Slots`) and passes that in. It imports no app and no web code (``.importlinter``).

``( class equals 'EVENT' ) AND NOT msg contains 'test' OR severity within ['MAJOR','CRITICAL']``

- ``language``: the lark grammar, the AST, :class:`Slots` and :func:`parse` (an invalid criteria is a
  :class:`core.errors.Invalid` with code ``blackouts.invalid_criteria`` naming the position and the token);
- ``compile``: the same AST as a Django ``Q`` (bulk work in the database: blackout window start/end) and as a
  Python predicate (one event), which agree on every event;
- ``batch``: the same AST evaluated over a whole batch of events at once (blackouts ingest: bit masks and
  per-batch indexes, no call per event), equal to the predicate on every event;
- ``dispatch``: many criteria in precedence order over one batch (``FirstMatch``), evaluating only those whose
  ``guard`` (a required value or substring) the batch holds;
- ``regex``: the ``matches`` dialect, linear-time (RE2) and read the same way by PostgreSQL, within a budget of
  expanded repetition (nested bounds multiply), summed over every ``matches`` of one criteria;
- ``bounded``: every query that evaluates criteria runs under ``CRITERIA_STATEMENT_TIMEOUT_MS`` (a window edge's
  under ``CRITERIA_WINDOW_TIMEOUT_MS``, ``window_timeout_ms``); a statement stopped by it is
  :class:`core.errors.Invalid` ``blackouts.criteria_timeout``.
- ``tmf``: TMF630's filter query (a TMF hub listener's ``eventType=…&event.service.state=active``), parsed and
  judged on a JSON document; webhook delivery judges a TMF638 listener's events with it (``core.changes``).

The three compilers are held equal by one property test over random criteria and events, on SQLite and on
PostgreSQL (``tests/core/test_criteria_compilers.py``); the predicate and the batch read a slot by one rule
(``Slots.reader``).

Semantics, chosen to be identical in Python, SQLite and PostgreSQL:

- Text slots compare as text; a missing free slot reads as the empty string.
- ``equals``/``not_equals``/``within``/``has_prefix``/``has_suffix`` are case-sensitive; ``contains`` is
  case-insensitive (ASCII letters; SQLite's ``LIKE`` folds only ASCII); ``matches`` is a regular expression
  searched anywhere in the first 4,000 characters of the value (``criteria.regex`` says which patterns).
- ``greater_than``, ``smaller_than``, ``greater_or_equals``, ``smaller_or_equals`` and ``between [min,max]``
  (inclusive) are numeric and only apply to the numeric slots (blackouts: ``repeat_count``); on a text slot they
  are a 400, since text ordering differs between database collations and Python.
"""

from .batch import Batch, Evaluator, first_matches, to_batch
from .bounded import bounded, window_timeout_ms
from .compile import to_predicate, to_q
from .dispatch import FirstMatch, Guard, guard
from .language import CODE, MAX_LENGTH, BoolOp, Comparison, Not, Slots, parse, patterns
from .regex import MAX_PATTERN, MAX_SUBJECT, check_in_database

__all__ = [
    "CODE",
    "MAX_LENGTH",
    "MAX_PATTERN",
    "MAX_SUBJECT",
    "Batch",
    "BoolOp",
    "Comparison",
    "Evaluator",
    "FirstMatch",
    "Guard",
    "Not",
    "Slots",
    "bounded",
    "check_in_database",
    "first_matches",
    "guard",
    "parse",
    "patterns",
    "to_batch",
    "to_predicate",
    "to_q",
    "window_timeout_ms",
]
