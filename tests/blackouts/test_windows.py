"""The window engine: the spec's examples, validation, and DST against a minute-by-minute oracle."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blackouts import spec_examples as spec
from blackouts import windows
from blackouts.windows import Window, parse_timeframe
from core.errors import Invalid


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def tf_of(body: dict) -> windows.Timeframe:
    return parse_timeframe(body["configurations"]["definition"]["timeframeDetails"])


def test_one_time_spans_two_days_in_the_zone():
    tf = tf_of(spec.CREATE_ONE_TIME)  # Azores is UTC-1 in December
    assert windows.windows_between(tf, utc(2020, 1, 1), utc(2021, 1, 1)) == [
        Window(utc(2020, 12, 14, 18, 27), utc(2020, 12, 16, 18, 27))
    ]


def test_daily_until_end_date_inclusive():
    tf = tf_of(spec.CREATE_DAILY)
    found = windows.windows_between(tf, utc(2021, 1, 1), utc(2021, 3, 1))
    assert found == [
        Window(utc(2021, 2, 3, 11, 35), utc(2021, 2, 3, 12, 36)),
        Window(utc(2021, 2, 4, 11, 35), utc(2021, 2, 4, 12, 36)),
    ]


def test_weekly_occurrences_sunday_is_one():
    tf = tf_of(spec.CREATE_WEEKLY_OCCURRENCES)  # daysOfWeek [3] = Tuesday, 5 occurrences from Wed 3 Feb 2021
    starts = [w.start.date() for w in windows.windows_between(tf, utc(2021, 1, 1), utc(2022, 1, 1))]
    assert starts == [date(2021, 2, 9), date(2021, 2, 16), date(2021, 2, 23), date(2021, 3, 2), date(2021, 3, 9)]
    assert all(d.isoweekday() == 2 for d in starts)


def test_weekly_never_several_days():
    tf = tf_of(spec.CREATE_WEEKLY_NEVER)  # Tuesday, Wednesday, Saturday
    found = windows.windows_between(tf, utc(2030, 1, 1), utc(2030, 1, 15))
    assert {w.start.astimezone(tf.zone).isoweekday() for w in found} == {2, 3, 6}
    assert len(found) == 6


def test_monthly_dates_and_excluded_weekends():
    monthly = tf_of(spec.CREATE_MONTHLY)
    days = {w.start.date().day for w in windows.windows_between(monthly, utc(2030, 3, 1), utc(2030, 4, 1))}
    assert days == set(range(1, 16))
    weekdays = tf_of(spec.CREATE_DAILY_WEEKDAYS)
    found = windows.windows_between(weekdays, utc(2030, 3, 4), utc(2030, 3, 18))
    assert len(found) == 10 and all(w.start.weekday() < 5 for w in found)


def test_overnight_window_ends_next_day():
    tf = parse_timeframe(
        {
            "startDate": "01032030",
            "startTime": "22:00",
            "endTime": "02:00",
            "endsOn": {"occurrences": 2},
            "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
            "timeZone": {"id": "Europe/Lisbon"},
        }
    )
    assert windows.windows_between(tf, utc(2030, 1, 1), utc(2031, 1, 1)) == [
        Window(utc(2030, 3, 1, 22), utc(2030, 3, 2, 2)),
        Window(utc(2030, 3, 2, 22), utc(2030, 3, 3, 2)),
    ]


def test_status_string_and_states():
    tf = tf_of(spec.UPDATE_BODY)
    expired = windows.timeframe_status(tf, utc(2024, 1, 1))
    assert windows.status_string(expired) == "EXPIRED,LastRun:1611576960000,NextRun:"
    before = windows.timeframe_status(tf, utc(2021, 1, 1))
    assert windows.status_string(before) == "INACTIVE,LastRun:,NextRun:1611576960000"
    during = windows.timeframe_status(tf, utc(2021, 1, 25, 12, 18))
    assert during["state"] == "ACTIVE"
    assert windows.timeframe_status(tf, utc(2021, 1, 25, 12, 18), enabled=False)["state"] == "INACTIVE"


def test_offset_is_informational_the_zone_id_decides():
    body = spec.UPDATE_BODY["configurations"]["definition"]["timeframeDetails"] | {
        "timeZone": {"id": "Asia/Kolkata", "offset": "-11:00"}
    }
    assert windows.windows_between(parse_timeframe(body), utc(2021, 1, 1), utc(2021, 2, 1))[0].start == utc(
        2021, 1, 25, 12, 16
    )


BASE = spec.CREATE_DAILY["configurations"]["definition"]["timeframeDetails"]


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        (
            {"recurrencePattern": {"recurrence": "monthly", "details": {"dates": "0-3"}}},
            "/recurrencePattern/details/dates",
        ),
        (
            {"recurrencePattern": {"recurrence": "monthly", "details": {"dates": "32"}}},
            "/recurrencePattern/details/dates",
        ),
        (
            {"recurrencePattern": {"recurrence": "monthly", "details": {"dates": "15-1"}}},
            "/recurrencePattern/details/dates",
        ),
        (
            {"recurrencePattern": {"recurrence": "weekly", "details": {"daysOfWeek": [0]}}},
            "/recurrencePattern/details/daysOfWeek",
        ),
        (
            {"recurrencePattern": {"recurrence": "weekly", "details": {"daysOfWeek": [8]}}},
            "/recurrencePattern/details/daysOfWeek",
        ),
        ({"recurrencePattern": {"recurrence": "weekly", "details": {}}}, "/recurrencePattern/details/daysOfWeek"),
        ({"recurrencePattern": {"recurrence": "oneTime"}, "endsOn": {"occurrences": 3}}, "/endsOn"),
        ({"recurrencePattern": {"recurrence": "oneTime"}, "endsOn": {"never": True}}, "/endsOn"),
        ({"endsOn": {"endDate": "01022021"}}, "/endsOn/endDate"),
        ({"endsOn": {}}, "/endsOn"),
        ({"endsOn": {"endDate": "04022021", "occurrences": 2}}, "/endsOn"),
        ({"endsOn": {"occurrences": 0}}, "/endsOn/occurrences"),
        ({"startDate": "31022021"}, "/startDate"),
        ({"startDate": "2021-02-03"}, "/startDate"),
        ({"startTime": "24:00"}, "/startTime"),
        ({"endTime": "9am"}, "/endTime"),
        ({"timeZone": {"id": "Mars/Olympus", "offset": "+00:00"}}, "/timeZone/id"),
        (
            {
                "recurrencePattern": {"recurrence": "oneTime"},
                "startTime": "10:00",
                "endTime": "09:00",
                "endsOn": {"endDate": "03022021"},
            },
            "/endsOn/endDate",
        ),
        ({"recurrencePattern": {"recurrence": "hourly"}}, "/recurrencePattern/recurrence"),
    ],
)
def test_impossible_timeframes_are_refused(changes, path):
    with pytest.raises(Invalid) as info:
        parse_timeframe(BASE | changes)
    assert info.value.params["pointer"] == path
    assert info.value.field == "timeframe" + path.replace("/", ".")


# --- DST --------------------------------------------------------------------------------------------------------
NEW_YORK = ZoneInfo("America/New_York")


def test_start_in_spring_forward_gap_moves_to_first_valid_instant():
    # 2030-03-10 02:00 EST -> 03:00 EDT in New York; 02:30 does not exist.
    assert windows.to_instant(datetime(2030, 3, 10, 2, 30), NEW_YORK, is_end=False) == utc(2030, 3, 10, 7, 0)
    assert windows.to_instant(datetime(2030, 3, 10, 2, 30), NEW_YORK, is_end=True) == utc(2030, 3, 10, 7, 0)


def test_repeated_time_earlier_for_start_later_for_end():
    # 2030-11-03 02:00 EDT -> 01:00 EST; 01:30 happens twice (05:30Z and 06:30Z).
    assert windows.to_instant(datetime(2030, 11, 3, 1, 30), NEW_YORK, is_end=False) == utc(2030, 11, 3, 5, 30)
    assert windows.to_instant(datetime(2030, 11, 3, 1, 30), NEW_YORK, is_end=True) == utc(2030, 11, 3, 6, 30)


def test_lord_howe_half_hour_shift_and_samoa_skipped_day():
    lord_howe = ZoneInfo("Australia/Lord_Howe")  # 2030-10-06 02:00 -> 02:30
    assert windows.to_instant(datetime(2030, 10, 6, 2, 10), lord_howe, is_end=False) == datetime(
        2030, 10, 6, 2, 30, tzinfo=lord_howe
    ).astimezone(UTC)
    apia = ZoneInfo("Pacific/Apia")  # 2011-12-30 did not exist in Samoa
    assert windows.to_instant(datetime(2011, 12, 30, 12, 0), apia, is_end=False) == datetime(
        2011, 12, 31, 0, 0, tzinfo=apia
    ).astimezone(UTC)


# The oracle knows nothing of the engine: it walks UTC minutes and reads wall clocks.
def _oracle_instant(local: datetime, zone: ZoneInfo, *, is_end: bool) -> datetime:
    naive_utc = local.replace(tzinfo=UTC)
    minutes = [naive_utc + timedelta(minutes=m) for m in range(-16 * 60, 16 * 60 + 1)]
    walls = [(t, t.astimezone(zone).replace(tzinfo=None)) for t in minutes]
    if not is_end:  # the first minute whose wall clock reads at or after the start
        return next(t for t, wall in walls if wall >= local)
    exact = [t for t, wall in walls if wall == local]
    if exact:  # the wall clock shows the end once, or twice (the later one)
        return max(exact)
    # in a gap: the minute after the last one whose wall clock still reads before the end
    last_before = max(i for i, (_, wall) in enumerate(walls) if wall < local)
    return walls[last_before + 1][0]


def _oracle_days(details: dict, first: date, last: date):
    recurrence = details["recurrencePattern"]["recurrence"]
    extra = details["recurrencePattern"].get("details", {})
    day = first
    while day <= last:
        if recurrence == "daily":
            ok = extra.get("days") == "all" or day.isoweekday() <= 5
        elif recurrence == "weekly":
            ok = (day.isoweekday() % 7) + 1 in extra["daysOfWeek"]
        else:
            ok = day.day in extra["dates"]
        if ok:
            yield day
        day += timedelta(days=1)


ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "Europe/Berlin",
    "Asia/Kolkata",
    "America/Santiago",
    "Africa/Casablanca",
    "Pacific/Chatham",
]
TIMES = [time(0, 0), time(1, 30), time(12, 0), time(23, 30)]


def _dst_cases() -> list[tuple[str, date, list[time]]]:
    """Each zone's 2030 offset changes: the local day and wall times around the change (both offsets)."""
    cases = []
    for name in ZONES:
        zone = ZoneInfo(name)
        instant = datetime(2030, 1, 1, tzinfo=UTC)
        before = instant.astimezone(zone).utcoffset()
        while instant.year == 2030:
            instant += timedelta(minutes=15)
            after = instant.astimezone(zone).utcoffset()
            if after != before:
                walls = set()
                for step in range(-6, 7):
                    shifted = instant + timedelta(minutes=15 * step)
                    walls.add((shifted + before).time().replace(tzinfo=None))
                    walls.add((shifted + after).time().replace(tzinfo=None))
                cases.append((name, (instant + before).date(), sorted(walls)))
                before = after
    cases += [(name, date(2030, 6, 15), TIMES) for name in ZONES]
    return cases


