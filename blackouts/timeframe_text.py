"""A timeframe (``timeframeDetails``) as staff read it: one sentence, used by the change log's History and list
(``core.changes.display``) and beside the admin's timeframe editor."""

from datetime import datetime

from . import windows

DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")  # BMC: Sunday = 1
RECURRENCE_LABELS = {"oneTime": "Once", "daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}
DAILY_LABELS = {"all": "every day", "excludeWeekends": "Monday to Friday"}


def date_text(ddmmyyyy) -> str:
    """``03022021`` -> ``3 Feb 2021`` (as given when it is no such date)."""
    try:
        day = datetime.strptime(str(ddmmyyyy), "%d%m%Y")
    except ValueError:
        return str(ddmmyyyy)
    return f"{day.day} {day:%b %Y}"


def _list_text(raw) -> str:
    return ", ".join(str(v) for v in raw) if isinstance(raw, list | tuple) else str(raw)


def _days_of_week(raw) -> str:
    try:
        days = sorted(windows.parse_number_list(raw, "", 1, 7))
    except Exception:  # shown as given: the validator refuses it at the door
        return _list_text(raw)
    return ", ".join(DAY_NAMES[d - 1] for d in days)


def describe(timeframe: dict) -> str:
    """``Daily (every day), 10:35 to 11:36 Atlantic/Azores, from 3 Feb 2021, never ends``."""
    pattern = timeframe.get("recurrencePattern") or {}
    recurrence = pattern.get("recurrence", "")
    details = pattern.get("details") or {}
    zone = (timeframe.get("timeZone") or {}).get("id") or "UTC"
    ends = timeframe.get("endsOn") or {}
    start, begin, end = date_text(timeframe.get("startDate", "")), timeframe.get("startTime"), timeframe.get("endTime")
    if recurrence == "oneTime":
        return f"Once, from {start} {begin} to {date_text(ends.get('endDate', ''))} {end} {zone}"
    how = RECURRENCE_LABELS.get(recurrence, str(recurrence))
    if recurrence == "daily":
        how += f" ({DAILY_LABELS.get(details.get('days', 'all'), details.get('days'))})"
    elif recurrence == "weekly":
        how += f" on {_days_of_week(details.get('daysOfWeek', ''))}"
    elif recurrence == "monthly":
        how += f" on days {_list_text(details.get('dates', ''))}"
    if ends.get("endDate"):
        until = f"until {date_text(ends['endDate'])}"
    elif ends.get("occurrences"):
        until = f"for {ends['occurrences']} windows"
    else:
        until = "never ends"
    return f"{how}, {begin} to {end} {zone}, from {start}, {until}"
