"""The role table: who may do what, declared once. Every door takes its decision from here.

- **Roles.** Seven kinds of caller (``ROLES``): anonymous, authenticated without a group, staff without a group,
  the three groups ``analyst``, ``integration`` and ``operator``, and superusers. The groups are created by
  migration ``core/0001_roles``; their permissions are set to this table after every ``migrate`` (post_migrate),
  so an app that adds a model needs no migration here, and a permission taken out of the table is taken from
  the group too.
- **Grants.** What each group holds: model actions on every domain model (``ROLE_ACTIONS``) and named permissions
  outside the domain apps (``ROLE_EXTRA``). :func:`role_permissions` computes a role's set from this declaration
  alone (no database), which the generated role test and ``docs/security.md`` compare every door with.
- **Capabilities.** What a door needs, by name (``CAPABILITIES``): each is the Django permissions it takes. Admin
  actions name one in ``@admin.action(permissions=[...])`` (``has_<name>_permission`` comes from
  ``core.admin.RoleAdminMixin``), admin buttons in ``core.admin.requires``, API views in their permission
  classes (``required_permissions``); a model's own ``view``/``add``/``change``/``delete`` are capabilities too.
- **Wire methods.** ``METHOD_ACTIONS``: the model actions a wire method needs (reads ``view``, writes — upserts —
  ``add`` and ``change``, ``DELETE`` ``delete``).
"""

from django.apps import apps as global_apps

DOMAIN_APPS = ("outages", "contacts", "enrollments", "blackouts", "inventory")

ANONYMOUS = "anonymous"
AUTHENTICATED = "authenticated"  # signed in, no group, not staff
STAFF = "staff"  # may open the admin, no group
INTEGRATION = "integration"  # external systems: write through the wire APIs
ANALYST = "analyst"  # read and export
OPERATOR = "operator"  # staff who edit records in the admin
SUPERUSER = "superuser"

ROLES = (ANONYMOUS, AUTHENTICATED, STAFF, ANALYST, INTEGRATION, OPERATOR, SUPERUSER)
GROUPS = (INTEGRATION, ANALYST, OPERATOR)
ROLE_DESCRIPTIONS = {
    ANONYMOUS: "no credentials",
    AUTHENTICATED: "a user in no group, not staff",
    STAFF: "staff (may sign in to the admin), in no group",
    ANALYST: "group `analyst` (staff to use the admin): reads and exports",
    INTEGRATION: "group `integration`: an external system writing through the wire APIs",
    OPERATOR: "group `operator` (give it `is_staff`): edits in the admin, manages webhooks",
    SUPERUSER: "`is_superuser`: everything",
}

EXPORT_PERMISSION = "lists.export_data"
IMPORT_PERMISSION = "imports.import_data"
HUB_PERMISSION = "changes.register_hub_listener"
# BMC access keys (core.access_keys): operators create, rotate and revoke them (never delete: revoked keys are kept).
ACCESS_KEY_PERMISSIONS = ("access_keys.add_accesskey", "access_keys.change_accesskey", "access_keys.view_accesskey")

# Permissions outside the domain apps: exporting is ``lists.export_data`` (not a per-model action); importing master
# data from files is ``imports.import_data``, for operators only. The change log is read by analysts and staff (its
# records are written by the services only); operators also manage webhook subscriptions (all of them);
# integrations and operators register TMF638 hub listeners (an integration sees and removes only its own); operators
# manage the BMC access keys.
ROLE_EXTRA = {
    ANALYST: (EXPORT_PERMISSION, "lists.view_exportjob", "changes.view_change", "changes.view_delivery"),
    INTEGRATION: (HUB_PERMISSION,),
    OPERATOR: (
        EXPORT_PERMISSION,
        "lists.view_exportjob",
        IMPORT_PERMISSION,
        "imports.view_importjob",
        "changes.view_change",
        "changes.view_delivery",
        "changes.view_deliveryattempt",
        "changes.add_subscription",
        "changes.change_subscription",
        "changes.delete_subscription",
        "changes.view_subscription",
        HUB_PERMISSION,
        *ACCESS_KEY_PERMISSIONS,
    ),
}

ROLE_ACTIONS = {
    INTEGRATION: ("add", "change", "delete", "view"),
    ANALYST: ("view",),
    OPERATOR: ("add", "change", "delete", "view"),
}

