from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Cross-app plumbing: wire families, roles, health check, demo data and set-up commands."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from . import roles

        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="core.sync_roles")
