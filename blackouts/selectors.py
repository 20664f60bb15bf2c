"""Reads that are more than one queryset: policy search, the active set, the calendar."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from core.errors import Invalid, NotFound

from . import windows
from .models import BlackoutPolicy

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


def policy_calendar(*, start: datetime, days: int = 14) -> list[CalendarRow]:
    """Every enabled policy's windows over ``[start, start + days)`` as bars positioned in percent."""
    end = start + timedelta(days=days)
    total = (end - start).total_seconds()
    rows = []
    for policy in BlackoutPolicy.objects.filter(enabled=True).order_by("execution_order", "name"):
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
