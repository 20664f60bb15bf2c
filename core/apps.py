import sqlite3

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def sqlite_variable_limit(sender, connection, **kwargs) -> None:
    """Batch bulk writes and ``in_bulk`` by this SQLite's own limit of values per statement (32,766 since SQLite
    3.32, which ``core.checks`` requires anyway), not the 999 of older SQLite that Django 5.2 assumes: a 100-item
    bundle is then one ``INSERT`` a table, as on PostgreSQL, instead of one per 999 values."""
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class CoreConfig(AppConfig):
    """Cross-app plumbing: wire families, roles, health check, demo data and set-up commands (the change log, and the
    analyst lists with their exports, are apps of their own: ``core.changes``, ``core.lists``)."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from . import auth, checks, families, roles  # noqa: F401  (checks registers the system checks)

        families.register("oracle", "core.wire.oracle")  # shared by outages, contacts and enrollments

        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="core.sync_roles")
        connection_created.connect(sqlite_variable_limit, dispatch_uid="core.sqlite_variable_limit")
        auth.connect_permission_signals()
        from . import metrics_backlog, replicas  # noqa: F401  (register core's scrape-time gauges: queues, replica lag)

        autodiscover_modules("dashboard")  # each app registers its admin dashboard panel in <app>/dashboard.py
        autodiscover_modules("metrics")  # ... and its scrape-time gauges in <app>/metrics.py (core/metrics.py)
