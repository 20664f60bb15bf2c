"""Admin: policies (validated like the API, actions call services), events, and a 14-day calendar page."""

import json
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import ExportMixin

from . import selector, selectors, services, windows
from .models import BlackoutPolicy, Event


class BlackoutPolicyForm(forms.ModelForm):
    timeframe = forms.JSONField(
        help_text='timeframeDetails as in the API, e.g. {"startDate": "03022021", "startTime": "10:35", '
        '"endTime": "11:36", "endsOn": {"never": true}, "recurrencePattern": {"recurrence": "daily", '
        '"details": {"days": "all"}}, "timeZone": {"id": "Atlantic/Azores"}}',
        widget=forms.Textarea(attrs={"rows": 12, "cols": 90}),
    )

    class Meta:
        model = BlackoutPolicy
        fields = [
            "name",
            "description",
            "execution_order",
            "selector_criteria",
            "enabled",
            "timeframe",
            "blackout_existing_events",
            "reset_status_on_blackout_end",
        ]

    def clean_selector_criteria(self):
        value = self.cleaned_data["selector_criteria"]
        try:
            selector.parse(value)
        except selector.SelectorError as exc:
            raise ValidationError(str(exc)) from None
        return value

    def clean_timeframe(self):
        value = self.cleaned_data["timeframe"]
        try:
            windows.parse_timeframe(value)
        except windows.TimeframeError as exc:
            raise ValidationError(str(exc)) from None
        return value

    def clean(self):
        """The API's rules: the name never changes, an enabled policy in an open window is not edited (use the
        Disable action first)."""
        cleaned = super().clean()
        instance = self.instance
        if instance.pk and not instance._state.adding:
            if cleaned.get("name") not in (None, instance.name):
                self.add_error("name", "The name of a policy cannot change.")
            if instance.enabled and windows.active_window(instance.parsed_timeframe, timezone.now()) is not None:
                raise ValidationError("Failed to update, policy is in active state (disable it first).")
        return cleaned


@admin.register(BlackoutPolicy)
class BlackoutPolicyAdmin(ExportMixin, admin.ModelAdmin):
    form = BlackoutPolicyForm
    list_display = ["name", "enabled", "state", "next_run", "execution_order", "owner", "modified_at"]
    list_filter = ["enabled", "blackout_existing_events", "reset_status_on_blackout_end"]
    search_fields = ["name", "description", "selector_criteria"]
    ordering = ["execution_order", "name"]
    actions = ["enable_policies", "disable_policies"]
    readonly_fields = ["id", "owner", "timeframe_status", "window_start", "window_end", "applied_start", "applied_end"]
    fieldsets = [
        (None, {"fields": ["id", "name", "description", "execution_order", "enabled", "owner"]}),
        ("Selector", {"fields": ["selector_criteria"]}),
        ("Timeframe", {"fields": ["timeframe", "timeframe_status"]}),
        ("Processing", {"fields": ["blackout_existing_events", "reset_status_on_blackout_end"]}),
        ("Transitions", {"fields": ["window_start", "window_end", "applied_start", "applied_end"]}),
    ]
    change_list_template = "admin/blackouts/blackoutpolicy/change_list.html"

    def _status(self, obj):
        cache = self.__dict__.setdefault("_status_cache", {})
        key = (obj.pk, obj.modified_at)
        if key not in cache:
            cache[key] = windows.timeframe_status(obj.parsed_timeframe, timezone.now(), enabled=obj.enabled)
        return cache[key]

    @admin.display(description="state")
    def state(self, obj):
        return self._status(obj)["state"]

    @admin.display(description="next run")
    def next_run(self, obj):
        upcoming = self._status(obj)["nextRun"]
        return upcoming.strftime("%Y-%m-%d %H:%M UTC") if upcoming else "—"

    @admin.display(description="timeframe status")
    def timeframe_status(self, obj):
        if not obj.pk:
            return "—"
        return windows.status_string(self._status(obj))

    def save_model(self, request, obj, form, change):
        """Through the services, as the API: validation, schedule cache, reconcile at once."""
        fields = {name: form.cleaned_data[name] for name in BlackoutPolicyForm.Meta.fields}
        try:
            if change:
                policy = services.policy_update(policy_id=obj.pk, fields=fields)
            else:
                policy = services.policy_create(fields=fields, owner=request.user.get_username())
        except (services.PolicyActive, services.PolicyInputError, services.PolicyNameConflict) as exc:
            raise ValidationError(str(exc)) from exc  # the form's clean() catches these first
        obj.pk = policy.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        services.policies_delete(ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.policies_delete(ids=list(queryset.values_list("pk", flat=True)))

    @admin.action(description="Enable selected policies", permissions=["change"])
    def enable_policies(self, request, queryset):
        ids = services.policies_set_enabled(ids=list(queryset.values_list("pk", flat=True)), enabled=True)
        self.message_user(request, f"Enabled {len(ids)} policies.", messages.SUCCESS)

    @admin.action(description="Disable selected policies", permissions=["change"])
    def disable_policies(self, request, queryset):
        ids = services.policies_set_enabled(ids=list(queryset.values_list("pk", flat=True)), enabled=False)
        self.message_user(request, f"Disabled {len(ids)} policies.", messages.SUCCESS)

    def get_urls(self):
        custom = [
            path(
                "calendar/",
                self.admin_site.admin_view(self.calendar_view),
                name="blackouts_blackoutpolicy_calendar",
            )
        ]
        return custom + super().get_urls()

    def calendar_view(self, request):
        """Every enabled policy's windows over the next 14 days, as a timeline."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        start = timezone.now().replace(minute=0, second=0, microsecond=0)
        days = [start + timedelta(days=n) for n in range(14)]
        rows = selectors.policy_calendar(start=start, days=14)
        context = {
            **self.admin_site.each_context(request),
            "title": "Blackout calendar: the next 14 days",
            "opts": self.model._meta,
            "rows": rows,
            "days": days,
            "day_width": 100 / 14,
            "start": start,
            "end": start + timedelta(days=14),
            "changelist_url": reverse("admin:blackouts_blackoutpolicy_changelist"),
        }
        return TemplateResponse(request, "admin/blackouts/calendar.html", context)


@admin.register(Event)
class EventAdmin(ExportMixin, admin.ModelAdmin):
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
