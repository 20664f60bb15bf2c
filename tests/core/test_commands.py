from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.mark.django_db
def test_ensure_superuser_generates_once_and_reprints(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    first, second = StringIO(), StringIO()
    call_command("ensure_superuser", stdout=first)
    call_command("ensure_superuser", stdout=second)
    password = first.getvalue().strip().rsplit(" / ", 1)[1]
    assert password in second.getvalue()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)


@pytest.mark.django_db
def test_ensure_superuser_takes_environment(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "first-pass-123")
    call_command("ensure_superuser", stdout=StringIO())
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "second-pass-456")
    call_command("ensure_superuser", stdout=StringIO())
    assert get_user_model().objects.get(username="ops").check_password("second-pass-456")


@pytest.mark.django_db
def test_load_demo_is_idempotent():
    from django.apps import apps

    call_command("load_demo", stdout=StringIO())
    counts = {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}
    call_command("load_demo", stdout=StringIO())
    assert counts == {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label != "sessions"}


@pytest.mark.django_db
def test_load_demo_never_brings_back_a_deleted_demo_record_and_reseed_does():
    """Issue #24: `make run` runs load_demo on every start; a demo policy staff deleted (the docs' DELETE calls)
    stays deleted, and only an explicit --reseed loads it again."""
    from blackouts import services
    from blackouts.models import BlackoutPolicy
    from core.models import DemoLoad

    call_command("load_demo", stdout=StringIO())
    policy = BlackoutPolicy.objects.get(name="testpolicy12")
    services.policy_delete(policy_id=policy.pk)
    assert set(DemoLoad.objects.values_list("app_label", flat=True)) >= {"blackouts", "outages", "changes"}

    again = StringIO()
    call_command("load_demo", stdout=again)
    assert not BlackoutPolicy.objects.filter(name="testpolicy12").exists()
    assert "demo blackouts: seeded" in again.getvalue() and "--reseed" in again.getvalue()

    call_command("load_demo", "--reseed", "--app", "blackouts", stdout=StringIO())
    assert BlackoutPolicy.objects.filter(name="testpolicy12").exists()


@pytest.mark.django_db
def test_load_demo_seeds_an_app_it_has_not_seeded_yet():
    from core.models import DemoLoad
    from outages.models import OutageEvent

    call_command("load_demo", "--app", "access_keys", stdout=StringIO())
    assert list(DemoLoad.objects.values_list("app_label", flat=True)) == ["access_keys"]
    assert not OutageEvent.objects.exists()
    call_command("load_demo", stdout=StringIO())
    assert OutageEvent.objects.exists() and DemoLoad.objects.filter(app_label="outages").exists()


@pytest.mark.django_db
def test_a_database_seeded_before_the_record_existed_is_not_seeded_again():
    """Migration core/0015 marks the apps whose demo records the change log shows load_demo created."""
    from importlib import import_module

    from django.apps import apps

    from core import changes, context
    from core.models import DemoLoad
    from outages.models import ExternalSystem

    migration = import_module("core.migrations.0015_demo_data_loaded_once")
    with context.bound(actor=context.command_actor("load_demo")):
        changes.record(ExternalSystem.objects.create(name="OMS-OLD"), "created")
    with context.bound(actor="user:admin"):
        changes.record(ExternalSystem.objects.create(name="OMS-STAFF"), "created")
    migration.mark_seeded_before(apps, None)
    assert list(DemoLoad.objects.values_list("app_label", flat=True)) == ["outages"]


@pytest.mark.django_db
def test_ensure_superuser_skips_the_password_check_while_the_hash_is_the_one_it_proved(settings, tmp_path, monkeypatch):
    """`make run` runs it on every start: the PBKDF2 check is skipped while the stored hash is unchanged, and a
    password changed meanwhile (in the admin) is still found and reset to the file's."""
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("DJANGO_SUPERUSER_USERNAME", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    User = get_user_model()
    call_command("ensure_superuser", stdout=StringIO())
    password = (tmp_path / "admin-password").read_text().strip()
    checks = []
    real_check = User.check_password
    monkeypatch.setattr(User, "check_password", lambda self, raw: checks.append(raw) or real_check(self, raw))
    call_command("ensure_superuser", stdout=StringIO())
    assert checks == []
    user = User.objects.get(username="admin")
    user.set_password("changed-in-the-admin")
    user.save()
    call_command("ensure_superuser", stdout=StringIO())
    assert checks == [password]
    assert User.objects.get(username="admin").check_password(password)
