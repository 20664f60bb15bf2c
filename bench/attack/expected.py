"""What each role is expected to get at each door: the access matrix compares every answer with :func:`expected`.

This is the one place to point at the role table (``core/roles.py``) once it exists: replace the body of
:func:`expected` by a look-up in that table. Until then the expectation is the Django permissions as they are —
``user.has_perms`` of the permission the view itself asks for (read from its permission classes) — corrected by
``INTENT``, the rules issue #21 states that the code does not follow yet, and by two admin rules: every admin page
needs staff plus the model permission of its kind, and an admin action without declared permissions needs
``change`` (an action changes something).

Answers: ``ALLOW``, ``DENY`` or ``EITHER`` (not judged: the expectation cannot be read, e.g. an admin extra page
whose permission is its own).
"""

from dataclasses import dataclass, field

ALLOW, DENY, EITHER = "allow", "deny", "either"
EXPORT_FORMATS = ("csv", "xlsx", "json", "jsonl")

# (method, path prefix) -> the permissions the role table is to require (issue #21): TMF hub listeners are
# written with a write permission, not the read permission the hub asks for today.
# The JWT endpoints answer on the credentials in the body, not on the caller's role (tests/core/test_auth_*.py).
UNJUDGED_API = ("/api/auth/",)

INTENT: dict[tuple[str, str], tuple[str, ...]] = {
    ("POST", "/InventoryRSOpenAPI/serviceInventoryManagement/{version}/hub"): (
        "inventory.add_service",
        "inventory.change_service",
    ),
    ("DELETE", "/InventoryRSOpenAPI/serviceInventoryManagement/{version}/hub/{hub_id}"): ("inventory.delete_service",),
}


@dataclass
class Target:
    """One door: an API operation (``kind="api"``) or an admin page, action or extra URL."""

    kind: str  # api | admin-page | admin-action | admin-extra
    method: str
    path: str  # the concrete path sent
    template: str = ""  # the schema's path template (api)
    model: str = ""  # app_label.model_name (admin)
    page: str = ""  # changelist | add | change | history | delete (admin-page); the action's name (admin-action)
    action_permissions: tuple[str, ...] = ()
    required: tuple[str, ...] | None = None  # api: the permissions the view asks for (None: unknown)
    public: bool = False  # api: AllowAny
    extra: dict = field(default_factory=dict)


def expected(role: str, user, target: Target) -> str:
    """``ALLOW``, ``DENY`` or ``EITHER`` for ``role`` (``user`` is None for anonymous) at ``target``."""
    if target.kind == "api":
        if target.template.startswith(UNJUDGED_API):
            return EITHER
        if target.public:
            return ALLOW
        if user is None:
            return DENY
        required = INTENT.get((target.method, target.template), target.required)
        if required is None:
            return EITHER
        return ALLOW if user.has_perms(required) else DENY
    if user is None or not (user.is_active and user.is_staff):
        return DENY
    app_label, model_name = target.model.split(".")

    def has(action: str) -> bool:
        return user.has_perm(f"{app_label}.{action}_{model_name}")

    if target.kind == "admin-page":
        need = {"add": ("add",), "delete": ("delete",)}.get(target.page, ("view", "change"))
        if not any(target.extra.get("capable", {}).get(a, True) for a in need):
            return DENY  # the admin of this model offers the page to nobody (a read-only log, say)
        return ALLOW if any(has(a) for a in need) else DENY
    if target.kind == "admin-action":
        declared = target.action_permissions or ("change",)
        custom = [p for p in declared if p not in ("add", "change", "delete", "view")]
        if custom:
            return EITHER if all(has(p) for p in declared if p not in custom) else DENY
        return ALLOW if all(has(p) for p in declared) else DENY
    if target.kind == "admin-extra":
        return EITHER if (has("view") or has("change")) else DENY
    return EITHER


def view_requirements(method: str, path: str) -> tuple[bool, tuple[str, ...] | None]:
    """(public, permissions) that the view serving ``method path`` asks for, read from its permission classes."""
    from urllib.parse import parse_qs, urlsplit

    from django.urls import Resolver404, resolve
    from rest_framework import permissions as drf

    parts = urlsplit(path)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False, None
    cls = getattr(match.func, "cls", None)
    if cls is None:
        return False, None
    view = cls(**(getattr(match.func, "initkwargs", None) or {}))
    actions = getattr(match.func, "actions", None)
    if actions:
        view.action = actions.get(method.lower())
    view.kwargs, view.args = match.kwargs, match.args
    query = parse_qs(parts.query)
    perms: list[str] = []
    for permission in view.get_permissions():
        name = type(permission).__name__
        if isinstance(permission, drf.AllowAny):
            return True, ()
        if name == "WirePermission":
            getter = getattr(view, "get_required_permissions", None)
            if getter is not None:
                perms += list(getter(method))
            else:
                model = getattr(view, "permission_model", None)
                if model is None:
                    return False, None
                actions_ = permission.method_actions.get(method, ())
                perms += [f"{model._meta.app_label}.{a}_{model._meta.model_name}" for a in actions_]
        elif isinstance(permission, drf.DjangoModelPermissions):
            queryset = getattr(view, "queryset", None)
            if queryset is None:
                return False, None
            opts = queryset.model._meta
            perms += [
                p % {"app_label": opts.app_label, "model_name": opts.model_name}
                for p in permission.perms_map.get(method, [])
            ]
            if name == "AnalystPermission" and (query.get("format") or [""])[0] in EXPORT_FORMATS:
                perms.append("core.export_data")
        elif name == "CanPreview":
            import importlib

            perms += list(importlib.import_module(type(permission).__module__).PERMISSIONS)
        elif isinstance(permission, drf.IsAuthenticated):
            continue
        else:
            return False, None
    return False, tuple(perms)
