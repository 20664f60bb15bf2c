from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Cross-app plumbing: wire families, roles, health check, demo data and set-up commands."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import auth, checks, roles  # noqa: F401  (checks registers the system checks)

        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="core.sync_roles")
        auth.connect_permission_signals()
        from . import metrics_backlog  # noqa: F401  (registers core's scrape-time gauges)

        autodiscover_modules("exports")  # each domain app registers its exportable lists in <app>/exports.py
        autodiscover_modules("dashboard")  # ... its admin dashboard panel in <app>/dashboard.py
        autodiscover_modules("imports")  # ... what can be imported from files in <app>/imports.py
        autodiscover_modules("metrics")  # ... and its scrape-time gauges in <app>/metrics.py (core/metrics.py)
        from django.contrib import admin

        from . import changes_admin
        from .changes import lists as changes_lists  # noqa: F401  (the change log's analyst lists)
        from .changes import registry as changes_registry
        from .changes import subscriptions as changes_subscriptions

        changes_registry.declare_library_secrets()  # secret fields of Django's and simplejwt's models
        changes_subscriptions.register()  # subscriptions described to the change log (their secret masked)

        changes_admin.install_history(admin.site)  # every change page's History reads the change log
        changes_admin.install_masking(admin.site)  # ... and no page shows a secret field's value
