"""Customer interruptions from the outage history, set-based in SQL (PostgreSQL, and SQLite 3.25+ with its window
functions): the one place their rules are written.

A customer's interval in an outage runs from the outage's start — or, for a customer a later message added (an
incremental update, or a full list naming it for the first time), from when that message was received, if later —
to the outage's completion, or to when a full list dropped the customer, if earlier (a step restoration). Only
restored outages count (an active one has no duration yet; a discarded one never counts). A customer's intervals
that overlap or touch merge into one interruption (two outages at once are one interruption, counted once, its
minutes once): the gaps-and-islands merge below, in one sort: per customer in order of start, an interval opens
an island when it starts after every earlier end (the running MAX of the ends before it); the island's start is
the latest opening start so far; its last interval is the one the next start leaves behind, and its end is the
running MAX there. No GROUP BY, except to group by outage type. An interruption belongs to the day, month and
period it starts in, whole; its type is the "highest" of its outages' (``C1UP`` > ``C1PL`` > blank: one unplanned
outage makes it unplanned).
"""

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection

from ..models import OutageCustomerSpell, OutageEvent, OutageState, OutageType


def _minutes(start: str, end: str) -> str:
    """Minutes from ``start`` to ``end``, exact to the millisecond on both databases."""
    if connection.vendor == "postgresql":
        return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 60.0)"
    return f"(ROUND((julianday({end}) - julianday({start})) * 86400000.0) / 60000.0)"


