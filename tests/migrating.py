"""Running the migrations to a point and back in a test (the app-move tests of issue #22: a row and a held
permission survive an upgrade)."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets):
    """Migrate the test database to ``targets`` (``[(app, name or None)]``); the state there, with its ``apps``."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    state = executor.migrate(targets)
    ContentType.objects.clear_cache()  # content types are rows the migrations moved
    return state


def latest():
    """Every app's last migration: the targets of a full migrate."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
