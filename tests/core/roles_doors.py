"""Every door of the project, found from the registries (never a hand list), with the permissions it declares:
admin actions (every registered ModelAdmin's), admin buttons (their custom URLs) and API operations (the URL
resolver, as drf-spectacular enumerates it for the schema). ``test_roles_matrix.py`` walks them by every role.

A door that declares nothing has ``perms is None``: the matrix test fails on it.
"""

import re
import uuid
from dataclasses import dataclass

from django.contrib.admin.utils import model_format_dict
from django.urls import reverse
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIRequestFactory

from core import roles
from core.admin import permission_names_to_perms

STANDARD_ADMIN_URLS = ("changelist", "add", "history", "delete", "change")


@dataclass(frozen=True)
class AdminAction:
    model: type
    model_admin: object
    name: str
    description: str
    perms: tuple[str, ...] | None

    @property
    def id(self) -> str:
        return f"{self.model._meta.label}:{self.name}"


def action_perms(model_admin, func) -> tuple[str, ...] | None:
    names = getattr(func, "allowed_permissions", None)
    if not names:
        return None
    getter = getattr(model_admin, "action_permissions", None)
    perms = getter(func) if getter is not None else permission_names_to_perms(model_admin, names)
    return tuple(perms)


def admin_actions(site) -> list[AdminAction]:
    found = []
    for model, model_admin in sorted(site._registry.items(), key=lambda item: item[0]._meta.label):
        for func, name, description in model_admin._get_base_actions():
            text = str(description) % model_format_dict(model._meta)
            found.append(AdminAction(model, model_admin, name, text, action_perms(model_admin, func)))
    return found


@dataclass(frozen=True)
class AdminButton:
    model: type
    model_admin: object
    url_name: str
    route: str
    perms: tuple[str, ...] | None

    @property
    def id(self) -> str:
        return self.url_name

    def url(self) -> str:
        kwargs = {
            name: uuid.uuid4() if converter == "uuid:" else "1"
            for converter, name in re.findall(r"<(\w+:)?(\w+)>", self.route)
        }
        return reverse(f"admin:{self.url_name}", kwargs=kwargs or None)


def _declared_view(callback):
    view = callback
    while view is not None:
        if hasattr(view, "required_capabilities"):
            return view
        view = getattr(view, "__wrapped__", None)
    return None


def admin_buttons(site) -> list[AdminButton]:
    """Every custom URL of every registered ModelAdmin (export, import, preview, calendar, job progress...)."""
    found = []
    for model, model_admin in sorted(site._registry.items(), key=lambda item: item[0]._meta.label):
        opts = model._meta
        standard = {f"{opts.app_label}_{opts.model_name}_{name}" for name in STANDARD_ADMIN_URLS}
        for pattern in model_admin.get_urls():
            if not pattern.name or pattern.name in standard:
                continue
            view = _declared_view(pattern.callback)
            perms = None
            if view is not None:
                perms = [perm for name in view.required_capabilities for perm in roles.needs(name)]
                if view.required_model_action:
                    perms += permission_names_to_perms(model_admin, [view.required_model_action])
            found.append(
                AdminButton(
                    model, model_admin, pattern.name, str(pattern.pattern), None if perms is None else tuple(perms)
                )
            )
    return found


PLACEHOLDERS = {"version": "v3", "external_system": "NO-SUCH-SYSTEM"}


@dataclass(frozen=True)
class ApiOperation:
    path: str  # the schema's path, e.g. /api/outages/events/{pk}/
    method: str
    callback: object
    query: str = ""  # e.g. format=csv: an export is an operation of its own

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}{'?' + self.query if self.query else ''}"

    def url(self) -> str:
        url = re.sub(r"\{(\w+)\}", lambda m: PLACEHOLDERS.get(m.group(1), "1"), self.path)
        return f"{url}?{self.query}" if self.query else url

    @property
    def public(self) -> bool:
        return self.path in roles.PUBLIC_PATHS

    @property
    def perms(self) -> tuple[str, ...] | None:
        """What the view's permission classes declare for this request; None if one of them declares nothing."""
        return required_permissions(self.callback, self.method, self.url())


def required_permissions(callback, method: str, url: str) -> tuple[str, ...] | None:
    django_request = APIRequestFactory().generic(method, url)
    view = callback.cls(**getattr(callback, "initkwargs", {}))
    actions = getattr(callback, "actions", None)
    if actions:
        view.action_map = actions
        view.action = actions.get(method.lower())
    view.args, view.kwargs, view.format_kwarg = (), {}, None
    request = view.initialize_request(django_request)
    view.request = request
    permissions = view.get_permissions()
    if not permissions:
        return None
    declared: list[str] = []
    for permission in permissions:
        getter = getattr(permission, "required_permissions", None)
        perms = getter(request, view) if getter is not None else None
        if perms is None:
            return None
        declared += perms
    return tuple(declared)


def api_operations() -> list[ApiOperation]:
    found = []
    for path, _regex, method, callback in EndpointEnumerator().get_api_endpoints():
        found.append(ApiOperation(path, method, callback))
        if method == "GET" and hasattr(callback.cls, "export_format"):
            found.append(ApiOperation(path, method, callback, "format=csv"))
    return found


def undeclared(actions=(), buttons=(), operations=()) -> list[str]:
    """The doors that name no permission (public API operations are declared in ``core.roles.PUBLIC_PATHS``)."""
    missing = [f"admin action {a.id}" for a in actions if a.perms is None]
    missing += [f"admin button {b.id}" for b in buttons if b.perms is None]
    missing += [f"API operation {o.id}" for o in operations if not o.public and o.perms is None]
    return missing
