"""The admin's reliability page: its form (a period, a zone, planned or not, with or without major event days)
and what it shows — the indices, the monthly SAIDI and SAIFI as server-drawn charts (``core.charts``), links to
the worst-served customers."""

import zoneinfo
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from core import charts

from .reliability import INDEX_KEYS, LISTS, ReliabilityQuery, reliability_compute


class ReliabilityForm(forms.Form):
    start = forms.DateField(help_text="First day (inclusive)")
    end = forms.DateField(help_text="Day after the last (exclusive)")
    zone = forms.CharField(required=False, help_text="IANA zone of the days (default the installation's)")
    customers_served = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
    include_planned = forms.BooleanField(required=False)
    exclude_major_event_days = forms.BooleanField(required=False)

    def clean_zone(self):
        zone = self.cleaned_data.get("zone") or settings.TIME_ZONE
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise forms.ValidationError(f"Not an IANA time zone: {zone!r}.") from None
        return zone

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name, day in (("start", start), ("end", end)):
            if day is not None and not 1900 <= day.year <= 2999:
                self.add_error(name, "A date from 1900 to 2999.")
        if start and end and end <= start:
            self.add_error("end", "After start (end is exclusive).")
        return data


def _default_period() -> dict:
    today = date.today()
    return {"start": date(today.year - 1, 1, 1).isoformat(), "end": date(today.year, 1, 1).isoformat()}


def context(params) -> dict:
    form = ReliabilityForm(params or _default_period())
    if not form.is_valid():
        return {"form": form}
    data = {k: v for k, v in form.cleaned_data.items() if v is not None}
    query = ReliabilityQuery(**data, group_by="month")
    result = reliability_compute(query).as_dict()
    months = result.get("groups", [])
    saidi = [(g["group"], round(g["saidi"] or 0, 1)) for g in months]
    saifi = [(g["group"], round((g["saifi"] or 0) * 1000, 1)) for g in months]
    link_params = {
        "start": query.start.isoformat(),
        "end": query.end.isoformat(),
        "zone": query.zone,
        "include_planned": "true" if query.include_planned else "false",
        "exclude_major_event_days": "true" if query.exclude_major_event_days else "false",
    }
    if query.customers_served is not None:
        link_params["customers_served"] = str(query.customers_served)
    base = reverse("outages-reliability-customers")
    lists = [
        (f"{which}: customers with {text}", f"{base}?{urlencode({**link_params, 'list': which})}")
        for which, (_, text) in LISTS.items()
    ]
    return {
        "form": form,
        "query": query,
        "result": result,
        "indices": [(name, result[name]) for name in INDEX_KEYS],
        "saidi_chart": mark_safe(charts.bar_chart_svg(saidi, title="Monthly SAIDI", unit="min")),  # noqa: S308
        "saifi_chart": mark_safe(charts.bar_chart_svg(saifi, title="Monthly SAIFI per 1,000", unit="")),  # noqa: S308
        "lists": lists,
    }
