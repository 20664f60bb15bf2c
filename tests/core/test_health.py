import pytest

from config.celery import app as celery_app


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}


def test_healthz_is_503_naming_a_broker_that_is_down(client, db, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("down")


@pytest.mark.django_db
def test_roles_exist_with_model_permissions():
    from django.contrib.auth.models import Group

    from core.roles import sync_roles

    sync_roles()
    names = set(Group.objects.values_list("name", flat=True))
    assert {"integration", "analyst", "operator"} <= names
    analyst = Group.objects.get(name="analyst")
    assert not analyst.permissions.filter(codename__startswith="add_").exists()
