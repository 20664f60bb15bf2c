"""Shared admin pieces: actions and buttons offered by the role table (``RoleAdminMixin``, ``requires``), writes
through the services (``ServiceAdminMixin``) and read-only log records (``ReadOnlyAdminMixin``). The Export
buttons and the export jobs are the lists app's (``core/lists/admin.py``)."""

import functools

from django.contrib import admin, messages
from django.contrib.admin.utils import model_format_dict
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_permission_codename, get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.translation import ngettext

from . import roles
from .errors import DomainError

MODEL_ACTIONS = ("view", "add", "change", "delete")


def _capability_check(name: str):
    def check(self, request, obj=None) -> bool:
        return roles.allows(request.user, name)

    check.__name__ = f"has_{name}_permission"
    check.__doc__ = f"Whether the user holds the capability {name!r} (core.roles.CAPABILITIES)."
    return check


def permission_names_to_perms(model_admin, names) -> list[str]:
    """The Django permissions behind an action's ``allowed_permissions``: a model action (``change`` → the model's
    ``app.change_model``) or a capability of the role table."""
    opts = model_admin.model._meta
    perms = []
    for name in names:
        if name in MODEL_ACTIONS:
            perms.append(f"{opts.app_label}.{get_permission_codename(name, opts)}")
        else:
            perms.extend(roles.needs(name))
    return perms