# Named capabilities: what an admin action, an admin button or an API operation needs (all the permissions listed).
# The name is also the admin's ``has_<name>_permission``.
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "export_data": (EXPORT_PERMISSION,),
    "import_data": (IMPORT_PERMISSION,),
    "read_changes": ("changes.view_change",),
    "manage_subscriptions": (
        "changes.add_subscription",
        "changes.change_subscription",
        "changes.delete_subscription",
        "changes.view_subscription",
    ),
    "redeliver": ("changes.change_subscription",),
    "use_hub": (HUB_PERMISSION,),
    "manage_access_keys": ACCESS_KEY_PERMISSIONS,
    "activate_systems": ("outages.change_externalsystem",),
    "discard_outages": ("outages.change_outageevent",),
    "mark_contact_status": ("contacts.change_customercontact",),
    "unenroll": ("enrollments.change_enrollment",),
    "complete_unenrollments": ("enrollments.change_unenrollment",),
    "receive_devices": ("enrollments.change_devicereturn",),
    "enable_policies": ("blackouts.change_blackoutpolicy",),
    "preview_policies": ("blackouts.view_blackoutpolicy", "blackouts.view_event"),
    "view_calendar": ("blackouts.view_blackoutpolicy",),
    "run_bundle_tasks": ("inventory.change_businessinteraction",),
}

CAPABILITY_DESCRIPTIONS = {
    "export_data": "Export buttons (CSV, XLSX), `?format=` exports of the analyst API, background export jobs",
    "import_data": "Import button (with the model's change permission)",
    "read_changes": "the change log (admin Changes, `/api/core/changes/`)",
    "manage_subscriptions": "webhook subscriptions: admin and `/api/webhooks/subscriptions/` (every one)",
    "redeliver": "admin Deliveries: *Redeliver*",
    "use_hub": "TMF638 hub: register a listener, read and remove one's own",
    "manage_access_keys": "BMC access keys: admin Access keys (create, *Generate a new secret*, *Revoke*)",
    "activate_systems": "admin External systems: *Activate*, *Deactivate*",
    "discard_outages": "admin Outage events: *Mark discarded*",
    "mark_contact_status": "admin Contacts: *Mark Failed*, *Mark Not Sent*",
    "unenroll": "admin Enrollments: *Unenroll today*",
    "complete_unenrollments": "admin Unenrollments: *Complete every due unenrollment now*",
    "receive_devices": "admin Device returns: *Mark as received*",
    "enable_policies": "admin Blackout policies: *Enable*, *Disable*",
    "preview_policies": "policy Preview (admin form, `POST /api/blackouts/preview/`)",
    "view_calendar": "admin Blackout policies: *Calendar*",
    "run_bundle_tasks": "admin Bundles: *Activate in the background*, *Approve*, *Issue*, *Activate*, *Cancel*, *Retry*"
    " (the UIM API: the bundle change permission)",
}

# API operations open to everyone, anonymous included (their answer holds nothing a role protects): the analyst API's
# index, the JWT endpoints and BMC's access-key login and refresh (they check a password, a secret or a refresh token
# themselves) and the published schema.
PUBLIC_PATHS = (
    "/api/",
    "/api/auth/token/",
    "/api/auth/token/refresh/",
    "/ims/api/v1/access_keys/login",
    "/ims/api/v1/auth/tokens",
    "/api/schema/",
    "/api/docs/",
    "/api/redoc/",
)

# The model actions each wire method needs (wire writes are upserts: POST and PUT need add and change).
METHOD_ACTIONS = {
    "GET": ("view",),
    "HEAD": ("view",),
    "OPTIONS": (),
    "POST": ("add", "change"),
    "PUT": ("add", "change"),
    "PATCH": ("change",),
    "DELETE": ("delete",),
}


def needs(capability: str) -> tuple[str, ...]:
    """The Django permissions a capability takes (KeyError for a name the table does not declare)."""
    return CAPABILITIES[capability]


