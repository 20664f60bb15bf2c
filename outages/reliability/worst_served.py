"""The worst-served customers: those CEMI-n and CELID-t count, one row each, streamed from the SQL."""

from collections.abc import Iterator

from . import intervals
from .indices import customers_served, major_event_days_of
from .query import ReliabilityQuery

LISTS = {
    "cemi": ("sustained", "more than cemi_n sustained interruptions"),
    "celid_single": ("longest", "one sustained interruption longer than celid_hours"),
    "celid_total": ("sustained_minutes", "more than celid_hours of sustained interruptions in all"),
}
COLUMNS = ("account_id", "sp_id", "sustained_interruptions", "sustained_minutes", "longest_minutes", "momentary")


def worst_served_customers(query: ReliabilityQuery, which: str) -> Iterator[dict]:
    """The customers of ``which`` (:data:`LISTS`) over ``query``'s period, ordered by account and service point."""
    having, _ = LISTS[which]
    bound = query.cemi_n if which == "cemi" else query.celid_hours * 60
    excluded = major_event_days_of(query, customers_served(query))[0] if query.exclude_major_event_days else ()
    rows = intervals.customers(
        since=query.since,
        until=query.until,
        zone=query.zone,
        include_planned=query.include_planned,
        threshold=query.threshold,
        excluded_days=excluded,
        having=having,
        bound=bound,
    )
    for account_id, sp_id, sustained, minutes, longest, momentary in rows:
        yield {
            "account_id": account_id,
            "sp_id": sp_id,
            "sustained_interruptions": int(sustained),
            "sustained_minutes": float(minutes),
            "longest_minutes": float(longest),
            "momentary": int(momentary),
        }
