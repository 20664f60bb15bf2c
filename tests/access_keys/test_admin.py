"""Access keys in the admin: created with the secret shown once, rotated from the change form (shown once), revoked
by an action; each write one change; never deleted; operators manage them, other roles do not."""

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group
from django.urls import reverse

from core.access_keys import services
from core.access_keys.admin import SHOW_ONCE_TEMPLATE
from core.access_keys.models import AccessKey, AccessKeyStatus
from core.changes.models import Change

pytestmark = pytest.mark.django_db

ADD = reverse("admin:access_keys_accesskey_add")
LIST = reverse("admin:access_keys_accesskey_changelist")


def change_url(key):
    return reverse("admin:access_keys_accesskey_change", args=[key.pk])


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_user("operator-keys", password="Operator-pass-1", is_staff=True)
    user.groups.add(Group.objects.get(name="operator"))
    client.force_login(user)
    return client


def shown(response) -> tuple[str, str]:
    assert response.status_code == 200 and SHOW_ONCE_TEMPLATE in {t.name for t in response.templates}
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    key_id = re.search(r'id="access-key"[^>]*>([^<]+)<', html).group(1)
    secret = re.search(r'id="access-secret-key"[^>]*>([^<]+)<', html).group(1)
    return key_id, secret


def changes(key):
    return list(Change.objects.filter(object_type="access_keys.accesskey", object_id=str(key.pk)).order_by("pk"))


def test_an_operator_creates_a_key_and_sees_the_secret_once(operator, integration):
    response = operator.post(ADD, {"name": "Control-M", "description": "", "user": integration.pk})
    key_id, secret = shown(response)
    key = AccessKey.objects.get(access_key=key_id)
    assert check_password(secret, key.secret_hash) and key.user == integration
    assert [c.action for c in changes(key)] == ["created"]
    for page in (
        operator.get(change_url(key)),
        operator.get(LIST),
        operator.get(reverse("admin:access_keys_accesskey_history", args=[key.pk])),
    ):
        assert page.status_code == 200
        assert secret.encode() not in page.content and key.secret_hash.encode() not in page.content
    assert key_id.encode() in operator.get(LIST).content  # the id is shown always


def test_rotating_from_the_change_form_shows_the_new_secret_once(operator, key_and_secret):
    key, old = key_and_secret
    response = operator.post(change_url(key), {"name": key.name, "description": key.description, "rotate_secret": "on"})
    key_id, secret = shown(response)
    key.refresh_from_db()
    assert key_id == key.access_key and secret != old
    assert check_password(secret, key.secret_hash) and not check_password(old, key.secret_hash)
    assert [c.action for c in changes(key)] == ["created", "rotated"]


def test_a_change_without_rotation_keeps_the_secret_and_shows_nothing(operator, key_and_secret):
    key, secret = key_and_secret
    response = operator.post(change_url(key), {"name": key.name, "description": "for the night jobs"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.description == "for the night jobs" and check_password(secret, key.secret_hash)
    assert [c.action for c in changes(key)] == ["created", "updated"]


def test_revoke_action(operator, key_and_secret):
    key, _ = key_and_secret
    response = operator.post(LIST, {"action": "revoke", "_selected_action": [str(key.pk)], "index": "0"})
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.status == AccessKeyStatus.REVOKED
    assert [c.action for c in changes(key)] == ["created", "revoked"]


def test_keys_are_never_deleted(operator, key_and_secret):
    key, _ = key_and_secret
    assert (
        operator.post(reverse("admin:access_keys_accesskey_delete", args=[key.pk]), {"post": "yes"}).status_code == 403
    )
    assert AccessKey.objects.filter(pk=key.pk).exists()


def test_only_a_superuser_gives_a_superuser_a_key(operator, superuser):
    response = operator.post(ADD, {"name": "root key", "description": "", "user": superuser.pk})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not AccessKey.objects.exists()


def test_an_analyst_sees_no_keys(client, django_user_model, key_and_secret):
    user = django_user_model.objects.create_user("analyst-keys", password="Analyst-pass-1", is_staff=True)
    user.groups.add(Group.objects.get(name="analyst"))
    client.force_login(user)
    assert client.get(LIST).status_code == 403


def test_the_services_refuse_no_owner():
    from core.errors import Invalid

    with pytest.raises(Invalid):
        services.access_key_create(user=None, name="x")
