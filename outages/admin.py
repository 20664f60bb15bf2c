"""Admin for staff watching outages: external systems, events, their customers (paginated) and the message log."""

import dataclasses

from django.contrib import admin, messages
from django.db.models import Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin, ServiceAdminMixin, requires
from core.imports.admin import ImportExportMixin
from core.lists.admin import ExportMixin

from . import reliability_report, services
from .domain import Characteristic, Detail
from .models import (
    ExternalSystem,
    OutageCharacteristic,
    OutageCustomer,
    OutageCustomerSpell,
    OutageDetail,
    OutageEvent,
    OutageMessage,
)

LOG_PREVIEW = 20
PAYLOAD_PREVIEW = 20000


@admin.register(ExternalSystem)
class ExternalSystemAdmin(ServiceAdminMixin, ImportExportMixin, admin.ModelAdmin):
    list_display = ["name", "description", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    actions = ["activate", "deactivate"]

    def service_save(self, *, request, obj, form, change):
        return services.external_system_save(system=obj)

    @admin.action(description="Activate selected external systems", permissions=["activate_systems"])
    def activate(self, request, queryset):
        count = services.external_systems_set_active(system_ids=queryset.values_list("pk", flat=True), active=True)
        self.message_user(
            request,
            ngettext("%(n)d external system activated.", "%(n)d external systems activated.", count) % {"n": count},
            messages.SUCCESS,
        )

    @admin.action(
        description="Deactivate selected external systems (their posts are refused)", permissions=["activate_systems"]
    )
    def deactivate(self, request, queryset):
        count = services.external_systems_set_active(system_ids=queryset.values_list("pk", flat=True), active=False)
        self.message_user(
            request,
            ngettext("%(n)d external system deactivated.", "%(n)d external systems deactivated.", count) % {"n": count},
            messages.SUCCESS,
        )


# Widths of the characteristic inline's inputs: at the admin's default 20em each, its six columns made the outage
# page about 1,950 px wide; sized to their values, the page fits a 1,280 px screen.
CHARACTERISTIC_WIDTHS = {
    "characteristic_type": "7em",
    "sequence": "5em",
    "value": "14em",
    "value2": "8em",
    "value3": "8em",
}


class OutageCharacteristicInline(admin.TabularInline):
    model = OutageCharacteristic
    extra = 0
    fields = ["characteristic_type", "type_of_characteristic_value", "sequence", "value", "value2", "value3"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        width = CHARACTERISTIC_WIDTHS.get(db_field.name)
        if formfield is not None and width:
            formfield.widget.attrs["style"] = f"width: {width}"
        return formfield


class OutageDetailInline(admin.TabularInline):
    model = OutageDetail
    extra = 0
    fields = ["name", "value"]


def _inline_rows(formset) -> list:
    """The rows an inline formset keeps, as unsaved instances carrying the form's values (fields the inline does
    not show keep their stored value); deleted and untouched extra forms left out. The formset itself saves
    nothing: its bookkeeping for the admin's history message is left empty."""
    kept = [
        form.instance
        for form in formset.forms
        if (form.has_changed() or form.instance.pk is not None) and not form.cleaned_data.get("DELETE")
    ]
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    return kept


def _changelist(model, **query) -> str:
    url = reverse(f"admin:outages_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(query)}" if query else url


@admin.register(OutageEvent)
class OutageEventAdmin(ServiceAdminMixin, ExportMixin, admin.ModelAdmin):
    """Staff edits go through ``services.outage_event_save`` (state derived there, times checked by the model's
    rule); the inlines' rows are handed to the same service, never saved by the formsets themselves."""

    list_display = [
        "external_outage_id",
        "external_system",
        "outage_type",
        "state",
        "impacted_customers",
        "customer_count",
        "start_date_time",
        "estimated_restoration_time",
        "completion_date_time",
    ]
    list_filter = ["outage_type", "state", "external_system", "start_date_time"]
    list_select_related = ["external_system"]
    search_fields = ["external_outage_id"]
    search_help_text = "Outage id (contains), or an exact account id or service point id."
    date_hierarchy = "start_date_time"
    inlines = [OutageCharacteristicInline, OutageDetailInline]
    actions = ["discard"]
    readonly_fields = ["customers_link", "message_log", "customer_count", "state", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["external_system", "external_outage_id", "outage_type", "state", "message_reference"]}),
        ("Times", {"fields": ["start_date_time", "estimated_restoration_time", "completion_date_time", "discarded"]}),
        ("Customers", {"fields": ["impacted_customers", "customer_count", "customers_link"]}),
        ("Message log", {"fields": ["message_log"]}),
        ("Record", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_urls(self):
        view = self.admin_site.admin_view(self.reliability_view)
        return [path("reliability/", view, name="outages_outageevent_reliability"), *super().get_urls()]

    @requires(model="view")
    def reliability_view(self, request):
        """IEEE 1366 indices for a chosen period, the monthly SAIDI and SAIFI drawn server-side, and links to the
        worst-served customers (``outages.reliability``, as the analyst API computes them)."""
        context = {
            **self.admin_site.each_context(request),
            **reliability_report.context(request.GET),
            "title": "Reliability indices (IEEE 1366)",
            "opts": self.model._meta,
            "changelist_url": reverse("admin:outages_outageevent_changelist"),
        }
        return TemplateResponse(request, "admin/outages/reliability.html", context)

    def get_search_results(self, request, queryset, search_term):
        """Outage id as usual; an account or service point id through an indexed EXISTS (no join, no duplicates)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            listed = OutageCustomer.objects.filter(Q(account_id=term) | Q(sp_id=term), event=OuterRef("pk"))
            found |= queryset.filter(Exists(listed))  # the incoming queryset keeps the sidebar filters
        return found, may_have_duplicates

    @admin.display(description="customer list")
    def customers_link(self, obj):
        if obj.pk is None:
            return "-"
        count = obj.customer_count
        listed = ngettext("%(n)d customer listed", "%(n)d customers listed", count) % {"n": count}
        return format_html('<a href="{}">{}: open the list</a>', _changelist(OutageCustomer, event=obj.pk), listed)

    @admin.display(description="latest messages")
    def message_log(self, obj):
        if obj.pk is None:
            return "-"
        entries = list(
            OutageMessage.objects.filter(event=obj).only(
                "received_at", "message_reference", "outcome", "reason", "received_by"
            )[:LOG_PREVIEW]
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (e.received_at, e.message_reference or "-", e.get_outcome_display(), e.received_by, e.reason)
                for e in entries
            ),
        )
        link = _changelist(
            OutageMessage, external_system_name=obj.external_system.name, external_outage_id=obj.external_outage_id
        )
        return format_html(
            "<table><thead><tr><th>received</th><th>reference</th><th>outcome</th><th>by</th><th>reason</th></tr>"
            '</thead><tbody>{}</tbody></table><p><a href="{}">All messages for this outage</a> '
            "(applied and refused)</p>",
            rows,
            link,
        )

    def get_deleted_objects(self, objs, request):
        """A summary instead of Django's one line per related row (a storm event lists 100,000 customers).

        Customers, characteristics and details belong to their event; logged messages stay (event emptied)."""
        events = list(objs)
        counts = {
            model._meta.verbose_name_plural: model.objects.filter(event__in=events).count()
            for model in (OutageCustomer, OutageCharacteristic, OutageDetail)
        }
        deleted = [
            f"{self.model._meta.verbose_name}: {event.external_system.name} {event.external_outage_id} "
            f"({event.customer_count} customers)"
            for event in events
        ]
        deleted.append(", ".join(f"{count} {name}" for name, count in counts.items()))
        model_count = {self.model._meta.verbose_name_plural: len(events), **counts}
        perms_needed = set() if self.has_delete_permission(request) else {self.model._meta.verbose_name}
        return deleted, model_count, perms_needed, []

    def service_save(self, *, request, obj, form, change):
        return services.outage_event_save(event=obj)

    def save_related(self, request, form, formsets, change):
        """The inlines' rows, in their order, replace the event's characteristics and details."""
        form.save_m2m()
        rows = {formset.prefix: _inline_rows(formset) for formset in formsets}
        columns = [f.name for f in dataclasses.fields(Characteristic)]
        services.outage_event_lists_replace(
            event=form.instance,
            characteristics=[
                Characteristic(**{name: getattr(row, name) for name in columns})
                for row in rows.get("characteristics", [])
            ],
            details=[Detail(name=row.name, value=row.value) for row in rows.get("details", [])],
        )

    def service_delete(self, *, request, obj):
        services.outage_events_delete(event_ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        services.outage_events_delete(event_ids=list(queryset.values_list("pk", flat=True)))

    @admin.action(description="Mark selected outages discarded", permissions=["discard_outages"])
    def discard(self, request, queryset):
        count = services.outage_events_discard(event_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(n)d outage discarded.", "%(n)d outages discarded.", count) % {"n": count},
            messages.SUCCESS,
        )


class EventCustomerRowsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """An outage's customer rows (the list, or its history): paginated, searched by exact key, filtered by event
    from the event page, so a storm's 100,000 rows are never rendered inline. Read-only: the OMS's notifications
    write them, which keeps the event's count true."""

    list_select_related = ["event__external_system"]
    search_fields = ["=account_id", "=sp_id"]
    search_help_text = "Exact account id or service point id."
    list_per_page = 100
    show_full_result_count = False
    raw_id_fields = ["event"]
    event_lookups = ("event", "event__id__exact")

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.event_lookups or super().lookup_allowed(lookup, value, request)


@admin.register(OutageCustomer)
class OutageCustomerAdmin(ExportMixin, EventCustomerRowsAdmin):
    """The customers on an outage's list now."""

    list_display = ["account_id", "sp_id", "event"]
    # event__state__exact: the dashboard's "customers out now" (the customers of the active outages).
    event_lookups = (*EventCustomerRowsAdmin.event_lookups, "event__state__exact")


@admin.register(OutageCustomerSpell)
class OutageCustomerSpellAdmin(EventCustomerRowsAdmin):
    """When each customer was on an outage's list (the reliability indices' history), written with the list."""

    list_display = ["account_id", "sp_id", "event", "added_at", "dropped_at"]


@admin.register(OutageMessage)
class OutageMessageAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    """The log is read-only for everyone, superusers included: it records what the OMS sent, applied or refused."""

    list_display = [
        "received_at",
        "external_system_name",
        "external_outage_id",
        "message_reference",
        "outcome",
        "received_by",
        "short_reason",
    ]
    list_filter = ["outcome", "external_system_name", "received_at"]
    search_fields = ["=external_outage_id", "=message_reference"]
    list_select_related = ["event"]
    show_full_result_count = False
    readonly_fields = ["payload_preview", "payload_bytes", "payload_sha256", "payload_truncated"]
    exclude = ["payload"]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in ("external_outage_id", "event", "request_id") or super().lookup_allowed(lookup, value, request)

    @admin.display(description="reason")
    def short_reason(self, obj):
        return obj.reason if len(obj.reason) <= 80 else obj.reason[:77] + "..."

    @admin.display(description="payload")
    def payload_preview(self, obj):
        text = obj.payload
        suffix = f"\n... ({len(text):,} characters in all)" if len(text) > PAYLOAD_PREVIEW else ""
        return format_html('<pre style="white-space: pre-wrap">{}{}</pre>', text[:PAYLOAD_PREVIEW], suffix)
