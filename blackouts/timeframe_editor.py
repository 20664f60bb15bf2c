"""The admin's timeframe editor: ``timeframeDetails`` as fields staff fill in (recurrence, days, times, zone, end),
composed into the BMC shape the wire takes; raw JSON only as an advanced option.

The field composes, nothing more: the rules are the one validator's (``policy_input.clean_policy``, run by the
model's ``clean_fields`` and by the services), so a timeframe the wire refuses is refused here with the same words.
"""

import json
from datetime import datetime
from zoneinfo import available_timezones

from django import forms
from django.utils import timezone

from core.errors import Invalid

from . import policy_input, windows
from .timeframe_text import DAILY_LABELS, DAY_NAMES, RECURRENCE_LABELS

ENDS = (("never", "Never"), ("endDate", "On a date"), ("occurrences", "After a number of windows"))
PARTS = "recurrence start_date start_time end_time zone days days_of_week dates ends end_date occurrences advanced"
PARTS = tuple(PARTS.split())
ZONES = ("UTC", *sorted(z for z in available_timezones() if z != "UTC" and "/" in z))
INVALID_JSON = "Enter valid JSON (timeframeDetails as in the API)."
PARTS_MARK = "__parts__"


def _bmc_date(value: str) -> str:
    """A date input's ``2021-02-03`` as BMC's ``03022021``."""
    return datetime.strptime(value, "%Y-%m-%d").strftime("%d%m%Y")


def _input_date(value) -> str:
    try:
        return datetime.strptime(str(value), "%d%m%Y").strftime("%Y-%m-%d")
    except ValueError:
        return ""


def _number_text(raw) -> str:
    return ",".join(str(v) for v in raw) if isinstance(raw, list | tuple) else str(raw or "")


def _days_of_week(raw) -> list[str]:
    try:
        return [str(d) for d in sorted(windows.parse_number_list(raw, "", 1, 7))]
    except Invalid:
        return []


class TimeframeWidget(forms.MultiWidget):
    """Each part of ``timeframeDetails`` as its own input (``timeframe_recurrence``, ``timeframe_start_date``…) and the
    raw JSON (``timeframe``) in a collapsed "advanced" box, used when its box is ticked."""

    template_name = "blackouts/timeframe_widget.html"

    def __init__(self, attrs=None):
        widgets = {
            "recurrence": forms.Select(choices=list(RECURRENCE_LABELS.items())),
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
            "zone": forms.Select(choices=[(z, z) for z in ZONES]),
            "days": forms.RadioSelect(choices=list(DAILY_LABELS.items())),
            "days_of_week": forms.CheckboxSelectMultiple(choices=[(str(i), n) for i, n in enumerate(DAY_NAMES, 1)]),
            "dates": forms.TextInput(attrs={"placeholder": "1-15 or 1-3,15", "size": 20}),
            "ends": forms.RadioSelect(choices=ENDS),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "occurrences": forms.NumberInput(attrs={"min": 1, "max": windows.MAX_OCCURRENCES, "style": "width: 6em"}),
            "advanced": forms.CheckboxInput(),
            "": forms.Textarea(attrs={"rows": 12, "cols": 80, "spellcheck": "false"}),
        }
        super().__init__(widgets, attrs)

    def value_from_datadict(self, data, files, name):
        if f"{name}_recurrence" not in data:  # a post of the JSON alone (a script, an older page): as advanced
            return {PARTS_MARK: True, "advanced": True, "": data.get(name)}
        parts = {PARTS_MARK: True}
        for key, widget in zip((*PARTS, ""), self.widgets, strict=True):
            parts[key] = widget.value_from_datadict(data, files, f"{name}_{key}" if key else name)
        return parts

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_recurrence" not in data

    def decompress(self, value):
        if isinstance(value, dict) and value.get(PARTS_MARK):
            return [value.get(key) for key in (*PARTS, "")]
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return [None] * len(PARTS) + [value]
        tf = value if isinstance(value, dict) else {}
        pattern = tf.get("recurrencePattern") if isinstance(tf.get("recurrencePattern"), dict) else {}
        details = pattern.get("details") if isinstance(pattern.get("details"), dict) else {}
        ends = tf.get("endsOn") if isinstance(tf.get("endsOn"), dict) else {}
        zone = tf.get("timeZone") if isinstance(tf.get("timeZone"), dict) else {}
        kind = next((k for k in ("endDate", "occurrences") if ends.get(k) not in (None, "")), "never")
        parts = {
            "recurrence": pattern.get("recurrence", "daily"),
            "start_date": _input_date(tf.get("startDate", "")),
            "start_time": tf.get("startTime", ""),
            "end_time": tf.get("endTime", ""),
            "zone": zone.get("id") or "UTC",
            "days": details.get("days", "all"),
            "days_of_week": _days_of_week(details.get("daysOfWeek")) if details.get("daysOfWeek") else [],
            "dates": _number_text(details.get("dates")),
            "ends": kind,
            "end_date": _input_date(ends.get("endDate", "")),
            "occurrences": ends.get("occurrences", ""),
            "advanced": False,
            "": json.dumps(tf, indent=2) if tf else "",
        }
        return [parts[key] for key in (*PARTS, "")]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["parts"] = dict(zip((*PARTS, "json"), context["widget"]["subwidgets"], strict=True))
        return context

    class Media:
        js = ["blackouts/timeframe_editor.js"]
        css = {"all": ["blackouts/timeframe_editor.css"]}


