"""The policies ingest applies at an instant, compiled, and kept per process between requests.

Reading and compiling the active policies cost a request about as much as matching 500 events against them
(1,000 policies, measured), so each process keeps the last answer and reuses it while both hold:

- the policy set has not changed: every write to policies through the services (create, update, enable,
  disable, delete, a window transition of the tick) calls :func:`policy_set_changed` in its transaction, which
  replaces the ``blackouts.policies`` :class:`core.models.CacheToken`; a request reads that one row and
  recomputes when the token differs;
- the instant is inside the span the answer was computed for: from the instant it was computed at to the next
  window edge of any enabled policy (a window that opens or closes, as the schedule cache or the engine says).

A write that bypasses the services (a data migration, a shell) must call :func:`policy_set_changed`, or restart
the workers, to be seen by ingest at once. Without the token row (a flushed database) nothing is cached. The
search keeps its totals under the same token (``selectors.policy_search_page``).
"""

import logging
from datetime import datetime
from typing import NamedTuple

from django.db.models import BooleanField, ExpressionWrapper, Min, Q

from core import criteria
from core.errors import Invalid
from core.models import CacheToken

from . import windows
from .event_slots import EVENT_SLOTS
from .models import BlackoutPolicy

logger = logging.getLogger(__name__)

POLICY_SET = "blackouts.policies"  # the CacheToken every policy write replaces (not a secret)

_COMPILED: dict = {}


def _evaluator(name: str, selector_criteria: str) -> tuple[criteria.Evaluator, object] | None:
    """A selector compiled for batches, and its parsed criteria, once per criteria text and kept
    across requests (an edited policy's new text is compiled afresh); None for a stored criteria that no longer
    compiles (a rule tightened since): it never matches and never fails a batch (the warning is logged when it
    is first met)."""
    try:
        return _COMPILED[selector_criteria]
    except KeyError:
        pass
    if len(_COMPILED) > 20000:
        _COMPILED.clear()
    try:
        node = criteria.parse(selector_criteria, EVENT_SLOTS)
        found = (criteria.to_batch(node), node)
    except Invalid as exc:
        logger.warning("blackout policy %s is skipped at ingest: %s", name, exc.message)
        found = None
    _COMPILED[selector_criteria] = found
    return found


def _scheduled(*, now: datetime):
    """Enabled policies whose cached window has started, lowest executionOrder first (then name)."""
    return BlackoutPolicy.objects.filter(enabled=True, window_start__lte=now, window_end__isnull=False).by_precedence()


def _engine_window(policy: BlackoutPolicy, now: datetime) -> tuple[bool, datetime | None]:
    """Is a window of this policy open at ``now`` (the engine's answer, for a stale schedule cache), and when
    does that answer next change (the open window's end, else the next window's start; None: never). A stored
    timeframe the engine no longer reads is skipped, never fails a batch."""
    try:
        tf = policy.parsed_timeframe
        active = windows.active_window(tf, now)
        if active is not None:
            return True, active.end
        upcoming = windows.next_window(tf, now)
        return False, upcoming.start if upcoming else None
    except Invalid as exc:
        logger.warning("blackout policy %s is skipped at ingest: %s", policy.name, exc.message)
        return False, None


def active_policies(*, now: datetime) -> list[BlackoutPolicy]:
    """Enabled policies whose window contains ``now``, lowest executionOrder first."""
    return [p for p in _scheduled(now=now) if p.window_end > now or _engine_window(p, now)[0]]


class ActiveSet(NamedTuple):
    token: object  # the policy set's token when computed (None: not kept)
    since: datetime  # valid for instants in [since, until)
    until: datetime | None  # None: no edge ahead
    matcher: criteria.FirstMatch  # the policies' compiled selectors, in precedence order


def _compute(*, now: datetime, token) -> ActiveSet:
    """The active policies at ``now`` in precedence order, compiled, and the next edge that may change them:
    the earliest cached end among them, the earliest cached start of an enabled policy not yet started, and,
    where the schedule cache is stale (the tick has not moved it on yet), the engine's next edge."""
    cached_past = ExpressionWrapper(Q(window_end__lte=now), output_field=BooleanField())
    rows = list(
        _scheduled(now=now).annotate(stale=cached_past).values_list("pk", "name", "selector_criteria", "window_end")
    )
    edges = [end for _, _, _, end in rows if end > now]
    stale = [pk for pk, _, _, end in rows if end <= now]
    closed = set()
    for policy in BlackoutPolicy.objects.filter(pk__in=stale) if stale else ():
        is_open, edge = _engine_window(policy, now)
        if not is_open:
            closed.add(policy.pk)
        if edge is not None:
            edges.append(edge)
    starts = BlackoutPolicy.objects.filter(enabled=True, window_start__gt=now).aggregate(first=Min("window_start"))
    if starts["first"] is not None:
        edges.append(starts["first"])
    out = []
    for pk, name, selector_criteria, _ in rows:
        if pk not in closed:
            compiled = _evaluator(name, selector_criteria)
            if compiled is not None:
                out.append((pk, *compiled))
    return ActiveSet(token, now, min(edges, default=None), criteria.FirstMatch(out))


_LAST: ActiveSet | None = None  # replaced whole (one assignment), so threads of a process share it safely


def active_matcher(*, now: datetime) -> criteria.FirstMatch:
    """The compiled selectors of the policies active at ``now``, in precedence order, keyed by policy id (a
    ``criteria.FirstMatch``, with its guards' look-up tables built once per policy set): the kept answer when
    the policy set's token is the same and ``now`` is inside its span (one query), else computed afresh (two
    queries, three when a schedule cache is stale) and kept."""
    global _LAST
    token = CacheToken.current(POLICY_SET)
    last = _LAST
    if (
        last is not None
        and token is not None
        and last.token == token
        and last.since <= now
        and (last.until is None or now < last.until)
    ):
        return last.matcher
    found = _compute(now=now, token=token)
    _LAST = found if token is not None else None
    return found.matcher


def forget() -> None:
    """Drop this process's kept answer (tests: each starts without another test's policies)."""
    global _LAST
    _LAST = None


def policy_set_changed() -> None:
    """Tell every process's ingest that the policies changed (in the caller's transaction): a new token."""
    CacheToken.replace(POLICY_SET)
