"""A plain-Python reference of the reliability indices, written from IEEE 1366's definitions and the rules of
docs/outages.md, over an outage history as the OMS told it (the messages, not the stored spells): the property
test (``test_reliability_property.py``) holds the SQL to it.

Definitions: a customer's interruption in an outage runs from the outage's start (or, when a later message added
the customer, from that message, if later) to the completion (or, when a full list dropped the customer, to that
message, if earlier). One customer's overlapping or touching interruptions are one. Sustained: longer than the
threshold (minutes); momentary: the others. SAIFI = sustained customer interruptions / N; SAIDI = their minutes / N;
CAIDI = SAIDI / SAIFI; CAIFI = sustained interruptions / customers with one; ASAI = 1 - minutes / (N x period
minutes); MAIFI = momentary interruptions / N; CEMI-n = customers with more than n sustained interruptions / N;
CELID-t = customers with one sustained interruption (single) or their sustained minutes in all (total) over t
hours / N. Major event day: daily SAIDI over exp(alpha + 2.5 beta), alpha and beta the mean and sample deviation
of ln(daily SAIDI)
over the non-zero days of the five years before the period.
"""

import math
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass
class Message:
    received_at: datetime
    customers: frozenset | None = None  # None: no customer list in this message
    incremental: bool = False


@dataclass
class Outage:
    start: datetime | None
    completion: datetime | None
    outage_type: str = "C1UP"
    discarded: bool = False
    messages: list[Message] = field(default_factory=list)


def spells(outage: Outage) -> list[tuple[tuple, datetime | None, datetime | None]]:
    """(customer, added or None for the first list, dropped or None) from the messages, in order."""
    members: dict = {}  # customer -> index of its open spell
    out: list[list] = []
    seen_any = False
    for message in outage.messages:
        if message.customers is None:
            continue
        new = set(message.customers) if not message.incremental else set(members) | set(message.customers)
        first = not seen_any
        if not message.incremental:
            for customer in [c for c in members if c not in new]:
                out[members.pop(customer)][2] = message.received_at
        for customer in sorted(new - set(members)):
            members[customer] = len(out)
            out.append([customer, None if first else message.received_at, None])
        seen_any = seen_any or bool(out)
    return [tuple(spell) for spell in out]


def interruptions(outages: list[Outage], *, include_planned: bool) -> dict[tuple, list[tuple]]:
    """Per customer, its merged interruptions: (start, end, type)."""
    per_customer: dict = {}
    for outage in outages:
        if outage.discarded or outage.start is None or outage.completion is None:
            continue
        if outage.outage_type == "C1PL" and not include_planned:
            continue
        for customer, added, dropped in spells(outage):
            start = outage.start if added is None else max(outage.start, added)
            end = outage.completion if dropped is None else min(outage.completion, dropped)
            if end > start:
                per_customer.setdefault(customer, []).append((start, end, outage.outage_type))
    merged = {}
    for customer, spans in per_customer.items():
        spans.sort(key=lambda s: (s[0], s[1]))
        islands: list[list] = []
        for start, end, kind in spans:
            if islands and start <= islands[-1][1]:
                islands[-1][1] = max(islands[-1][1], end)
                islands[-1][2] = max(islands[-1][2], kind)
            else:
                islands.append([start, end, kind])
        merged[customer] = [tuple(island) for island in islands]
    return merged


def _minutes(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 60


def compute(
    outages: list[Outage],
    *,
    start: date,
    end: date,
    zone: str,
    served: int,
    include_planned: bool = False,
    exclude_major_event_days: bool = False,
    threshold: float = 5.0,
    cemi_n: int = 3,
    celid_hours: float = 8.0,
) -> dict:
    tz = ZoneInfo(zone)
    since, until = (datetime.combine(d, time(0), tzinfo=tz) for d in (start, end))
    history_since = datetime.combine(start.replace(year=start.year - 5), time(0), tzinfo=tz)
    merged = interruptions(outages, include_planned=include_planned)

    def day_of(moment: datetime) -> date:
        return moment.astimezone(tz).date()

    daily: dict[date, float] = {}
    for spans in merged.values():
        for s, e, _ in spans:
            if history_since <= s < until and _minutes(s, e) > threshold:
                daily[day_of(s)] = daily.get(day_of(s), 0.0) + _minutes(s, e)
    meds: list[date] = []
    history = [math.log(m / served) for d, m in daily.items() if d < start and m > 0] if served else []
    if len(history) >= 2:
        limit = math.exp(statistics.mean(history) + 2.5 * statistics.stdev(history))
        meds = sorted(d for d, m in daily.items() if d >= start and m / served > limit)
    excluded = set(meds) if exclude_major_event_days else set()

    interrupted = interruptions_n = momentary = cemi = single = total = 0
    cmi = 0.0
    for spans in merged.values():
        mine = [(s, e) for s, e, _ in spans if since <= s < until and day_of(s) not in excluded]
        sustained = [_minutes(s, e) for s, e in mine if _minutes(s, e) > threshold]
        momentary += len(mine) - len(sustained)
        if sustained:
            interrupted += 1
        interruptions_n += len(sustained)
        cmi += sum(sustained)
        cemi += len(sustained) > cemi_n
        single += any(m > celid_hours * 60 for m in sustained)
        total += sum(sustained) > celid_hours * 60
    period = _minutes(since, until)

    def per(value):
        return value / served if served else None

    return {
        "saifi": per(interruptions_n),
        "saidi": per(cmi),
        "caidi": cmi / interruptions_n if interruptions_n else None,
        "caifi": interruptions_n / interrupted if interrupted else None,
        "asai": 1 - cmi / (served * period) if served and period else None,
        "maifi": per(momentary),
        "cemi": per(cemi),
        "celid_single": per(single),
        "celid_total": per(total),
        "customers_served": served,
        "customers_interrupted": interrupted,
        "customer_interruptions": interruptions_n,
        "customer_minutes_interrupted": cmi,
        "major_event_days": [d.isoformat() for d in meds],
    }


def at(day: date, minutes: float, zone: str = "UTC") -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)) + timedelta(minutes=minutes)
