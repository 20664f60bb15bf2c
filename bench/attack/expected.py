"""What each role is expected to get at each door: the access matrix compares every answer with :func:`expected`.

The expectation is the role table, ``core/roles.py``, never the permissions the database holds: a door is ALLOW for
a role when ``role_may(role, required)``, where ``required`` is what the door declares —

- an API operation: ``required_permissions(request, view)`` of each of its permission classes (public operations
  are ``core.roles.PUBLIC_PATHS``);
- an admin page: staff, plus the model's ``view`` or ``change`` (changelist, change, history), ``add`` or ``delete``,
  when the ModelAdmin offers that page at all (a read-only log offers no add, change or delete to anyone);
- an admin action: staff, the changelist, and the permissions its ``@admin.action(permissions=[...])`` names
  (model actions or capabilities of ``core.roles.CAPABILITIES``), when the ModelAdmin offers it to a superuser;
- an admin extra page (Export, Import, Preview, Calendar…): staff, and what its ``core.admin.requires(...)``
  declares (capabilities and the model action), when the model's admin offers that model action at all.

Answers: ``ALLOW``, ``DENY`` or ``EITHER`` (not judged: the JWT endpoints answer on the credentials in the body,
and a door that declares nothing — which the generated role test ``tests/core/test_roles_matrix.py`` already fails).
"""

from dataclasses import dataclass, field

ALLOW, DENY, EITHER = "allow", "deny", "either"
EXPORT_FORMATS = ("csv", "xlsx", "json", "jsonl")

# The JWT endpoints answer on the credentials in the body, not on the caller's role (tests/core/test_auth_*.py).
UNJUDGED_API = ("/api/auth/",)
MODEL_ACTIONS = ("view", "add", "change", "delete")


@dataclass
class Target:
    """One door: an API operation (``kind="api"``), an admin page, action or extra URL, or a check of ownership
    (``kind="owned"``: another integration's hub listener, which must answer 404)."""

    kind: str  # api | admin-page | admin-action | admin-extra | owned
    method: str
    path: str  # the concrete path sent
    template: str = ""  # the schema's path template (api)
    model: str = ""  # app_label.model_name (admin)
    page: str = ""  # changelist | add | change | history | delete (admin-page); the action's name (admin-action)
    action_permissions: tuple[str, ...] | None = ()  # admin-action / admin-extra: the permissions declared
    required: tuple[str, ...] | None = None  # api: the permissions the view asks for (None: unknown)
    public: bool = False  # api: AllowAny
    extra: dict = field(default_factory=dict)


def table_role(role: str) -> tuple[str, bool]:
    """The role of ``core.roles`` a matrix user plays, and whether it is staff (``analyst_staff``: an analyst who may
    sign in to the admin)."""
    from .roles import ROLES, TABLE_ROLES

    return TABLE_ROLES.get(role, role), ROLES[role][0] or ROLES[role][1]


def expected(role: str, user, target: Target) -> str:
    """``ALLOW``, ``DENY`` or ``EITHER`` for ``role`` (a name of :data:`bench.attack.roles.ROLES`) at ``target``.
    ``user`` is unused: the expectation is the table's, not the database's."""
    from core import roles

    name, staff = table_role(role)
    if target.kind == "owned":
        return DENY  # another's listener: the 404 of an unknown id
    if target.kind == "api":
        if target.template.startswith(UNJUDGED_API):
            return EITHER
        if target.public:
            return ALLOW
        if name == roles.ANONYMOUS:
            return DENY
        if target.required is None:
            return EITHER
        return ALLOW if roles.role_may(name, target.required) else DENY
    if name == roles.ANONYMOUS or not staff:
        return DENY
    app_label, model_name = target.model.split(".")
    capable = target.extra.get("capable", {})

    def may(action: str) -> bool:
        return capable.get(action, True) and roles.role_may(name, [f"{app_label}.{action}_{model_name}"])

    sees_list = may("view") or may("change")
    if target.kind == "admin-page":
        if target.page == "add":
            return ALLOW if may("add") else DENY
        if target.page == "delete":
            return ALLOW if may("delete") else DENY
        return ALLOW if sees_list else DENY
    if target.kind == "admin-action":
        declared = target.action_permissions
        if declared is None:
            return EITHER  # declares nothing: tests/core/test_roles_matrix.py fails on it
        if not sees_list:
            return DENY
        return ALLOW if roles.role_may(name, declared) else DENY
    if target.kind == "admin-extra":
        declared = target.action_permissions
        if declared is None:
            return EITHER
        model_action = target.extra.get("model_action")
        if model_action and not capable.get(model_action, True):
            return DENY
        return ALLOW if roles.role_may(name, declared) else DENY
    return EITHER


def view_requirements(method: str, path: str) -> tuple[bool, tuple[str, ...] | None]:
    """(public, permissions) that the view serving ``method path`` declares: ``required_permissions(request, view)``
    of each of its permission classes (None: one of them declares nothing)."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve
    from rest_framework.test import APIRequestFactory

    from core import roles

    parts = urlsplit(path)
    if parts.path in roles.PUBLIC_PATHS:
        return True, ()
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False, None
    callback = match.func
    cls = getattr(callback, "cls", None)
    if cls is None:
        return False, None
    view = cls(**(getattr(callback, "initkwargs", None) or {}))
    actions = getattr(callback, "actions", None)
    if actions:
        view.action_map = actions
        view.action = actions.get(method.lower())
    view.args, view.kwargs, view.format_kwarg = match.args, match.kwargs, None
    request = view.initialize_request(APIRequestFactory().generic(method, path))
    view.request = request
    permissions = view.get_permissions()
    if not permissions:
        return False, None
    declared: list[str] = []
    for permission in permissions:
        getter = getattr(permission, "required_permissions", None)
        perms = getter(request, view) if getter is not None else None
        if perms is None:
            return False, None
        declared += perms
    return False, tuple(declared)
