"""Reads that are more than one queryset: policy search, the active set, the calendar, the preview."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from core import criteria
from core.errors import Invalid, NotFound
from core.models import CacheToken

from . import active_set, policy_input, windows
from .event_slots import EVENT_SLOTS
from .models import BlackoutPolicy, Event, EventStatus

SORT_FIELDS = {
    "name": "name",
    "description": "description",
    "executionOrder": "execution_order",
    "enabled": "enabled",
    "creationTime": "created_at",
    "modificationTime": "modified_at",
}


def policy_get(*, policy_id) -> BlackoutPolicy:
    """One policy; :class:`NotFound` (``blackouts.policy_not_found``) if there is none."""
    policy = BlackoutPolicy.objects.filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(f"No blackout policy with id {policy_id}", code="blackouts.policy_not_found", id=str(policy_id))
    return policy


def policy_search(*, text: str = "", sort: str = "name", descending: bool = False) -> QuerySet:
    """Policies whose name or description contains ``text`` (case-insensitive), in a stable order."""
    queryset = BlackoutPolicy.objects.all()
    text = text.strip()
    if text:
        queryset = queryset.filter(Q(name__icontains=text) | Q(description__icontains=text))
    field = SORT_FIELDS[sort]
    return queryset.order_by(f"-{field}" if descending else field, "pk")


_TOTALS: tuple = (None, {})  # (the policy set's token, {search text: total}), replaced whole


def forget_search_totals() -> None:
    """Drop this process's kept totals (tests: each starts without another test's policies)."""
    global _TOTALS
    _TOTALS = (None, {})


def policy_search_page(
    *, text: str = "", sort: str = "name", descending: bool = False, page: int = 1, per_page: int = 25
) -> tuple[list[BlackoutPolicy], int]:
    """One page of :func:`policy_search` and the number of policies it matches.

    The page is read apart from the total, in index order with a ``LIMIT`` (at 100,000 policies a
    ``COUNT(*) OVER ()`` beside the page sorted every match with every column: 200 ms a search, measured). A
    short page that is not empty, or an empty first page, says the total; otherwise the total is one ``COUNT``
    (a scan of every policy's name and description), kept per process for the search text while the policy set's
    token (``active_set.POLICY_SET``, replaced by every policy write) is unchanged: paging through a result, or
    searching the same text again, counts once."""
    queryset = policy_search(text=text, sort=sort, descending=descending)
    offset = (page - 1) * per_page
    rows = list(queryset[offset : offset + per_page])
    if 0 < len(rows) < per_page or (not rows and offset == 0):
        return rows, offset + len(rows)
    global _TOTALS
    token = CacheToken.current(active_set.POLICY_SET)  # read before the count: a later write changes it
    kept_token, counts = _TOTALS
    if token is None or kept_token != token:
        counts = {}
        _TOTALS = (token, counts)
    key = text.strip()
    total = counts.get(key)
    if total is None:
        total = queryset.count()
        if token is not None and len(counts) < 1000:
            counts[key] = total
    return rows, total


@dataclass
class CalendarBar:
    start: datetime
    end: datetime
    left: float  # percent of the range
    width: float


@dataclass
class CalendarRow:
    policy: BlackoutPolicy
    bars: list[CalendarBar]


def policy_calendar(*, start: datetime, days: int = 14, end: datetime | None = None) -> list[CalendarRow]:
    """Every enabled policy's windows over ``[start, end)`` (default ``start + days``) as bars positioned in
    percent of that range."""
    end = end or start + timedelta(days=days)
    total = (end - start).total_seconds()
    rows = []
    for policy in BlackoutPolicy.objects.filter(enabled=True).by_precedence():
        bars = []
        try:
            found = windows.windows_between(policy.parsed_timeframe, start, end)[:500]
        except Invalid:  # a stored timeframe the engine no longer reads (the policy shows its error): no bars
            found = []
        for window in found:
            left = max(window.start, start)
            right = min(window.end, end)
            bars.append(
                CalendarBar(
                    start=window.start,
                    end=window.end,
                    left=round((left - start).total_seconds() / total * 100, 3),
                    width=max(round((right - left).total_seconds() / total * 100, 3), 0.15),
                )
            )
        rows.append(CalendarRow(policy, bars))
    return rows


# --- Preview: what a policy (saved or not) would do ----------------------------------------------------------------
PREVIEW_MAX_WINDOWS = 50
PREVIEW_MAX_SAMPLE = 50
PREVIEW_FIELDS = ("selector_criteria", "timeframe")


@dataclass
class PreviewWindow:
    start: datetime  # UTC
    end: datetime
    start_local: datetime  # in the policy's zone (its UTC offset says whether DST applies)
    end_local: datetime
    open_now: bool


@dataclass
class PolicyPreview:
    zone: str
    windows: list[PreviewWindow]
    matching_events: int  # current (not CLOSED) events the criteria match
    open_matching_events: int  # ... of which OPEN: what a window start blacks out
    sample: list  # Event instances, newest first


def policy_preview(*, fields: dict, now: datetime, window_count: int = 5, sample_size: int = 10) -> PolicyPreview:
    """The next ``window_count`` windows of a policy (the one open at ``now`` first, if any) in its zone and in UTC,
    and the current events its criteria match, with a sample. ``fields`` are policy fields (``selector_criteria``,
    ``timeframe``), saved or not: they go through the one policy validator (``policy_input.clean_policy``), so a
    bad value is the same :class:`Invalid` the admin form and the wire API give."""
    if not 1 <= window_count <= PREVIEW_MAX_WINDOWS:
        raise Invalid(f"windows must be 1-{PREVIEW_MAX_WINDOWS}", code="blackouts.invalid_preview", field="windows")
    if not 0 <= sample_size <= PREVIEW_MAX_SAMPLE:
        raise Invalid(f"sample must be 0-{PREVIEW_MAX_SAMPLE}", code="blackouts.invalid_preview", field="sample")
    given = {name: fields.get(name) for name in PREVIEW_FIELDS}
    others = set(BlackoutPolicy.INPUT_FIELDS) - set(PREVIEW_FIELDS)
    cleaned = policy_input.clean_policy(given, skip=others)
    tf = windows.parse_timeframe(cleaned["timeframe"])
    found: list[windows.Window] = []
    current = windows.current_or_next_window(tf, now)
    while current is not None and len(found) < window_count:
        found.append(current)
        current = windows.next_window(tf, current.start)
    matching = Event.objects.exclude(status=EventStatus.CLOSED).filter(
        criteria.to_q(criteria.parse(cleaned["selector_criteria"], EVENT_SLOTS), EVENT_SLOTS)
    )
    with criteria.bounded():
        counts = matching.aggregate(total=Count("pk"), open=Count("pk", filter=Q(status=EventStatus.OPEN)))
        sample = list(matching.order_by("-id")[:sample_size]) if sample_size else []
    return PolicyPreview(
        zone=tf.zone.key,
        windows=[
            PreviewWindow(w.start, w.end, w.start.astimezone(tf.zone), w.end.astimezone(tf.zone), w.contains(now))
            for w in found
        ],
        matching_events=counts["total"],
        open_matching_events=counts["open"],
        sample=sample,
    )
