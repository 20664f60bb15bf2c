"""The change log in the admin: the History of every change page, the list of all changes, subscriptions (written
through their services) and deliveries with their attempts and a redeliver action."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join

from .admin import ExportMixin, ReadOnlyAdminMixin, ServiceAdminMixin
from .changes import registry, subscriptions
from .changes.models import Change, Delivery, DeliveryAttempt, Subscription

HISTORY_LIMIT = 500


def _summary(change: Change):
    parts = [(name, _short(pair[0]), _short(pair[1])) for name, pair in list(change.changes.items())[:6]]
    text = format_html_join(", ", "{}: {} → {}", parts)
    if change.counts:
        text = format_html("{} {}", text, ", ".join(f"{k}={v}" for k, v in change.counts.items()))
    return text


def _short(value) -> str:
    text = "∅" if value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def change_rows(changes) -> list[dict]:
    """What the History page shows of each change: who, when, the action, field by field."""
    return [
        {
            "change": c,
            "fields": [(name, pair[0], pair[1]) for name, pair in c.changes.items() if isinstance(pair, list)],
        }
        for c in changes
    ]


def history_view(model_admin, request, object_id, extra_context=None):
    """The History of a change page, from the change log (every door's writes, not only the admin's)."""
    model = model_admin.model
    obj = model_admin.get_object(request, unquote(object_id))
    if obj is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model._meta, object_id)
    if not model_admin.has_view_or_change_permission(request, obj):
        raise PermissionDenied
    object_type = registry.tracked(model).object_type
    found = Change.objects.filter(object_type=object_type, object_id=str(obj.pk)).order_by("-id")[:HISTORY_LIMIT]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"History: {obj}",
        "subtitle": None,
        "object": obj,
        "opts": model._meta,
        "app_label": model._meta.app_label,
        "rows": change_rows(found),
        "limit": HISTORY_LIMIT,
        **(extra_context or {}),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/core/change_history.html", context)


def install_history(site) -> None:
    """Give every registered model admin the change log's History (run once the admins are registered)."""
    for model_admin in site._registry.values():
        model_admin.history_view = history_view.__get__(model_admin)


class ObjectTypeFilter(admin.SimpleListFilter):
    title = "object type"
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        types = Change.objects.order_by().values_list("object_type", flat=True).distinct()
        return [(t, f"{registry.type_label(t)} ({t})") for t in sorted(types)]

    def queryset(self, request, queryset):
        return queryset.filter(object_type=self.value()) if self.value() else queryset


class ActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = Change.objects.order_by().values_list("action", flat=True).distinct()
        return [(a, a) for a in sorted(actions)]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class ActorFilter(admin.SimpleListFilter):
    title = "who"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        actors = Change.objects.order_by().values_list("actor", flat=True).distinct()[:200]
        return [(a, a or "(nobody)") for a in sorted(actors)]

    def queryset(self, request, queryset):
        return queryset.filter(actor=self.value()) if self.value() is not None else queryset


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "natural_key", "what_changed", "request_id")
    list_filter = (ObjectTypeFilter, ActionFilter, ActorFilter, ("at", admin.DateFieldListFilter))
    date_hierarchy = "at"
    search_fields = ("natural_key",)
    search_help_text = "Natural key (e.g. OMS1/OUT-1), object, actor or request id contain…"
    readonly_fields = [f.name for f in Change._meta.fields]
    show_full_result_count = False

    @admin.display(description="what changed")
    def what_changed(self, obj):
        return _summary(obj)


@admin.register(Subscription)
class SubscriptionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "target_url", "format", "enabled", "failing_since", "disabled_reason")
    list_filter = ("enabled", "format")
    search_fields = ("name", "target_url")
    readonly_fields = ("owner", "failing_since", "disabled_reason", "created_at", "updated_at")
    fields = (
        "name",
        "target_url",
        "event_types",
        "filter",
        "secret",
        "enabled",
        "format",
        "query",
        "owner",
        "failing_since",
        "disabled_reason",
        "created_at",
        "updated_at",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        known = ", ".join(sorted(registry.EVENT_TYPES))
        if "event_types" in form.base_fields:
            form.base_fields["event_types"].help_text = f'A JSON list, e.g. ["outage.etr_changed"]. Known: {known}.'
        if "secret" in form.base_fields:
            form.base_fields["secret"].required = False
            form.base_fields["secret"].help_text = "Standard Webhooks secret (whsec_…); left empty, one is generated."
        return form

    def service_validate(self, *, request, form, change):
        subscriptions.subscription_validate(form.instance)

    def service_save(self, *, request, obj, form, change):
        return subscriptions.subscription_save(subscription=obj, owner=request.user)

    def service_delete(self, *, request, obj):
        subscriptions.subscription_delete(subscription_id=obj.pk)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "at", "status_code", "duration_ms", "response_excerpt", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, ExportMixin, admin.ModelAdmin):
    list_display = ("created_at", "event_type", "object_key", "subscription", "status", "attempts", "last_status_code")
    list_filter = ("status", "event_type", "subscription")
    list_select_related = ("subscription",)
    search_fields = ("event_id", "object_key")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    @admin.action(description="Redeliver the selected events now", permissions=["redeliver"])
    def redeliver(self, request, queryset):
        count = subscriptions.deliveries_redeliver(delivery_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} deliveries queued again.", messages.SUCCESS)