DST_CASES = _dst_cases()


@st.composite
def recurring_timeframes(draw):
    zone, anchor, walls = draw(st.sampled_from(DST_CASES))
    recurrence = draw(st.sampled_from(["daily", "weekly", "monthly"]))
    if recurrence == "daily":
        details = {"days": draw(st.sampled_from(["all", "excludeWeekends"]))}
    elif recurrence == "weekly":
        details = {"daysOfWeek": sorted(draw(st.sets(st.integers(1, 7), min_size=1)))}
    else:
        details = {"dates": sorted(draw(st.sets(st.integers(1, 31), min_size=1, max_size=10)) | {anchor.day})}
    start = anchor - timedelta(days=draw(st.integers(0, 2)))
    start_time, end_time = draw(st.sampled_from(walls + TIMES)), draw(st.sampled_from(walls + TIMES))
    return {
        "startDate": start.strftime("%d%m%Y"),
        "startTime": start_time.strftime("%H:%M"),
        "endTime": end_time.strftime("%H:%M"),
        "endsOn": {"endDate": (start + timedelta(days=draw(st.integers(2, 6)))).strftime("%d%m%Y")},
        "recurrencePattern": {"recurrence": recurrence, "details": details},
        "timeZone": {"id": zone},
    }


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(details=recurring_timeframes())
def test_windows_match_a_minute_by_minute_oracle(details):
    try:
        tf = parse_timeframe(details)
    except Invalid:
        return  # e.g. no matching day in the range: refused, nothing to compare
    zone = ZoneInfo(details["timeZone"]["id"])
    start_time = time.fromisoformat(details["startTime"])
    end_time = time.fromisoformat(details["endTime"])
    expected = []
    for day in _oracle_days(details, tf.start_date, tf.end_date):
        end_day = day if end_time > start_time else day + timedelta(days=1)
        window = Window(
            _oracle_instant(datetime.combine(day, start_time), zone, is_end=False),
            _oracle_instant(datetime.combine(end_day, end_time), zone, is_end=True),
        )
        if window.end > window.start:
            expected.append(window)
    got = windows.windows_between(tf, utc(2000, 1, 1), utc(2040, 1, 1))
    assert got == expected
    # and the derived queries agree with the list
    for probe in (w.start for w in expected):
        assert windows.active_window(tf, probe) is not None
        assert windows.next_window(tf, probe - timedelta(seconds=1)).start <= probe


