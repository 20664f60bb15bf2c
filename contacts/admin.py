"""Staff look contacts up by account, person, address or id, and read their status history."""

from django.contrib import admin, messages
from django.db.models import Count

from core.admin import ExportMixin

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


class ContactStatusEventInline(admin.TabularInline):
    """The status history, newest received first; written only by the wire and the actions."""

    model = ContactStatusEvent
    verbose_name_plural = "Status history"
    extra = 0
    fields = ("status", "reason", "event_captured_at", "received_at", "applied")
    readonly_fields = fields
    ordering = ("-received_at", "-id")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CustomerContact)
class CustomerContactAdmin(ExportMixin, admin.ModelAdmin):
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
    readonly_fields = ("cc_id", "status", "reason", "event_captured_at", "history_count", "created_at", "updated_at")
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

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.resolver_match and request.resolver_match.url_name.endswith("_change"):
            qs = qs.annotate(history_total=Count("status_events"))
        return qs

    @admin.display(description="status reports received")
    def history_count(self, obj):
        total = getattr(obj, "history_total", None)
        return obj.status_events.count() if total is None else total

    def _mark(self, request, queryset, status: str):
        label = ContactStatus(status).label
        taken = services.contacts_mark_status(
            contacts=queryset, status=status, reason=f"Marked {label} in the admin by {request.user.get_username()}"
        )
        self.message_user(request, f"{taken} contact(s) now {label}.", messages.SUCCESS)

    @admin.action(description="Mark selected contacts Failed (C1FL)", permissions=["change"])
    def mark_failed(self, request, queryset):
        self._mark(request, queryset, ContactStatus.FAILED)

    @admin.action(description="Mark selected contacts Not Sent (C1NS)", permissions=["change"])
    def mark_not_sent(self, request, queryset):
        self._mark(request, queryset, ContactStatus.NOT_SENT)


@admin.register(ContactStatusEvent)
class ContactStatusEventAdmin(ExportMixin, admin.ModelAdmin):
    """Every status report received, across contacts (read-only: the history is what was received)."""

    list_display = ("contact", "status", "reason", "event_captured_at", "received_at", "applied")
    list_filter = ("status", "applied", "received_at")
    search_fields = ("=contact__external_cc_id", "=contact__cc_id", "=contact__account_id")
    list_select_related = ("contact",)
    date_hierarchy = "received_at"
    show_full_result_count = False
    readonly_fields = ("contact", "status", "reason", "event_captured_at", "received_at", "applied")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CustomerContactIdentifier)
class CustomerContactIdentifierAdmin(admin.ModelAdmin):
    """Look a contact up by one of its identifiers in other systems."""

    list_display = ("external_ref_id", "identifier_type", "contact")
    list_filter = ("identifier_type",)
    search_fields = ("=external_ref_id", "=contact__external_cc_id")
    list_select_related = ("contact",)
    raw_id_fields = ("contact",)


@admin.register(TemplateParameter)
class TemplateParameterAdmin(admin.ModelAdmin):
    list_display = ("contact", "key", "value")
    search_fields = ("=contact__external_cc_id", "key")
    list_select_related = ("contact",)
    raw_id_fields = ("contact",)
