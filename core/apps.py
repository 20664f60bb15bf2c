from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Cross-app plumbing: wire families, roles, health check, demo data and set-up commands."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import roles

        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="core.sync_roles")
        autodiscover_modules("exports")  # each domain app registers its exportable lists in <app>/exports.py
        from django.contrib import admin

        from . import changes_admin
        from .changes import lists as changes_lists  # noqa: F401  (the change log's analyst lists)

        changes_admin.install_history(admin.site)  # every change page's History reads the change log