def _stamp(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


MERGED_BY_TYPE = """merged AS (
  SELECT account_id, sp_id, MAX(outage_type) AS outage_type, island_start AS started, MAX(run_max) AS ended
  FROM islands GROUP BY account_id, sp_id, island_start
"""
MERGED = """merged AS (
  SELECT account_id, sp_id, '' AS outage_type, island_start AS started, run_max AS ended
  FROM islands WHERE next_started IS NULL OR next_started > run_max
"""


def merged_sql(*, since: datetime, include_planned: bool, by_type: bool = False) -> tuple[str, list]:
    """``WITH … merged``: one row per customer interruption ending at or after ``since`` (account_id, sp_id,
    outage_type, started, ended). Intervals ending before ``since`` are left out before merging: an island that
    starts at or after ``since`` holds none of them, so the islands that start then are exact."""
    q = connection.ops.quote_name
    spells, events = q(OutageCustomerSpell._meta.db_table), q(OutageEvent._meta.db_table)
    planned = "" if include_planned else "AND e.outage_type <> %s "
    params: list = [OutageState.RESTORED, _stamp(since)] + ([] if include_planned else [OutageType.PLANNED])
    sql = f"""
WITH spans AS (
  SELECT s.id AS spell_id, s.account_id, s.sp_id, e.outage_type,
    CASE WHEN s.added_at IS NOT NULL AND s.added_at > e.start_date_time
      THEN s.added_at ELSE e.start_date_time END AS started,
    CASE WHEN s.dropped_at IS NOT NULL AND s.dropped_at < e.completion_date_time
      THEN s.dropped_at ELSE e.completion_date_time END AS ended
  FROM {spells} s JOIN {events} e ON e.id = s.event_id
  WHERE e.state = %s AND e.start_date_time IS NOT NULL AND e.completion_date_time >= %s {planned}
),
live AS (SELECT * FROM spans WHERE ended > started AND ended >= %s),
marked AS (
  SELECT account_id, sp_id, outage_type, started, ended, spell_id,
    MAX(ended) OVER (PARTITION BY account_id, sp_id ORDER BY started, ended, spell_id
      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max,
    MAX(ended) OVER (PARTITION BY account_id, sp_id ORDER BY started, ended, spell_id
      ROWS UNBOUNDED PRECEDING) AS run_max,
    LEAD(started) OVER (PARTITION BY account_id, sp_id ORDER BY started, ended, spell_id) AS next_started
  FROM live
),
islands AS (
  SELECT account_id, sp_id, outage_type, started, run_max, next_started,
    MAX(CASE WHEN prev_max IS NULL OR started > prev_max THEN started END) OVER (
      PARTITION BY account_id, sp_id ORDER BY started, ended, spell_id ROWS UNBOUNDED PRECEDING) AS island_start
  FROM marked
),
@MERGED@)"""  # noqa: S608 - table names from the models
    return sql.replace("@MERGED@", MERGED_BY_TYPE if by_type else MERGED), [*params, _stamp(since)]


def _offsets(zone: str, since: datetime, until: datetime) -> list[tuple[datetime | None, int]]:
    """The zone's UTC offsets (minutes) over [since, until): ``(from, offset)``, the first ``from`` None. Offset
    changes are found day by day, then to the minute by bisection."""
    tz = ZoneInfo(zone)

    def offset(instant: datetime) -> int:
        return int(instant.astimezone(tz).utcoffset().total_seconds() // 60)

    start = since.astimezone(UTC) - timedelta(days=1)
    out: list[tuple[datetime | None, int]] = [(None, offset(start))]
    day = start
    while day < until:
        following = day + timedelta(days=1)
        if offset(following) != out[-1][1]:
            low, high = day, following  # offset(low) is the current one, offset(high) the new one
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == out[-1][1] else (low, middle)
            out.append((high.replace(second=0, microsecond=0), offset(high)))
        day = following
    return out


def _local(kind: str, column: str, zone: str, since: datetime, until: datetime) -> tuple[str, tuple]:
    """The local day (or month) of ``column`` in ``zone``. PostgreSQL converts natively; on SQLite the zone's
    offsets over the period become a CASE over its native date functions (Django's per-row Python function for
    zones costs seconds on a million rows)."""
    if connection.vendor == "postgresql":
        if kind == "day":
            return connection.ops.datetime_cast_date_sql(column, (), zone)
        return connection.ops.datetime_trunc_sql("month", column, (), zone)
    shape = "date({c}, %s)" if kind == "day" else "strftime('%%Y-%%m', {c}, %s)"
    offsets = _offsets(zone, since, until)
    if len(offsets) == 1:
        return shape.format(c=column), (f"{offsets[0][1]:+d} minutes",)
    whens, params = [], []
    for (_, current), (change, _) in itertools.pairwise(offsets):
        whens.append(f"WHEN {column} < %s THEN {shape.format(c=column)}")
        params += [_stamp(change.replace(tzinfo=None).replace(tzinfo=UTC)), f"{current:+d} minutes"]
    sql = f"CASE {' '.join(whens)} ELSE {shape.format(c=column)} END"
    return sql, (*params, f"{offsets[-1][1]:+d} minutes")


def _attribute_join(rows_queryset) -> tuple[str, tuple]:
    sql, params = rows_queryset.query.sql_with_params()
    return f"LEFT JOIN ({sql}) attr ON attr.sp = m.sp_id", params


def periodic_sql(
    *, since: datetime, until: datetime, zone: str, include_planned: bool, group: str | None, attribute_rows=None
) -> tuple[str, list]:
    """``WITH … periodic``: the interruptions starting in [since, until), each with its group key (``grp``),
    its local day (``day``) and its minutes."""
    sql, params = merged_sql(since=since, include_planned=include_planned, by_type=group == "outage_type")
    day_sql, day_params = _local("day", "m.started", zone, since, until)
    join, join_params = "", ()
    if group is None:
        grp, grp_params = "''", ()
    elif group == "month":
        grp, grp_params = _local("month", "m.started", zone, since, until)
    elif group == "outage_type":
        grp, grp_params = "m.outage_type", ()
    else:
        join, join_params = _attribute_join(attribute_rows)
        grp, grp_params = "COALESCE(attr.value, '')", ()
    sql += f""",
periodic AS (
  SELECT m.account_id, m.sp_id, {grp} AS grp, {day_sql} AS day, {_minutes("m.started", "m.ended")} AS minutes
  FROM merged m {join}
  WHERE m.started >= %s AND m.started < %s
)"""  # noqa: S608 - expressions from the database's operations
    return sql, [*params, *grp_params, *day_params, *join_params, _stamp(since), _stamp(until)]


def _days_param(days: Sequence[date]) -> list:
    return list(days) if connection.vendor == "postgresql" else [d.isoformat() for d in days]


def as_date(value) -> date:
    return value if isinstance(value, date) and not isinstance(value, datetime) else date.fromisoformat(str(value)[:10])


def _kept(excluded_days: Sequence[date]) -> tuple[str, list]:
    if not excluded_days:
        return "kept AS (SELECT * FROM periodic)", []
    marks = ", ".join(["%s"] * len(excluded_days))
    return f"kept AS (SELECT * FROM periodic WHERE day NOT IN ({marks}))", _days_param(excluded_days)  # noqa: S608


def _per_customer(threshold: float) -> tuple[str, list]:
    return (
        """per_customer AS (
  SELECT grp, account_id, sp_id,
    SUM(CASE WHEN minutes > %s THEN 1 ELSE 0 END) AS sustained,
    SUM(CASE WHEN minutes > %s THEN minutes ELSE 0 END) AS sustained_minutes,
    MAX(CASE WHEN minutes > %s THEN minutes ELSE 0 END) AS longest,
    SUM(CASE WHEN minutes > %s THEN 0 ELSE 1 END) AS momentary
  FROM kept GROUP BY grp, account_id, sp_id
)""",
        [threshold] * 4,
    )


def aggregates(
    *,
    since: datetime,
    until: datetime,
    zone: str,
    include_planned: bool,
    threshold: float,
    excluded_days: Sequence[date] = (),
    group: str | None = None,
    attribute_rows=None,
    cemi_n: int,
    celid_minutes: float,
) -> list[tuple]:
    """Per group key: customers interrupted, customer interruptions, customer minutes (sustained), momentary
    interruptions, customers with more than ``cemi_n`` sustained interruptions, with one longer than
    ``celid_minutes``, with more than ``celid_minutes`` in all."""
    sql, params = periodic_sql(
        since=since,
        until=until,
        zone=zone,
        include_planned=include_planned,
        group=group,
        attribute_rows=attribute_rows,
    )
    kept, kept_params = _kept(excluded_days)
    per_customer, per_params = _per_customer(threshold)
    sql += f""", {kept}, {per_customer}
SELECT grp, SUM(CASE WHEN sustained > 0 THEN 1 ELSE 0 END), SUM(sustained), SUM(sustained_minutes), SUM(momentary),
  SUM(CASE WHEN sustained > %s THEN 1 ELSE 0 END), SUM(CASE WHEN longest > %s THEN 1 ELSE 0 END),
  SUM(CASE WHEN sustained_minutes > %s THEN 1 ELSE 0 END)
FROM per_customer GROUP BY grp ORDER BY grp"""  # noqa: S608 - fixed fragments
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *kept_params, *per_params, cemi_n, celid_minutes, celid_minutes])
        return cursor.fetchall()