def _parse_json(text):
    if text in (None, ""):
        raise forms.ValidationError("Enter the timeframe.", code="required")
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        raise forms.ValidationError(INVALID_JSON, code="invalid") from None


def _same_windows(a, b) -> bool:
    """Whether two timeframes give the same windows, ended the same way (then the stored one is kept as it was)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    try:
        same = windows.parse_timeframe(policy_input.normalise_timeframe(a)) == windows.parse_timeframe(
            policy_input.normalise_timeframe(b)
        )
    except (Invalid, TypeError, ValueError, AttributeError):
        return False
    ends = [set(policy_input.normalise_timeframe(x)["endsOn"]) for x in (a, b)]
    return same and ends[0] == ends[1]


def compose(parts: dict) -> dict:
    """The parts staff filled in as ``timeframeDetails``; a missing or malformed date or time is a form error, the
    rest is the validator's to judge."""
    errors = []
    recurrence = parts.get("recurrence") or ""
    out: dict = {}
    for key, target, what in (("start_date", "startDate", "start date"), ("end_date", "endDate", "end date")):
        value = parts.get(key) or ""
        needed = key == "start_date" or recurrence == "oneTime" or parts.get("ends") == "endDate"
        if not value:
            if needed:
                errors.append(forms.ValidationError(f"Enter the {what}.", code="required"))
            continue
        try:
            out[target] = _bmc_date(value)
        except ValueError:
            errors.append(forms.ValidationError(f"Enter a valid {what} (YYYY-MM-DD).", code="invalid"))
    for key, target, what in (("start_time", "startTime", "start time"), ("end_time", "endTime", "end time")):
        if not parts.get(key):
            errors.append(forms.ValidationError(f"Enter the {what}.", code="required"))
        out[target] = (parts.get(key) or "")[:8]
    if errors:
        raise forms.ValidationError(errors)
    end_date = out.pop("endDate", None)
    ends = "endDate" if recurrence == "oneTime" else (parts.get("ends") or "never")
    occurrences = str(parts.get("occurrences") or "").strip()
    out["endsOn"] = {
        "never": {"never": True},
        "endDate": {"endDate": end_date},
        "occurrences": {"occurrences": int(occurrences) if occurrences.isdigit() else occurrences},
    }.get(ends, {"never": True})
    details = {
        "daily": {"days": parts.get("days") or "all"},
        "weekly": {"daysOfWeek": [int(d) for d in parts.get("days_of_week") or () if str(d).isdigit()]},
        "monthly": {"dates": (parts.get("dates") or "").strip()},
    }.get(recurrence, {})
    out["recurrencePattern"] = {"recurrence": recurrence, "details": details}
    out["timeZone"] = {"id": parts.get("zone") or "UTC"}
    return out


class TimeframeField(forms.Field):
    """Cleans to ``timeframeDetails`` (a dict in the wire's shape), from the fields or, when asked, the raw JSON."""

    widget = TimeframeWidget
    default_error_messages = {"required": "Enter the timeframe."}

    def to_python(self, value):
        if not isinstance(value, dict) or not value.get(PARTS_MARK):
            return _parse_json(value) if isinstance(value, str) else value
        if value.get("advanced"):
            return _parse_json(value.get(""))
        composed = compose(value)
        try:
            stored = json.loads(value.get("") or "")
        except (TypeError, ValueError):
            stored = None
        return stored if _same_windows(stored, composed) else composed  # an unchanged timeframe stays as stored

    def has_changed(self, initial, data):
        try:
            return not _same_windows(initial, self.to_python(data))
        except forms.ValidationError:
            return True


def default_timeframe() -> dict:
    """What a new policy's editor starts with (never ``null``): daily from today, every day, in UTC, never ending."""
    return {
        "startDate": timezone.localdate().strftime("%d%m%Y"),
        "startTime": "",
        "endTime": "",
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
        "timeZone": {"id": "UTC"},
    }
