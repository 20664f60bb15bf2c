"""IEEE 1366 indices over a period, from the customer interruptions (``intervals``), the customers served
(``core.served``) and the major event days (``major_events``)."""

from dataclasses import dataclass, field
from datetime import date, datetime

from core import served

from . import intervals
from .major_events import major_event_days, med_threshold
from .query import ReliabilityQuery


@dataclass(frozen=True)
class Figures:
    """The counts of one period (or one group of it) and the indices they give; an index is ``None`` when what
    divides it is zero (no customers served, no customer interrupted)."""

    customers_served: int
    customers_interrupted: int = 0
    customer_interruptions: int = 0
    customer_minutes_interrupted: float = 0.0
    momentary_interruptions: int = 0
    cemi_customers: int = 0
    celid_single_customers: int = 0
    celid_total_customers: int = 0
    period_minutes: float = 0.0

    def _per_served(self, value: float) -> float | None:
        return value / self.customers_served if self.customers_served else None

    def indices(self) -> dict:
        n = self.customers_served
        capacity = n * self.period_minutes
        return {
            "saifi": self._per_served(self.customer_interruptions),
            "saidi": self._per_served(self.customer_minutes_interrupted),
            "caidi": (
                self.customer_minutes_interrupted / self.customer_interruptions if self.customer_interruptions else None
            ),
            "caifi": (self.customer_interruptions / self.customers_interrupted if self.customers_interrupted else None),
            "asai": 1 - self.customer_minutes_interrupted / capacity if capacity else None,
            "maifi": self._per_served(self.momentary_interruptions),
            "cemi": self._per_served(self.cemi_customers),
            "celid_single": self._per_served(self.celid_single_customers),
            "celid_total": self._per_served(self.celid_total_customers),
            "customers_served": n,
            "customers_interrupted": self.customers_interrupted,
            "customer_interruptions": self.customer_interruptions,
            "customer_minutes_interrupted": self.customer_minutes_interrupted,
        }


@dataclass(frozen=True)
class Reliability:
    query: ReliabilityQuery
    totals: Figures
    major_event_days: list[date]
    med_threshold: float | None
    groups: list[tuple[str, Figures]] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = self.totals.indices()
        out["major_event_days"] = [day.isoformat() for day in self.major_event_days]
        if self.query.group_by:
            out["groups"] = [{"group": key, **figures.indices()} for key, figures in self.groups]
        return out


def customers_served(query: ReliabilityQuery) -> int:
    """N_T: the override, or the customers with a service agreement in the master data (0 without one)."""
    if query.customers_served is not None:
        return query.customers_served
    provider = served.provider()
    return provider.total() if provider else 0


def major_event_days_of(query: ReliabilityQuery, n: int) -> tuple[list[date], float | None]:
    """The period's major event days and T_MED, from the daily SAIDI of the ``MED_YEARS`` before it."""
    if not n:
        return [], None
    daily = intervals.daily_minutes(
        since=query.instant(query.history_start),
        until=query.until,
        zone=query.zone,
        include_planned=query.include_planned,
        threshold=query.threshold,
    )
    history = [minutes / n for day, minutes in daily.items() if day < query.start]
    threshold = med_threshold(history)
    period = {day: minutes / n for day, minutes in daily.items() if day >= query.start}
    return major_event_days(period, threshold), threshold


def _figures(row, served_count: int, period_minutes: float) -> Figures:
    _, interrupted, interruptions, minutes, momentary, cemi, single, total = row
    return Figures(
        customers_served=served_count,
        customers_interrupted=int(interrupted or 0),
        customer_interruptions=int(interruptions or 0),
        customer_minutes_interrupted=float(minutes or 0),
        momentary_interruptions=int(momentary or 0),
        cemi_customers=int(cemi or 0),
        celid_single_customers=int(single or 0),
        celid_total_customers=int(total or 0),
        period_minutes=period_minutes,
    )


def _minutes_between(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds() / 60, 0.0)


def _month_key(value) -> str:
    return str(value)[:7]


def reliability_compute(query: ReliabilityQuery) -> Reliability:
    """The indices of ``query``'s period, with its major event days (and without them when it says so)."""
    n = customers_served(query)
    days, threshold = major_event_days_of(query, n)
    common = {
        "since": query.since,
        "until": query.until,
        "zone": query.zone,
        "include_planned": query.include_planned,
        "threshold": query.threshold,
        "excluded_days": days if query.exclude_major_event_days else (),
        "cemi_n": query.cemi_n,
        "celid_minutes": query.celid_hours * 60,
    }
    period_minutes = _minutes_between(query.since, query.until)
    rows = intervals.aggregates(**common)
    totals = _figures(rows[0], n, period_minutes) if rows else Figures(n, period_minutes=period_minutes)
    groups = []
    if query.group_by:
        provider = served.provider()
        attribute = query.group_by in served.ATTRIBUTES
        attribute_rows = provider.attribute_rows(query.group_by) if attribute and provider else None
        if attribute and attribute_rows is None:
            group_served: dict = {}
        else:
            group_served = provider.by_attribute(query.group_by) if attribute else {}
        for row in intervals.aggregates(
            **common, group=_group_sql(query, attribute_rows), attribute_rows=attribute_rows
        ):
            key = _month_key(row[0]) if query.group_by == "month" else str(row[0] or "")
            minutes = period_minutes
            if query.group_by == "month":
                first = date.fromisoformat(f"{key}-01")
                following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
                minutes = _minutes_between(
                    max(query.instant(first), query.since), min(query.instant(following), query.until)
                )
            groups.append((key, _figures(row, group_served.get(key, 0) if attribute else n, minutes)))
    return Reliability(query=query, totals=totals, major_event_days=days, med_threshold=threshold, groups=groups)


def _group_sql(query: ReliabilityQuery, attribute_rows) -> str | None:
    """The group the SQL keys by: an attribute with no master data to join groups everything under ''."""
    if query.group_by in served.ATTRIBUTES and attribute_rows is None:
        return None
    return query.group_by


# The figures of a result, in the order the API's files and the admin's report show them.
INDEX_KEYS = (
    "saifi",
    "saidi",
    "caidi",
    "caifi",
    "asai",
    "maifi",
    "cemi",
    "celid_single",
    "celid_total",
    "customers_served",
    "customers_interrupted",
    "customer_interruptions",
    "customer_minutes_interrupted",
)
