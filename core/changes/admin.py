"""The change log in the admin: the History of every change page, the list of all changes, subscriptions (written
through their services) and deliveries with their attempts and a redeliver action."""

import types

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdminMixin, ServiceAdminMixin
from core.errors import Invalid
from core.lists.admin import ExportMixin

from . import display, registry, subscriptions
from .models import Change, Delivery, DeliveryAttempt, Subscription

HISTORY_LIMIT = 500


def _summary(change: Change):
    rows = display.field_rows(change)[:6]
    parts = [(name, display.short(before, 120), display.short(after, 120)) for name, before, after in rows]
    text = format_html_join(", ", "{}: {} → {}", parts)
    counts = display.count_rows(change)
    if counts:
        text = format_html("{} {}", text, ", ".join(f"{k}: {v}" for k, v in counts))
    return text


def change_rows(changes) -> list[dict]:
    """What the History page shows of each change: who, when, the action, field by field, the counts, all as text
    computed here in staff language (``display``; the template reads no stored mapping: a count named ``items``
    once hid ``dict.items``)."""
    return [
        {
            "change": c,
            "fields": display.field_rows(c),
            "counts": display.count_rows(c),
            "events": [str(e) for e in c.events] if isinstance(c.events, list) else [],
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
    return TemplateResponse(request, "admin/changes/change_history.html", context)


def install_history(site) -> None:
    """Give every registered model admin the change log's History (run once the admins are registered)."""
    for model_admin in site._registry.values():
        model_admin.history_view = history_view.__get__(model_admin)


def install_masking(site) -> None:
    """Every registered admin shows a model's secret fields (``sensitive_fields``) masked wherever it would render
    their value: as a read-only field of the change page (a view-only user's too) and in the list. Fields a form
    edits keep their own widget (a password hash's summary, the subscription's write-only secret)."""
    for model, model_admin in site._registry.items():
        names = set(registry.sensitive_fields(model))
        if names:
            _mask_admin(model_admin, names)


def _masked_display(name: str):
    def show(obj):
        return "•••• (set)" if getattr(obj, name, None) not in (None, "") else "(none)"

    show.short_description = name.replace("_", " ")
    return show


def _mask_admin(model_admin, names: set[str]) -> None:
    for name in names:
        if not hasattr(model_admin, f"masked_{name}"):  # an admin may say it its own way (subscriptions)
            setattr(model_admin, f"masked_{name}", _masked_display(name))
    get_readonly_fields, get_fieldsets = model_admin.get_readonly_fields, model_admin.get_fieldsets
    get_list_display = model_admin.get_list_display

    def swap(items, shown_readonly):
        return [f"masked_{f}" if isinstance(f, str) and f in names and f in shown_readonly else f for f in items]

    def readonly_fields(self, request, obj=None):
        fields = list(get_readonly_fields(request, obj))
        return swap(fields, set(fields))

    def fieldsets(self, request, obj=None):
        shown_readonly = set(get_readonly_fields(request, obj))
        if obj is not None and not model_admin.has_change_permission(request, obj):
            shown_readonly |= names  # a view-only page renders every field read-only
        out = []
        for title, options in get_fieldsets(request, obj):
            fields = [swap(f, shown_readonly) if isinstance(f, list | tuple) else f for f in options.get("fields", ())]
            out.append((title, {**options, "fields": swap(fields, shown_readonly)}))
        return out

    def list_display(self, request):
        return swap(list(get_list_display(request)), names)

    # Bound methods, as the admin's checks expect (``get_list_display.__func__``).
    model_admin.get_readonly_fields = types.MethodType(readonly_fields, model_admin)
    model_admin.get_fieldsets = types.MethodType(fieldsets, model_admin)
    model_admin.get_list_display = types.MethodType(list_display, model_admin)


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
    list_display = ("at", "actor", "action", "object_type_label", "natural_key", "what_changed", "request_id")
    list_filter = (ObjectTypeFilter, ActionFilter, ActorFilter, ("at", admin.DateFieldListFilter))
    date_hierarchy = "at"
    search_fields = ("natural_key",)
    search_help_text = "Natural key (e.g. OMS1/OUT-1), object, actor or request id contain…"
    readonly_fields = [f.name for f in Change._meta.fields] + ["fields_changed", "counts_shown", "object_type_label"]
    fieldsets = [
        (None, {"fields": ["at", "actor", "action", "object_type_label", "natural_key", "object_repr", "object_id"]}),
        ("What changed", {"fields": ["fields_changed", "counts_shown", "events", "request_id"]}),
        ("Recorded data (as stored for subscribers)", {"classes": ["collapse"], "fields": ["changes", "counts"]}),
    ]
    show_full_result_count = False

    @admin.display(description="what changed")
    def what_changed(self, obj):
        return _summary(obj)

    @admin.display(description="fields")
    def fields_changed(self, obj):
        rows = display.field_rows(obj)
        if not rows:
            return "—"
        items = format_html_join("", "<li><strong>{}</strong>: {} → {}</li>", rows)
        return format_html('<ul class="change-fields">{}</ul>', items)

    @admin.display(description="counts")
    def counts_shown(self, obj):
        return ", ".join(f"{k}: {v}" for k, v in display.count_rows(obj)) or "—"

    @admin.display(description="object type", ordering="object_type")
    def object_type_label(self, obj):
        return f"{registry.type_label(obj.object_type)} ({obj.object_type})"


class SubscriptionAdminForm(forms.ModelForm):
    """The secret is write-only: a new one can be given or generated; the stored one is never put in the page (the
    add form generates one when left empty; the change form keeps it unless asked to change it)."""

    new_secret = forms.CharField(
        label="Secret",
        required=False,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Standard Webhooks secret (whsec_…). Left empty: one is generated (when adding) or the current one "
        "is kept (when changing). Shown once, after saving.",
    )
    rotate_secret = forms.BooleanField(
        label="Generate a new secret",
        required=False,
        help_text="Rotate: a new secret replaces the current one and is shown once, after saving.",
    )

    class Meta:
        model = Subscription
        fields = ("name", "target_url", "event_types", "filter", "enabled", "format", "query")  # never the secret

    def clean(self):
        data = super().clean()
        given = data.get("new_secret") or ""
        self.secret_changed = bool(self.instance.pk is None or given or data.get("rotate_secret"))
        if given:
            self.instance.secret = given
        elif self.secret_changed:
            self.instance.secret = ""  # the service generates one
        return data


SHOW_ONCE_TEMPLATE = "admin/changes/subscription_secret.html"


@admin.register(Subscription)
class SubscriptionAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = SubscriptionAdminForm
    list_display = ("__str__", "target_url", "format", "enabled", "failing_since", "disabled_reason")
    list_filter = ("enabled", "format")
    search_fields = ("name", "target_url")
    readonly_fields = ("masked_secret", "owner", "failing_since", "disabled_reason", "created_at", "updated_at")

    def get_fields(self, request, obj=None):
        secret = ("new_secret",) if obj is None else ("masked_secret", "new_secret", "rotate_secret")
        if obj is not None and not self.has_change_permission(request, obj):
            secret = ("masked_secret",)
        head = ("name", "target_url", "event_types", "filter")
        tail = ("enabled", "format", "query", "owner", "failing_since", "disabled_reason", "created_at", "updated_at")
        return (*head, *secret, *tail)

    @admin.display(description="secret")
    def masked_secret(self, obj):
        return mask(obj.secret)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        known = ", ".join(sorted(registry.EVENT_TYPES))
        if "event_types" in form.base_fields:
            form.base_fields["event_types"].help_text = f'A JSON list, e.g. ["outage.etr_changed"]. Known: {known}.'
        return form

    def service_validate(self, *, request, form, change):
        try:
            subscriptions.subscription_validate(form.instance)
        except Invalid as exc:  # every error at once, each on the form's field (the secret's is new_secret)
            pairs = [("new_secret" if path == "secret" else path, text) for path, text in exc.errors]
            raise Invalid(exc.message, code=exc.code, errors=pairs) from None

    def service_save(self, *, request, obj, form, change):
        return subscriptions.subscription_save(subscription=obj, owner=request.user)

    def service_delete(self, *, request, obj):
        subscriptions.subscription_delete(subscription_id=obj.pk)

    def response_add(self, request, obj, post_url_continue=None):
        return self._secret_once(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._secret_once(request, obj, super().response_change(request, obj))

    def _secret_once(self, request, obj, response):
        """After a save that set the secret (created or rotated), the page that shows it, once: rendered in the
        answer to the POST (stored nowhere: not in a message cookie, not in the session), then masked."""
        form = getattr(request, "_subscription_form", None)
        if form is None or not getattr(form, "secret_changed", False) or response.status_code != 302:
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": "Copy the signing secret now",
            "subtitle": None,
            "opts": self.model._meta,
            "object": obj,
            "secret": obj.secret,
            "next_url": response["Location"],
        }
        page = TemplateResponse(request, SHOW_ONCE_TEMPLATE, context)
        page["Cache-Control"] = "no-store"
        return page

    def save_form(self, request, form, change):
        request._subscription_form = form  # response_add/response_change read whether the secret was set
        return super().save_form(request, form, change)


def mask(secret: str) -> str:
    """A secret as every page after the first shows it: that one is set, never any of it."""
    return "whsec_… (set; shown once, when created or rotated)" if secret else "(none)"


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
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count) % {"n": count},
            messages.SUCCESS,
        )
