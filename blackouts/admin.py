"""Admin: policies (validated like the API, actions call services), events, and a 14-day calendar page."""

import json
from datetime import UTC, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from core import roles, sql
from core.admin import ReadOnlyAdminMixin, ServiceAdminMixin, requires
from core.errors import Invalid
from core.imports.admin import ImportExportMixin
from core.lists.admin import ExportMixin

from . import policy_input, selectors, services, windows
from .models import BlackoutPolicy, Event
from .timeframe_editor import TimeframeField, default_timeframe


class BlackoutPolicyForm(forms.ModelForm):
    """The policy's fields; the rules are the model's (``clean_fields`` runs ``policy_input.clean_policy``, the
    validator the API uses), the write rules the services' (``BlackoutPolicyAdmin.service_validate``)."""

    timeframe = TimeframeField(
        help_text="When the policy blacks events out. The fields make the API's timeframeDetails; the JSON box is for "
        "pasting one as is."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.initial.get("timeframe"):  # a new policy starts from a daily timeframe, never from ``null``
            self.initial["timeframe"] = default_timeframe()

    class Meta:
        model = BlackoutPolicy
        fields = list(BlackoutPolicy.INPUT_FIELDS)


CALENDAR_DAYS = 14


def _policies(count: int) -> str:
    return ngettext("%(n)d policy", "%(n)d policies", count) % {"n": count}


def _when(instant) -> str:
    return instant.strftime("%Y-%m-%d %H:%M UTC") if instant else "none"


def status_text(status: dict) -> str:
    """``ACTIVE — last run 2026-11-30 10:00 UTC, next run 2026-12-01 10:00 UTC`` (the spec's string carries the
    same as epoch milliseconds: ``ACTIVE,LastRun:…,NextRun:…``)."""
    return f"{status['state']} — last run {_when(status['lastRun'])}, next run {_when(status['nextRun'])}"


class InErrorFilter(admin.SimpleListFilter):
    title = "window tick"
    parameter_name = "in_error"

    def lookups(self, request, model_admin):
        return [("yes", "in error"), ("no", "fine")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(apply_error="")
        if self.value() == "no":
            return queryset.filter(apply_error="")
        return queryset


@admin.register(BlackoutPolicy)
class BlackoutPolicyAdmin(ServiceAdminMixin, ImportExportMixin, admin.ModelAdmin):
    form = BlackoutPolicyForm
    list_display = ["name", "enabled", "state", "next_run", "execution_order", "owner", "modified_at", "problem"]
    list_filter = ["enabled", InErrorFilter, "blackout_existing_events", "reset_status_on_blackout_end"]
    search_fields = ["name", "description", "selector_criteria"]
    ordering = ["execution_order", "name"]
    actions = ["enable_policies", "disable_policies"]
    readonly_fields = [
        "id",
        "owner",
        "timeframe_status",
        "window_start",
        "window_end",
        "applied_start",
        "applied_end",
        "apply_error",
        "apply_error_at",
        "preview",
    ]
    fieldsets = [
        (None, {"fields": ["id", "name", "description", "execution_order", "enabled", "owner"]}),
        ("Window tick error", {"fields": ["apply_error", "apply_error_at"]}),
        ("Selector", {"fields": ["selector_criteria"]}),
        ("Timeframe", {"fields": ["timeframe", "timeframe_status", "preview"]}),
        ("Processing", {"fields": ["blackout_existing_events", "reset_status_on_blackout_end"]}),
        ("Transitions", {"fields": ["window_start", "window_end", "applied_start", "applied_end"]}),
    ]
    change_list_template = "admin/blackouts/blackoutpolicy/change_list.html"

    class Media:
        js = ["blackouts/policy_preview.js"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not roles.allows(request.user, "preview_policies"):  # the Preview button: only for who may use it
            fieldsets = [(t, {**o, "fields": [f for f in o["fields"] if f != "preview"]}) for t, o in fieldsets]
        if obj is None or not obj.apply_error:
            return [fs for fs in fieldsets if fs[0] != "Window tick error"]
        return fieldsets

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_calendar": roles.allows(request.user, "view_calendar")}
        return super().changelist_view(request, extra_context=extra_context)

    def _status(self, obj):
        cache = self.__dict__.setdefault("_status_cache", {})
        key = (obj.pk, obj.modified_at)
        if key not in cache:
            try:
                cache[key] = windows.timeframe_status(obj.parsed_timeframe, timezone.now(), enabled=obj.enabled)
            except Invalid as exc:  # a stored timeframe the engine no longer reads: shown, never a 500
                cache[key] = {"state": "ERROR", "nextRun": None, "lastRun": None, "error": exc.message}
        return cache[key]

    @admin.display(description="problem")
    def problem(self, obj):
        return obj.apply_error or "—"

    @admin.display(description="state")
    def state(self, obj):
        return self._status(obj)["state"]

    @admin.display(description="next run")
    def next_run(self, obj):
        upcoming = self._status(obj)["nextRun"]
        return upcoming.strftime("%Y-%m-%d %H:%M UTC") if upcoming else "—"

    @admin.display(description="timeframe status")
    def timeframe_status(self, obj):
        """The spec's ``timeframeStatus`` for people: the state, then the last and next runs as dates (UTC)."""
        if obj is None or sql.is_unsaved(obj):
            return "—"
        status = self._status(obj)
        if status.get("error"):
            return status["error"]
        return status_text(status)

    @staticmethod
    def _fields(form) -> dict:
        return {name: form.cleaned_data[name] for name in BlackoutPolicy.INPUT_FIELDS if name in form.cleaned_data}

    def service_validate(self, *, request, form, change):
        """The services' write rules before anything is written: the name never changes, an enabled policy in an
        open window is not edited (disable it first)."""
        if change:
            stored = BlackoutPolicy.objects.get(pk=form.instance.pk)
            services.policy_check_update(policy=stored, fields=self._fields(form))

    def service_save(self, *, request, obj, form, change):
        """Through the services, as the API: validation, schedule cache, reconcile at once."""
        if change:
            return services.policy_update(policy_id=obj.pk, fields=self._fields(form))
        return services.policy_create(fields=self._fields(form), owner=request.user.get_username())

    def service_delete(self, *, request, obj):
        services.policy_delete(policy_id=obj.pk)

    def delete_queryset(self, request, queryset):
        services.policies_delete(ids=list(queryset.values_list("pk", flat=True)))

    @admin.action(description="Enable selected policies", permissions=["enable_policies"])
    def enable_policies(self, request, queryset):
        ids = services.policies_set_enabled(ids=list(queryset.values_list("pk", flat=True)), enabled=True)
        self.message_user(request, f"Enabled {_policies(len(ids))}.", messages.SUCCESS)

    @admin.action(description="Disable selected policies", permissions=["enable_policies"])
    def disable_policies(self, request, queryset):
        ids = services.policies_set_enabled(ids=list(queryset.values_list("pk", flat=True)), enabled=False)
        self.message_user(request, f"Disabled {_policies(len(ids))}.", messages.SUCCESS)

    @admin.display(description="preview (nothing is saved)")
    def preview(self, obj):
        return format_html(
            '<label for="policy-preview-windows">windows</label> '
            '<input type="number" id="policy-preview-windows" min="1" max="{}" value="5" style="width: 4em"> '
            '<button type="button" class="button" id="policy-preview-button" data-url="{}">Preview</button>'
            '<div id="policy-preview" aria-live="polite"><p class="help">The next windows (in the policy\'s zone and '
            "in UTC) and the current events the criteria match, for the form as it is now, saved or not.</p></div>",
            selectors.PREVIEW_MAX_WINDOWS,
            reverse("admin:blackouts_blackoutpolicy_preview"),
        )

    @requires("preview_policies", model="view")
    def preview_view(self, request):
        """The form's Preview: the unsaved criteria and timeframe through ``selectors.policy_preview``; an HTML
        fragment (400 with the errors when the input is refused). Writes nothing."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        errors: list[tuple[str, str]] = []
        fields = {"selector_criteria": request.POST.get("selector_criteria", "")}
        field = BlackoutPolicyForm.base_fields["timeframe"]  # the form's editor: its fields, or its JSON
        try:
            fields["timeframe"] = field.clean(field.widget.value_from_datadict(request.POST, None, "timeframe"))
        except ValidationError as exc:
            errors.extend(("timeframe", message) for message in exc.messages)
        try:
            window_count = int(request.POST.get("windows") or 5)
        except ValueError:
            window_count = 0
        preview = None
        try:
            if errors:  # the timeframe is not JSON: still judge the criteria, alone
                others = set(BlackoutPolicy.INPUT_FIELDS) - {"selector_criteria"}
                policy_input.clean_policy(fields, skip=others)
            else:
                preview = selectors.policy_preview(fields=fields, now=timezone.now(), window_count=window_count)
        except Invalid as exc:
            errors.extend(exc.errors or [("", exc.message)])
        context = {"preview": preview, "errors": errors}
        return TemplateResponse(request, "admin/blackouts/policy_preview.html", context, status=400 if errors else 200)

    @staticmethod
    def _policy_zones() -> set[str]:
        zones = BlackoutPolicy.objects.filter(enabled=True).values_list("timeframe__timeZone__id", flat=True)
        return {z for z in zones.distinct()[:50] if isinstance(z, str) and z}

    def get_urls(self):
        custom = [
            path(
                "preview/",
                self.admin_site.admin_view(self.preview_view),
                name="blackouts_blackoutpolicy_preview",
            ),
            path(
                "calendar/",
                self.admin_site.admin_view(self.calendar_view),
                name="blackouts_blackoutpolicy_calendar",
            ),
        ]
        return custom + super().get_urls()

    @requires("view_calendar", model="view")
    def calendar_view(self, request):
        """Every enabled policy's windows over 14 days as a timeline. The days run from midnight to midnight in
        the zone the page names (``?tz=``: UTC unless chosen; a DST day is 23 or 25 hours wide)."""
        zone_name = request.GET.get("tz") or "UTC"
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            messages.error(request, f"Unknown time zone {zone_name!r}: the calendar is shown in UTC.")
            zone_name, zone = "UTC", ZoneInfo("UTC")
        today = timezone.now().astimezone(zone).date()
        # In UTC: arithmetic between two times of one zone would ignore a DST change between them.
        dates = [today + timedelta(days=n) for n in range(CALENDAR_DAYS + 1)]
        edges = [datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC) for day in dates]
        start, end = edges[0], edges[-1]
        total = (end - start).total_seconds()
        days = [
            {
                "date": day,
                "left": round((edge - start).total_seconds() / total * 100, 3),
                "width": round((following - edge).total_seconds() / total * 100, 3),
            }
            for day, (edge, following) in zip(dates, pairwise(edges), strict=False)
        ]
        rows = selectors.policy_calendar(start=start, days=CALENDAR_DAYS, end=end)
        zones = sorted({"UTC", zone_name, *self._policy_zones()})
        context = {
            **self.admin_site.each_context(request),
            "title": f"Blackout calendar: {CALENDAR_DAYS} days, midnight to midnight {zone_name}",
            "opts": self.model._meta,
            "rows": rows,
            "days": days,
            "zone": zone_name,
            "zones": zones,
            "start": start,
            "end": end,
            "changelist_url": reverse("admin:blackouts_blackoutpolicy_changelist"),
        }
        return TemplateResponse(request, "admin/blackouts/calendar.html", context)


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    """Events come from the monitoring systems (wire ingest) and their blackout state from the policies: staff
    look, filter and export here, and change what happens to events by changing policies."""

    list_display = [
        "id",
        "identifier",
        "event_class",
        "severity",
        "status",
        "previous_status",
        "policy_link",
        "received_at",
    ]
    list_filter = ["status", "severity", "event_class", ("blackout_policy", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["msg", "identifier"]
    list_select_related = ["blackout_policy"]
    readonly_fields = ["received_at", "blacked_out_at", "slots_pretty"]
    raw_id_fields = ["blackout_policy"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["identifier", "event_class", "severity", "status", "msg"]}),
        ("Source", {"fields": ["source_hostname", "source_identifier", "repeat_count"]}),
        ("Slots", {"fields": ["slots", "slots_pretty"]}),
        ("Blackout", {"fields": ["previous_status", "blackout_policy", "blacked_out_at", "received_at"]}),
    ]

    @admin.display(description="blacked out by", ordering="blackout_policy__name")
    def policy_link(self, obj):
        if obj.blackout_policy is None:
            return "—"
        url = reverse("admin:blackouts_blackoutpolicy_change", args=[obj.blackout_policy_id])
        return format_html('<a href="{}">{}</a>', url, obj.blackout_policy.name)

    @admin.display(description="slots (readable)")
    def slots_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.slots, indent=2, sort_keys=True))