def model_permission(model, action: str) -> str:
    """``app_label.<action>_<model_name>``: the permission of one model action (``view``, ``add``…)."""
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def method_permissions(method: str, *models) -> list[str] | None:
    """The permissions a wire method needs on ``models`` (None: a method no view serves, answered 405)."""
    actions = METHOD_ACTIONS.get(method)
    if actions is None:
        return None
    return [model_permission(model, action) for model in models for action in actions]


def allows(user, *capabilities: str) -> bool:
    """Whether ``user`` holds every permission of the named capabilities."""
    perms = [perm for name in capabilities for perm in needs(name)]
    return bool(user and user.is_authenticated and user.has_perms(perms))


def missing(user, perms) -> list[str]:
    """The permissions of ``perms`` that ``user`` does not hold (for a refusal that names them)."""
    if not (user and user.is_authenticated):
        return list(perms)
    return [perm for perm in perms if not user.has_perm(perm)]


def _all_permissions(apps=global_apps) -> set[str]:
    """Every permission the models declare (Django's default actions and ``Meta.permissions``)."""
    found = set()
    for model in apps.get_models():
        opts = model._meta
        found.update(f"{opts.app_label}.{action}_{opts.model_name}" for action in opts.default_permissions)
        found.update(f"{opts.app_label}.{codename}" for codename, _name in opts.permissions)
    return found


def role_permissions(role: str, apps=global_apps) -> frozenset[str]:
    """Every permission ``role`` holds, from this declaration alone (superuser: every permission there is)."""
    if role == SUPERUSER:
        return frozenset(_all_permissions(apps))
    perms = set(ROLE_EXTRA.get(role, ()))
    actions = ROLE_ACTIONS.get(role, ())
    for permission in _all_permissions(apps):
        app_label, codename = permission.split(".", 1)
        if app_label in DOMAIN_APPS and codename.split("_", 1)[0] in actions:
            perms.add(permission)
    return frozenset(perms)


def role_may(role: str, perms) -> bool:
    """Whether the table gives ``role`` every permission of ``perms``."""
    return role == SUPERUSER or set(perms) <= role_permissions(role)


def role_of(user) -> str:
    """The role a user plays (a user in several groups: the first of ``GROUPS`` it is in)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    if user.is_superuser:
        return SUPERUSER
    names = set(user.groups.values_list("name", flat=True))
    for group in (OPERATOR, INTEGRATION, ANALYST):
        if group in names:
            return group
    return STAFF if user.is_staff else AUTHENTICATED


def sync_roles(apps=global_apps) -> None:
    """Create the groups if missing and set each one's permissions to the table's (:func:`role_permissions`)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    by_label = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    for role in GROUPS:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = {by_label[label] for label in role_permissions(role) if label in by_label}
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    if sender.name == "core" or sender.name in DOMAIN_APPS:
        sync_roles()


def capability_table() -> str:
    """The role table as Markdown (``docs/security.md`` carries it; a test keeps the two equal)."""
    header = "| may | permission(s) | " + " | ".join(f"`{role}`" for role in ROLES) + " |"
    lines = [header, "| --- | --- | " + " | ".join("---" for _ in ROLES) + " |"]

    def row(label: str, perms, may) -> str:
        marks = " | ".join("yes" if role != ANONYMOUS and may(role) else "—" for role in ROLES)
        return f"| {label} | {', '.join(f'`{p}`' for p in perms)} | {marks} |"

    for action in ("view", "add", "change", "delete"):
        lines.append(
            row(
                f"{action} every domain model ({', '.join(DOMAIN_APPS)})",
                [f"<app>.{action}_<model>"],
                lambda role, action=action: role == SUPERUSER or action in ROLE_ACTIONS.get(role, ()),
            )
        )
    extra = sorted(
        {perm for perms in ROLE_EXTRA.values() for perm in perms} - {p for c in CAPABILITIES.values() for p in c}
    )
    for perm in extra:
        app_label, codename = perm.split(".")
        action, model_name = codename.split("_", 1)
        plural = global_apps.get_model(app_label, model_name)._meta.verbose_name_plural
        lines.append(row(f"{action} {plural}", [perm], lambda role, perm=perm: role_may(role, [perm])))
    for name, perms in CAPABILITIES.items():
        lines.append(
            row(f"**{name}**: {CAPABILITY_DESCRIPTIONS[name]}", perms, lambda role, p=perms: role_may(role, p))
        )
    return "\n".join(lines)