@settings(max_examples=60, deadline=None)
@given(
    recurrence=st.sampled_from(["daily-all", "daily-weekdays", "weekly", "monthly"]),
    days=st.sets(st.integers(1, 7), min_size=1),
    dates=st.sets(st.integers(1, 31), min_size=1, max_size=6),
    count=st.integers(1, 400),
    start=st.dates(date(2024, 1, 1), date(2032, 12, 31)),
)
def test_occurrences_jump_matches_counting_day_by_day(recurrence, days, dates, count, start):
    details = {"days": "all"} if recurrence == "daily-all" else {"days": "excludeWeekends"}
    kind = "daily"
    if recurrence == "weekly":
        kind, details = "weekly", {"daysOfWeek": sorted(days)}
    elif recurrence == "monthly":
        kind, details = "monthly", {"dates": sorted(dates)}
    tf = parse_timeframe(
        {
            "startDate": start.strftime("%d%m%Y"),
            "startTime": "10:00",
            "endTime": "11:00",
            "endsOn": {"occurrences": count},
            "recurrencePattern": {"recurrence": kind, "details": details},
            "timeZone": {"id": "UTC"},
        }
    )
    day, seen = start, 0
    while True:
        if tf.day_matches(day):
            seen += 1
            if seen == count:
                break
        day += timedelta(days=1)
    assert tf.end_date == day