class RoleAdminMixin:
    """Actions and buttons offered by the role table (``core.roles``).

    Every action names what it needs in ``@admin.action(permissions=[...])``: a model action (``view``, ``add``,
    ``change``, ``delete``) or a capability of ``core.roles.CAPABILITIES``, whose ``has_<name>_permission`` this
    mixin provides. Django offers an action only to whom that says yes; a POST of an action the user is not offered
    is answered with a message naming the missing permissions and a redirect to the list, never a bare 403.
    """

    def action_permissions(self, func) -> list[str] | None:
        """The Django permissions an action needs, or None when it declares none (the role test fails on it)."""
        names = getattr(func, "allowed_permissions", None)
        if not names:
            return None
        return permission_names_to_perms(self, names)

    def changelist_view(self, request, extra_context=None):
        refused = self._refused_action(request)
        if refused is not None:
            return refused
        return super().changelist_view(request, extra_context=extra_context)

    def _refused_action(self, request):
        if request.method != "POST" or "action" not in request.POST:
            return None
        if not self.has_view_or_change_permission(request):
            return None  # the changelist itself refuses (403)
        name = request.POST.get("action")
        declared = {action_name: (func, description) for func, action_name, description in self._get_base_actions()}
        if name not in declared or name in self.get_actions(request):
            return None
        func, description = declared[name]
        label = str(description) % model_format_dict(self.opts)
        lacking = roles.missing(request.user, self.action_permissions(func) or [])
        if lacking:
            text = f"“{label}” was not run: it needs the permission {', '.join(lacking)}, which you do not have."
        else:  # e.g. deleting read-only records: offered to nobody
            text = f"“{label}” was not run: it is not offered on this list."
        self.message_user(request, text, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


for _name in roles.CAPABILITIES:
    setattr(RoleAdminMixin, f"has_{_name}_permission", _capability_check(_name))


def requires(*capabilities: str, model: str | None = None):
    """An admin view (a button's page) that needs the named capabilities of the role table and, with ``model``, the
    model admin's own ``has_<model>_permission`` (``view``, ``change``…). Refused with a 403 page that names the
    missing permissions. The view keeps what it needs (``required_capabilities``, ``required_model_action``) for
    the generated role test."""
    for name in capabilities:
        roles.needs(name)  # an undeclared name fails at import

    def decorator(view):
        @functools.wraps(view)
        def wrapper(self, request, *args, **kwargs):
            needed = [perm for name in capabilities for perm in roles.needs(name)]
            lacking = roles.missing(request.user, needed)
            if model and not getattr(self, f"has_{model}_permission")(request):
                lacking += permission_names_to_perms(self, [model])
            if lacking:
                raise PermissionDenied(f"This page needs the permission {', '.join(lacking)}, which you do not have.")
            return view(self, request, *args, **kwargs)

        wrapper.required_capabilities = capabilities
        wrapper.required_model_action = model
        return wrapper

    return decorator


def add_domain_error(form, exc: DomainError) -> None:
    """Show a domain error on a form: on the named field when the form has it, else above the form."""
    pairs = exc.errors or [("", exc.message)]
    for field_path, text in pairs:
        name = (field_path or "").split(".")[0].split("[")[0]
        if name in form.fields:
            form.add_error(name, text)
        else:
            form.add_error(None, f"{field_path}: {text}" if field_path else text)


class ServiceAdminMixin(RoleAdminMixin):
    """Admin writes go through the domain services, never ``obj.save()``.

    A subclass implements ``service_save(request=, obj=, form=, change=)`` (returns the saved object) and may
    implement ``service_validate(request=, form=, change=)`` (raises a :class:`~core.errors.DomainError` that
    becomes a form error before anything is written) and ``service_delete(request=, obj=)``: delete, single and
    "Delete selected" (each selected object, in one transaction), is offered only when it does.
    A domain error raised while saving (a race the validation could not foresee) rolls the change back and is
    shown on the page.
    """

    def service_save(self, *, request, obj, form, change):  # pragma: no cover - abstract
        raise NotImplementedError

    def service_validate(self, *, request, form, change) -> None:
        return None

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    model_admin.service_validate(request=request, form=self, change=change)
                except DomainError as exc:
                    add_domain_error(self, exc)

        ServiceForm.__name__ = form_class.__name__
        return ServiceForm

    def save_model(self, request, obj, form, change):
        saved = self.service_save(request=request, obj=obj, form=form, change=change)
        if saved is not None and saved is not obj:
            # Let the admin's redirect and messages name the object the service saved.
            obj.pk = saved.pk
            form.instance = saved

    def has_delete_permission(self, request, obj=None):
        """Delete is offered only through a service (``service_delete``): Django's own would write no change and
        send no event. Without one, neither the delete page nor "Delete selected" is offered, to anyone."""
        if getattr(self, "service_delete", None) is None:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        deleter = getattr(self, "service_delete", None)
        if deleter is None:  # has_delete_permission already refused; never fall back to Django's delete
            raise PermissionDenied("This record is not deleted through the admin.")
        return deleter(request=request, obj=obj)

    def delete_queryset(self, request, queryset):
        """ "Delete selected": the service delete of each object, in one transaction (an admin with a set-based
        service, such as ``policies_delete``, overrides this)."""
        deleter = getattr(self, "service_delete", None)
        if deleter is None:
            raise PermissionDenied("These records are not deleted through the admin.")
        with transaction.atomic():
            for obj in queryset.order_by("pk"):
                deleter(request=request, obj=obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:  # raised inside the admin's atomic block: nothing was written
            self.message_user(request, f"Not saved: {exc.message}", messages.ERROR)
            return redirect(request.get_full_path())


class ReadOnlyAdminMixin(RoleAdminMixin):
    """Log-like records (message logs, status histories, transitions): visible, never added, changed or deleted
    through the admin, by anyone."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UserAdmin(RoleAdminMixin, auth_admin.UserAdmin):
    """Django's user admin, its password page declared like every button (``requires``): the user's change
    permission (the view checks it again for the user at hand)."""

    user_change_password = requires(model="change")(auth_admin.UserAdmin.user_change_password)
    actions = ["revoke_api_logins"]

    @admin.action(description="Sign out of the API (revoke refresh tokens)", permissions=["change"])
    def revoke_api_logins(self, request, queryset):
        from .tokens import refresh_tokens_revoke

        count = refresh_tokens_revoke(user_ids=list(queryset.values_list("pk", flat=True)))
        text = ngettext("%(n)d refresh token revoked.", "%(n)d refresh tokens revoked.", count) % {"n": count}
        self.message_user(request, text, messages.SUCCESS)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdmin)

# The product's name on every admin page, the login page included.
PRODUCT_NAME = "Utility & telecom back office"
admin.site.site_header = PRODUCT_NAME
admin.site.site_title = PRODUCT_NAME
admin.site.index_title = "Operations"


def _unregister_token_tables() -> None:
    """simplejwt's blacklist tables are bookkeeping of the API's logins, not records staff manage: revocation is
    the users' "Sign out of the API" action (``core.tokens.refresh_tokens_revoke``)."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    for model in (BlacklistedToken, OutstandingToken):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_token_tables()
