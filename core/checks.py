"""System checks for what the project needs of its environment (``manage.py check`` runs them, and so does every
``manage.py`` command and the test run)."""

from django.core import checks
from django.db import connections

SQLITE_MINIMUM = (3, 35, 0)  # INSERT … RETURNING (contacts' single-statement create, bulk inserts with ids)


def sqlite_too_old(connection) -> bool:
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info < SQLITE_MINIMUM


@checks.register(checks.Tags.database)
def sqlite_version(app_configs=None, databases=None, **kwargs):
    """Refuse an SQLite library without ``RETURNING`` (3.35, 2021) instead of keeping a second code path for it."""
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if sqlite_too_old(connection):
            found = ".".join(map(str, connection.Database.sqlite_version_info))
            errors.append(
                checks.Error(
                    f"SQLite {found} is too old for database {alias!r}: 3.35 or later is required.",
                    hint="Use a Python built against a newer SQLite, or PostgreSQL (DATABASE_URL).",
                    id="core.E001",
                )
            )
    return errors
