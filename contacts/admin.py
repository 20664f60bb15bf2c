"""Staff look contacts up by account, person, address or id, and read their status history.

Every write goes through ``contacts.services`` (``core.admin.ServiceAdminMixin``): adding or changing a contact, with
its identifiers and template data, is one ``contact_upsert`` call, the one the wire PUT makes, so an admin-made contact
gets its ``ccId`` and its status history exactly as a reported one does. The status history is read-only for everyone.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin, ServiceAdminMixin
from core.lists.admin import ExportMixin

from . import services
from .models import ContactStatus, ContactStatusEvent, CustomerContact, CustomerContactIdentifier, TemplateParameter


class CustomerContactIdentifierInline(admin.TabularInline):
    model = CustomerContactIdentifier
    extra = 0
    fields = ("position", "identifier_type", "external_ref_id")


class TemplateParameterInline(admin.TabularInline):
    model = TemplateParameter
    extra = 0
    fields = ("position", "key", "value")


class ContactStatusEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The status history, newest received first; written only by the service (wire, admin add, actions)."""

    model = ContactStatusEvent
    verbose_name_plural = "Status history"
    extra = 0
    fields = ("status", "reason", "event_captured_at", "received_at", "applied")
    readonly_fields = fields
    ordering = ("-received_at", "-id")
    can_delete = False


def _inline_rows(formset, fields: tuple[str, ...]) -> list[dict] | None:
    """The rows an inline formset now holds, in ``position`` order (ties in page order), or None when unchanged."""
    if not formset.has_changed():
        return None
    kept = [
        (form.cleaned_data.get("position") or 0, index, form.cleaned_data)
        for index, form in enumerate(formset.forms)
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    return [{name: data.get(name) or "" for name in fields} for _, _, data in sorted(kept, key=lambda k: k[:2])]


@admin.register(CustomerContact)
class CustomerContactAdmin(ServiceAdminMixin, ExportMixin, admin.ModelAdmin):
    list_display = (
        "external_cc_id",
        "cc_id",
        "account_id",
        "person_id",
        "delivery_channel",
        "status",
        "notification_type",
        "event_captured_at",
    )
    list_filter = ("status", "delivery_channel", "origin", "notification_type", "event_captured_at")
    search_fields = ("=external_cc_id", "=cc_id", "=account_id", "=person_id", "delivery_value")
    date_hierarchy = "event_captured_at"
    list_per_page = 50
    show_full_result_count = False
    # On add, the first status report may be given as in a PUT; afterwards the status changes only through new
    # reports (wire) and the actions, both recorded in the history, and the external id (the key) never changes.
    add_readonly_fields = ("cc_id", "history_count", "created_at", "updated_at")
    readonly_fields = ("external_cc_id", "status", "reason", "event_captured_at", *add_readonly_fields)
    fieldsets = (
        (None, {"fields": ("external_cc_id", "cc_id", "notification_type", "origin")}),
        ("Customer", {"fields": ("account_id", "person_id", "contact_id")}),
        ("Delivery", {"fields": ("delivery_channel", "delivery_value", "email_subject")}),
        ("Current status", {"fields": ("status", "reason", "event_captured_at", "history_count")}),
        (
            "Notification platform",
            {"fields": ("notification_instance_id", "notification_preference_id", "created_at", "updated_at")},
        ),
    )
    inlines = (CustomerContactIdentifierInline, TemplateParameterInline, ContactStatusEventInline)
    actions = ("mark_failed", "mark_not_sent")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else self.add_readonly_fields

    def save_model(self, request, obj, form, change):
        """Deferred to :meth:`save_related`, so that the contact and its lists are written by one service call."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            formset.save(commit=False)  # writes nothing: fills new/changed/deleted_objects for the change message
        form.service_formsets = formsets
        ServiceAdminMixin.save_model(self, request, form.instance, form, change)

    def service_save(self, *, request, obj, form, change):
        names = form.changed_data if change else form.cleaned_data
        fields = {name: form.cleaned_data[name] for name in names if name in services.CONTACT_FIELDS}
        lists = {}
        for formset in getattr(form, "service_formsets", ()):
            if formset.model is CustomerContactIdentifier:
                lists["identifiers"] = _inline_rows(formset, ("external_ref_id", "identifier_type"))
            elif formset.model is TemplateParameter:
                lists["template_data"] = _inline_rows(formset, ("key", "value"))
        result = services.contact_upsert(external_cc_id=obj.external_cc_id, fields=fields, **lists)
        obj.cc_id = result.contact.cc_id
        return result.contact

    def service_delete(self, *, request, obj):
        services.contacts_delete(contacts=CustomerContact.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.contacts_delete(contacts=queryset)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_change"):
            qs = qs.annotate(history_total=Count("status_events"))
        return qs

    @admin.display(description="status reports received")
    def history_count(self, obj):
        if obj.pk is None:
            return "-"
        total = getattr(obj, "history_total", None)
        return obj.status_events.count() if total is None else total

    def _mark(self, request, queryset, status: str):
        label = ContactStatus(status).label
        taken = services.contacts_mark_status(
            contacts=queryset, status=status, reason=f"Marked {label} in the admin by {request.user.get_username()}"
        )
        self.message_user(
            request,
            ngettext("%(n)d contact now %(label)s.", "%(n)d contacts now %(label)s.", taken)
            % {"n": taken, "label": label},
            messages.SUCCESS,
        )

    @admin.action(description="Mark selected contacts Failed (C1FL)", permissions=["mark_contact_status"])
    def mark_failed(self, request, queryset):
        self._mark(request, queryset, ContactStatus.FAILED)

    @admin.action(description="Mark selected contacts Not Sent (C1NS)", permissions=["mark_contact_status"])
    def mark_not_sent(self, request, queryset):
        self._mark(request, queryset, ContactStatus.NOT_SENT)


@admin.register(ContactStatusEvent)
class ContactStatusEventAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    """Every status report received, across contacts (read-only for everyone: the history is what was received)."""

    list_display = ("contact", "status", "reason", "event_captured_at", "received_at", "applied")
    list_filter = ("status", "applied", "received_at")
    search_fields = ("=contact__external_cc_id", "=contact__cc_id", "=contact__account_id")
    list_select_related = ("contact",)
    date_hierarchy = "received_at"
    show_full_result_count = False
    readonly_fields = ("contact", "status", "reason", "event_captured_at", "received_at", "applied")


@admin.register(CustomerContactIdentifier)
class CustomerContactIdentifierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Look a contact up by one of its identifiers in other systems (edited on the contact's page, by its service)."""

    list_display = ("external_ref_id", "identifier_type", "contact")
    list_filter = ("identifier_type",)
    search_fields = ("=external_ref_id", "=contact__external_cc_id")
    list_select_related = ("contact",)
    raw_id_fields = ("contact",)


@admin.register(TemplateParameter)
class TemplateParameterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Template parameters across contacts (edited on the contact's page, by its service)."""

    list_display = ("contact", "key", "value")
    search_fields = ("=contact__external_cc_id", "key")
    list_select_related = ("contact",)
    raw_id_fields = ("contact",)
