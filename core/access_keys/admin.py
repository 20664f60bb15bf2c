"""Access keys in the admin: created (the secret shown once, on the page that answers the save), rotated (a checkbox
of the change form: the new secret shown once), revoked (an action). Every write goes through the services; keys are
never deleted (revoked ones stay, named by the change log)."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from ..admin import ServiceAdminMixin
from . import services
from .models import AccessKey

SHOW_ONCE_TEMPLATE = "admin/access_keys/accesskey_secret.html"


class AccessKeyAdminForm(forms.ModelForm):
    rotate_secret = forms.BooleanField(
        label="Generate a new secret",
        required=False,
        help_text="Rotate: a new secret replaces the current one (and every token issued with it is refused); it is "
        "shown once, after saving.",
    )

    class Meta:
        model = AccessKey
        fields = ("name", "description", "user", "expires_at")  # never the secret


@admin.register(AccessKey)
class AccessKeyAdmin(ServiceAdminMixin, admin.ModelAdmin):
    form = AccessKeyAdminForm
    list_display = ("access_key", "name", "user", "status", "expires_at", "created_at")
    list_filter = ("status",)
    search_fields = ("access_key", "name", "description", "user__username")
    readonly_fields = ("access_key", "masked_secret", "status", "created_at", "updated_at")
    actions = ["revoke"]
    list_select_related = ("user",)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("name", "description", "user", "expires_at")
        fields = ["access_key", "name", "description", "user", "status", "expires_at", "masked_secret"]
        if self.has_change_permission(request, obj):
            fields.append("rotate_secret")
        return (*fields, "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        found = list(super().get_readonly_fields(request, obj))
        return [*found, "user"] if obj is not None else found  # a key keeps its owner

    @admin.display(description="secret")
    def masked_secret(self, obj):
        return "•••• (stored hashed; shown once, when created or rotated)" if obj.secret_hash else "(none)"

    def service_validate(self, *, request, form, change):
        if not change:
            data = form.cleaned_data
            services.access_key_new_check(user=data.get("user"), expires_at=data.get("expires_at"), by=request.user)

    def service_save(self, *, request, obj, form, change):
        if not change:
            key, secret = services.access_key_create(
                user=obj.user, name=obj.name, description=obj.description, expires_at=obj.expires_at, by=request.user
            )
            request._access_key_secret = secret
            return key
        key = services.access_key_save(access_key=obj, by=request.user)
        if form.cleaned_data.get("rotate_secret"):
            key, request._access_key_secret = services.access_key_rotate(key_id=key.pk)
        return key

    @admin.action(description="Revoke selected access keys", permissions=["manage_access_keys"])
    def revoke(self, request, queryset):
        count = services.access_keys_revoke(key_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(n)d access key revoked", "%(n)d access keys revoked", count) % {"n": count}
            + ": their tokens are refused from now on.",
            messages.SUCCESS,
        )

    def response_add(self, request, obj, post_url_continue=None):
        return self._secret_once(request, obj, super().response_add(request, obj, post_url_continue))

    def response_change(self, request, obj):
        return self._secret_once(request, obj, super().response_change(request, obj))

    def _secret_once(self, request, obj, response):
        """After a save that set the secret (created or rotated), the page that shows it, once: rendered in the
        answer to the POST (stored nowhere: not in a message cookie, not in the session), then only masked."""
        secret = getattr(request, "_access_key_secret", None)
        if secret is None or response.status_code != 302:
            return response
        obj = AccessKey.objects.select_related("user").get(pk=obj.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Copy the secret key now",
            "subtitle": None,
            "opts": self.model._meta,
            "object": obj,
            "access_key": obj.access_key,
            "secret": secret,
            "next_url": response["Location"],
        }
        page = TemplateResponse(request, SHOW_ONCE_TEMPLATE, context)
        page["Cache-Control"] = "no-store"
        return page