def daily_minutes(*, since: datetime, until: datetime, zone: str, include_planned: bool, threshold: float) -> dict:
    """Sustained customer minutes per local day for the interruptions starting in [since, until)."""
    sql, params = periodic_sql(since=since, until=until, zone=zone, include_planned=include_planned, group=None)
    sql += "\nSELECT day, SUM(minutes) FROM periodic WHERE minutes > %s GROUP BY day"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, threshold])
        return {as_date(day): float(minutes) for day, minutes in cursor.fetchall()}


def customers(
    *,
    since: datetime,
    until: datetime,
    zone: str,
    include_planned: bool,
    threshold: float,
    excluded_days: Sequence[date] = (),
    having: str,
    bound: float,
    chunk: int = 5000,
) -> Iterator[tuple]:
    """Per customer with ``having`` (``sustained``, ``longest`` or ``sustained_minutes``) above ``bound``:
    (account_id, sp_id, sustained interruptions, sustained minutes, longest minutes, momentary), streamed."""
    if having not in ("sustained", "longest", "sustained_minutes"):
        raise ValueError(having)
    sql, params = periodic_sql(since=since, until=until, zone=zone, include_planned=include_planned, group=None)
    kept, kept_params = _kept(excluded_days)
    per_customer, per_params = _per_customer(threshold)
    sql += f""", {kept}, {per_customer}
SELECT account_id, sp_id, sustained, sustained_minutes, longest, momentary FROM per_customer
WHERE {having} > %s ORDER BY account_id, sp_id"""  # noqa: S608 - a checked column name
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *kept_params, *per_params, bound])
        while rows := cursor.fetchmany(chunk):
            yield from rows
