"""The window engine: ``timeframeDetails`` -> the UTC windows of a policy, computed in its IANA zone.

Times are wall-clock times in ``timeZone.id`` (``offset`` is informational and ignored). Converting a wall
time to an instant follows one rule (the README repeats it):

- a wall time that does not exist (inside a spring-forward gap) becomes the first valid instant after the
  gap, i.e. the instant of the transition, for a start and for an end alike;
- a wall time that occurs twice (fall-back) takes the earlier instant for a start and the later for an end,
  so a window never shrinks because of the repeated hour.

Recurrences: ``oneTime`` is one window from startDate startTime to endsOn.endDate endTime. ``daily``
(``days: all | excludeWeekends``), ``weekly`` (``daysOfWeek``, Sunday = 1) and ``monthly`` (``dates`` such
as ``"1-15"`` or ``"1-3,15"``; a date a month lacks is skipped) give one window per matching day from
startTime to endTime; ``endTime <= startTime`` ends the window on the next day. A window that falls wholly
inside a spring-forward gap is empty and is skipped. ``endsOn`` is ``endDate``
(inclusive: the last day a window may start), ``occurrences`` (the number of windows) or ``never``.

Dates run from ``FIRST_DAY`` to ``LAST_DAY`` (1 January 1970 to 31 December 9998): a window, its end on the next
day and its conversion between zones stay within what Python's dates hold (year 1 to 9999), so a date outside is
refused at the door naming its field, never an ``OverflowError`` later; a timeframe that never ends has no window
after ``LAST_DAY``.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from core.errors import Invalid

MAX_OCCURRENCES = 10000
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(9998, 12, 31)
MAX_SCAN_DAYS = 800  # the longest gap between two matching days is 62 (monthly "31"); this bounds a search
RECURRENCES = ("oneTime", "daily", "weekly", "monthly")


CODE = "blackouts.invalid_timeframe"


def _invalid(path: str, message: str) -> Invalid:
    """An impossible timeframe: :class:`core.errors.Invalid` on field ``timeframe`` + the path below it
    (``/recurrencePattern/details/dates`` -> ``timeframe.recurrencePattern.details.dates``)."""
    field = "timeframe" + path.replace("/", ".")
    return Invalid(message, code=CODE, field=field, pointer=path)


@dataclass(frozen=True)
class Window:
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


@dataclass(frozen=True)
class Timeframe:
    recurrence: str
    zone: ZoneInfo
    start_date: date
    start_time: time
    end_time: time
    end_date: date | None  # oneTime: the end's date; recurring: last day a window may start (None: never)
    days: frozenset  # recurring: weekday numbers (Mon=0) for daily/weekly, day-of-month for monthly

    def day_matches(self, day: date) -> bool:
        if self.recurrence == "monthly":
            return day.day in self.days
        return day.weekday() in self.days


# --- Wall time -> instant ---------------------------------------------------------------------------------------
def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def to_instant(local: datetime, zone: ZoneInfo, *, is_end: bool) -> datetime:
    """The UTC instant of a naive wall time in ``zone`` (DST rule in the module docstring)."""
    first = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    low, high = min(first, second), max(first, second)
    low_ok, high_ok = _wall(low, zone) == local, _wall(high, zone) == local
    if low_ok and high_ok:  # the wall time occurs twice
        return high if is_end else low
    if low_ok or high_ok:  # pragma: no cover - zoneinfo answers this way only for odd historical data
        return low if low_ok else high
    # In a gap: the first instant whose wall time is at or after ``local`` (the transition), by bisection.
    lo, hi = int(low.timestamp()), int(high.timestamp())
    while lo < hi:
        mid = (lo + hi) // 2
        if _wall(datetime.fromtimestamp(mid, UTC), zone) >= local:
            hi = mid
        else:
            lo = mid + 1
    return datetime.fromtimestamp(lo, UTC)


# --- Parsing ----------------------------------------------------------------------------------------------------
_DATE = re.compile(r"\d{8}")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_RANGE = re.compile(r"(\d+)(?:\s*-\s*(\d+))?")
_COUNT = re.compile(r"\s*\d+\s*")


def _parse_date(value, path: str) -> date:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise _invalid(path, f"date must be ddmmyyyy, got {value!r}")
    try:
        day = date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        raise _invalid(path, f"no such date: {value}") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        first, last = FIRST_DAY.strftime("%d%m%Y"), LAST_DAY.strftime("%d%m%Y")
        raise _invalid(path, f"{value} is outside the dates a window can have ({first} to {last})")
    return day


def _parse_time(value, path: str) -> time:
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise _invalid(path, f"time must be HH:MM (24-hour), got {value!r}")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise _invalid(path, f"no such time: {value}")
    return time(hour, minute, second)


def parse_number_list(value, path: str, low: int, high: int) -> set[int]:
    """``[3, 4]``, ``["1-3", 5]``, ``"1-3,15"`` -> a set of ints, each in ``low..high``."""
    parts: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, bool) or not isinstance(item, int | str):
            raise _invalid(path, f"expected numbers or ranges, got {item!r}")
        parts.extend(str(item).split(","))
    out: set[int] = set()
    for part in (p.strip() for p in parts):
        match = _RANGE.fullmatch(part)
        if not match:
            raise _invalid(path, f"expected a number or a range like 1-3, got {part!r}")
        first, last = int(match[1]), int(match[2] or match[1])
        if first > last:
            raise _invalid(path, f"reversed range {part}")
        if first < low or last > high:
            raise _invalid(path, f"{part} is outside {low}-{high}")
        out.update(range(first, last + 1))
    if not out:
        raise _invalid(path, "must not be empty")
    return out


def _truthy(value) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def parse_timeframe(details: dict) -> Timeframe:
    """Validate ``timeframeDetails`` and build a :class:`Timeframe`; raise :class:`core.errors.Invalid`."""
    if not isinstance(details, dict):
        raise _invalid("", "timeframeDetails must be an object")
    zone_info = details.get("timeZone") or {}
    zone_id = zone_info.get("id") if isinstance(zone_info, dict) else None
    if not zone_id:
        zone_id = "UTC"
    if not isinstance(zone_id, str) or zone_id not in _zones():
        raise _invalid("/timeZone/id", f"unknown IANA time zone {zone_id!r}")
    try:
        zone = ZoneInfo(zone_id)
    except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - filtered above
        raise _invalid("/timeZone/id", f"unknown IANA time zone {zone_id!r}") from None
    if "startDate" not in details:
        raise _invalid("/startDate", "startDate is required")
    start_date = _parse_date(details["startDate"], "/startDate")
    start_time = _parse_time(details.get("startTime"), "/startTime")
    end_time = _parse_time(details.get("endTime"), "/endTime")
    pattern = details.get("recurrencePattern") or {}
    recurrence = pattern.get("recurrence") if isinstance(pattern, dict) else None
    if recurrence not in RECURRENCES:
        raise _invalid("/recurrencePattern/recurrence", f"must be one of {', '.join(RECURRENCES)}")
    pattern_details = pattern.get("details") or {}
    ends_on = details.get("endsOn") or {}
    if not isinstance(ends_on, dict):
        raise _invalid("/endsOn", "endsOn must be an object")
    kinds = [k for k in ("endDate", "occurrences") if ends_on.get(k) not in (None, "")]
    never = _truthy(ends_on.get("never"))
    if never:
        kinds.append("never")
    if len(kinds) != 1:
        raise _invalid("/endsOn", "endsOn must contain exactly one of endDate, occurrences or never: true")

    if recurrence == "oneTime":
        if kinds != ["endDate"]:
            raise _invalid("/endsOn", "a oneTime timeframe ends on an endDate (no occurrences, no never)")
        end_date = _parse_date(ends_on["endDate"], "/endsOn/endDate")
        tf = Timeframe(recurrence, zone, start_date, start_time, end_time, end_date, frozenset())
        window = _one_time_window(tf)
        if window.end <= window.start:
            raise _invalid("/endsOn/endDate", "the timeframe ends before it starts")
        return tf

    if recurrence == "daily":
        days_kind = pattern_details.get("days", "all") if isinstance(pattern_details, dict) else None
        if days_kind not in ("all", "excludeWeekends"):
            raise _invalid("/recurrencePattern/details/days", "days must be all or excludeWeekends")
        days = frozenset(range(7) if days_kind == "all" else range(5))
    elif recurrence == "weekly":
        raw = pattern_details.get("daysOfWeek") if isinstance(pattern_details, dict) else None
        if raw in (None, [], ""):
            raise _invalid("/recurrencePattern/details/daysOfWeek", "daysOfWeek is required for weekly")
        bmc_days = parse_number_list(raw, "/recurrencePattern/details/daysOfWeek", 1, 7)
        days = frozenset((d - 2) % 7 for d in bmc_days)  # BMC Sunday=1 .. Saturday=7 -> Python Monday=0
    else:
        raw = pattern_details.get("dates") if isinstance(pattern_details, dict) else None
        if raw in (None, [], ""):
            raise _invalid("/recurrencePattern/details/dates", "dates is required for monthly")
        days = frozenset(parse_number_list(raw, "/recurrencePattern/details/dates", 1, 31))

    tf = Timeframe(recurrence, zone, start_date, start_time, end_time, None, days)
    if kinds == ["endDate"]:
        end_date = _parse_date(ends_on["endDate"], "/endsOn/endDate")
        if end_date < start_date:
            raise _invalid("/endsOn/endDate", "the timeframe ends before it starts")
        tf = Timeframe(recurrence, zone, start_date, start_time, end_time, end_date, days)
        if _first_matching_day(tf, start_date) is None:
            raise _invalid("/endsOn/endDate", "no day between startDate and endDate matches the recurrence")
    elif kinds == ["occurrences"]:
        raw = ends_on["occurrences"]
        try:
            count = int(raw) if not isinstance(raw, bool) and _COUNT.fullmatch(str(raw)) else -1
        except ValueError:  # pragma: no cover
            count = -1
        if not 1 <= count <= MAX_OCCURRENCES:
            raise _invalid("/endsOn/occurrences", f"occurrences must be an integer from 1 to {MAX_OCCURRENCES}")
        try:
            last_day = _nth_matching_day(tf, count)
        except OverflowError:
            last_day = None
        if last_day is None or last_day > LAST_DAY:
            message = f"the last of {count} windows would start after {LAST_DAY.strftime('%d%m%Y')}"
            raise _invalid("/endsOn/occurrences", message)
        tf = Timeframe(recurrence, zone, start_date, start_time, end_time, last_day, days)
    return tf


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def _first_matching_day(tf: Timeframe, day: date) -> date | None:
    for _ in range(MAX_SCAN_DAYS):
        if tf.end_date is not None and day > tf.end_date:
            return None
        if tf.day_matches(day):
            return day
        day += timedelta(days=1)
    return None


def _nth_matching_day(tf: Timeframe, count: int) -> date:
    """The day of the ``count``-th window, by whole weeks (weekday rules) or whole months (dates)."""
    day, left = tf.start_date, count
    if tf.recurrence == "monthly":
        while True:
            last = calendar.monthrange(day.year, day.month)[1]
            in_month = sorted(d for d in tf.days if day.day <= d <= last)
            if left <= len(in_month):
                return day.replace(day=in_month[left - 1])
            left -= len(in_month)
            day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    per_week = len(tf.days)  # any 7 consecutive days hold each weekday once
    weeks = (left - 1) // per_week
    day += timedelta(weeks=weeks)
    left -= weeks * per_week
    while True:
        if tf.day_matches(day):
            left -= 1
            if left == 0:
                return day
        day += timedelta(days=1)


# --- Windows ------------------------------------------------------------------------------------------------------
def _one_time_window(tf: Timeframe) -> Window:
    start = to_instant(datetime.combine(tf.start_date, tf.start_time), tf.zone, is_end=False)
    end = to_instant(datetime.combine(tf.end_date, tf.end_time), tf.zone, is_end=True)
    return Window(start, end)


def window_for_day(tf: Timeframe, day: date) -> Window:
    end_day = day if tf.end_time > tf.start_time else day + timedelta(days=1)
    start = to_instant(datetime.combine(day, tf.start_time), tf.zone, is_end=False)
    end = to_instant(datetime.combine(end_day, tf.end_time), tf.zone, is_end=True)
    return Window(start, end)


def iter_windows(tf: Timeframe, *, from_day: date | None = None):
    """Windows in order, starting with the first matching day on or after ``from_day``."""
    if tf.recurrence == "oneTime":
        window = _one_time_window(tf)
        if from_day is None or from_day <= tf.start_date:
            yield window
        return
    day = max(tf.start_date, from_day or tf.start_date)
    misses = 0
    last = min(tf.end_date or LAST_DAY, LAST_DAY)
    while day <= last:
        if tf.day_matches(day):
            misses = 0
            window = window_for_day(tf, day)
            if window.end > window.start:  # a window wholly inside a DST gap is empty: it never opens
                yield window
        else:
            misses += 1
            if misses > MAX_SCAN_DAYS:  # pragma: no cover - validated patterns always match within 62 days
                return
        day += timedelta(days=1)


# A window of local day D ends on D or D + 1 (an end inside a gap moves at most to the gap's end, D + 2 at 00:00),
# so none of day L - 2 or earlier reaches an instant of local day L: a search starts on L - 1.
LOOKBACK = timedelta(days=1)


def _local_day(instant: datetime, tf: Timeframe) -> date:
    return instant.astimezone(tf.zone).date()


def windows_between(tf: Timeframe, start: datetime, end: datetime) -> list[Window]:
    """Every window that overlaps ``[start, end)``."""
    out = []
    if tf.recurrence == "oneTime":
        window = _one_time_window(tf)
        return [window] if window.start < end and window.end > start else []
    for window in iter_windows(tf, from_day=_local_day(start, tf) - LOOKBACK):
        if window.start >= end:
            break
        if window.end > start:
            out.append(window)
    return out


def active_window(tf: Timeframe, at: datetime) -> Window | None:
    """The window that contains ``at`` (the latest-starting one if two overlap), else None."""
    found = None
    for window in windows_between(tf, at, at + timedelta(microseconds=1)):
        if window.contains(at):
            found = window
    return found


def next_window(tf: Timeframe, after: datetime) -> Window | None:
    """The first window that starts strictly after ``after``."""
    if tf.recurrence == "oneTime":
        window = _one_time_window(tf)
        return window if window.start > after else None
    for window in iter_windows(tf, from_day=_local_day(after, tf) - LOOKBACK):
        if window.start > after:
            return window
    return None


def last_started_window(tf: Timeframe, at: datetime) -> Window | None:
    """The latest window that started at or before ``at`` (active or past), else None."""
    if tf.recurrence == "oneTime":
        window = _one_time_window(tf)
        return window if window.start <= at else None
    day = _local_day(at, tf) + timedelta(days=2)
    if tf.end_date is not None:
        day = min(day, tf.end_date)
    for _ in range(MAX_SCAN_DAYS):
        if day < tf.start_date:
            return None
        if tf.day_matches(day):
            window = window_for_day(tf, day)
            if window.start <= at and window.end > window.start:
                return window
        day -= timedelta(days=1)
    return None  # pragma: no cover


def current_or_next_window(tf: Timeframe, at: datetime) -> Window | None:
    """The window open at ``at``, else the next one (one pass over the days)."""
    if tf.recurrence == "oneTime":
        window = _one_time_window(tf)
        return window if window.end > at else None
    for window in iter_windows(tf, from_day=_local_day(at, tf) - LOOKBACK):
        if window.end > at:
            return window
    return None


def timeframe_status(tf: Timeframe, at: datetime, *, enabled: bool = True) -> dict:
    """``{"state", "lastRun", "nextRun"}``: ACTIVE (enabled, a window open now), INACTIVE, EXPIRED (none left)."""
    active = active_window(tf, at)
    upcoming = next_window(tf, at)
    last = last_started_window(tf, at)
    if active is None and upcoming is None:
        state = "EXPIRED"
    elif active is not None and enabled:
        state = "ACTIVE"
    else:
        state = "INACTIVE"
    return {
        "state": state,
        "lastRun": last.start if last else None,
        "nextRun": upcoming.start if upcoming else None,
        "activeWindow": active,
    }


def epoch_ms(instant: datetime | None) -> int | None:
    return None if instant is None else int(instant.timestamp() * 1000)


def status_string(status: dict) -> str:
    """The spec's ``"<STATE>,LastRun:<epoch ms or empty>,NextRun:<epoch ms or empty>"``."""
    last, upcoming = epoch_ms(status["lastRun"]), epoch_ms(status["nextRun"])
    return f"{status['state']},LastRun:{'' if last is None else last},NextRun:{'' if upcoming is None else upcoming}"
