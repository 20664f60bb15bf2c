"""core.checks: an SQLite without RETURNING is refused by a system check rather than served by a second code path."""

from types import SimpleNamespace

from django.core import checks

from core import checks as core_checks


def _connection(vendor, version):
    return SimpleNamespace(vendor=vendor, Database=SimpleNamespace(sqlite_version_info=version))


def test_an_sqlite_older_than_3_35_is_refused(monkeypatch):
    fake = {"default": _connection("sqlite", (3, 31, 1)), "other": _connection("sqlite", (3, 35, 0))}
    monkeypatch.setattr(core_checks, "connections", fake)
    errors = core_checks.sqlite_version(databases=["default", "other"])
    assert [(e.id, e.level) for e in errors] == [("core.E001", checks.ERROR)]
    assert "SQLite 3.31.1 is too old for database 'default'" in errors[0].msg


def test_postgresql_and_a_current_sqlite_pass():
    assert not core_checks.sqlite_too_old(_connection("postgresql", None))
    assert not core_checks.sqlite_too_old(_connection("sqlite", (3, 45, 0)))


def test_the_check_is_registered_and_the_test_database_passes_it():
    errors = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
    assert not [e for e in errors if e.id == "core.E001"]
    assert core_checks.sqlite_version in checks.registry.registry.get_checks(include_deployment_checks=False)
