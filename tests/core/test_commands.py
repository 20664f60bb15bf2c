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
