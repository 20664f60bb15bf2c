"""The three roles (Django groups) and the model permissions each one carries.

The groups are created by migration ``core/0001_roles``; their permissions are kept in step with the
models after every ``migrate`` (post_migrate), so an app that adds a model needs no migration here.
"""

from django.apps import apps as global_apps

DOMAIN_APPS = ("outages", "contacts", "enrollments", "blackouts", "inventory")

INTEGRATION = "integration"  # external systems: write through the wire APIs
ANALYST = "analyst"  # read and export
OPERATOR = "operator"  # staff who edit records in the admin

# Permissions outside the domain apps: exporting is ``core.export_data`` (not a per-model action); importing master
# data from files is ``core.import_data``, for operators only. The change log is read by analysts and staff (its
# records are written by the services only); operators also manage webhook subscriptions.
ROLE_EXTRA = {
    ANALYST: ("core.export_data", "core.view_exportjob", "core.view_change", "core.view_delivery"),
    OPERATOR: (
        "core.export_data",
        "core.view_exportjob",
        "core.import_data",
        "core.view_importjob",
        "core.view_change",
        "core.view_delivery",
        "core.view_deliveryattempt",
        "core.add_subscription",
        "core.change_subscription",
        "core.delete_subscription",
        "core.view_subscription",
    ),
}

ROLE_ACTIONS = {
    INTEGRATION: ("add", "change", "delete", "view"),
    ANALYST: ("view",),
    OPERATOR: ("add", "change", "delete", "view"),
}


def sync_roles(apps=global_apps) -> None:
    """Create the groups if missing and give each the permissions of its actions on every domain model."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, actions in ROLE_ACTIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label__in=DOMAIN_APPS)
        wanted = [p for p in perms if p.codename.split("_", 1)[0] in actions]
        for label in ROLE_EXTRA.get(role, ()):
            app_label, codename = label.split(".")
            wanted += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*wanted)


def sync_roles_after_migrate(sender, **kwargs) -> None:
    if sender.name == "core" or sender.name in DOMAIN_APPS:
        sync_roles()
