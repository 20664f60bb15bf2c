"""``manage.py create_access_key USERNAME [--name NAME] [--json]``: the id and the secret, printed once."""

import io
import json

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from core.access_keys.models import AccessKey

from .conftest import LOGIN

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("create_access_key", *args, stdout=out)
    return out.getvalue()


def test_plain_output_names_the_key_and_the_secret_once(integration):
    out = run("bmc-client", "--name", "Control-M")
    lines = out.splitlines()
    key_id = lines[0].removeprefix("Access key: ")
    secret = lines[1].removeprefix("Secret key: ")
    key = AccessKey.objects.get(access_key=key_id)
    assert key.name == "Control-M" and key.user == integration and key.expires_at is None
    assert check_password(secret, key.secret_hash) and secret not in key.secret_hash
    assert "not shown again" in out


def test_json_output_is_one_line_a_client_logs_in_with(integration):
    out = run("bmc-client", "--json")
    assert out.count("\n") == 1
    credentials = json.loads(out)
    assert set(credentials) == {"access_key", "access_secret_key"}
    key = AccessKey.objects.get(access_key=credentials["access_key"])
    assert key.name == "created by manage.py"
    answer = APIClient().post(LOGIN, {**credentials, "tenant_id": "1"}, format="json")
    assert answer.status_code == 200, answer.content


def test_an_expiry_in_days(integration):
    credentials = json.loads(run("bmc-client", "--json", "--expires-days", "30"))
    key = AccessKey.objects.get(access_key=credentials["access_key"])
    assert key.expires_at is not None and (key.expires_at - key.created_at).days in (29, 30)


def test_an_unknown_user_is_an_error(db):
    with pytest.raises(CommandError, match="No user"):
        run("nobody-here")
    assert not AccessKey.objects.exists()


def test_every_key_records_one_change(integration):
    from core.changes.models import Change

    credentials = json.loads(run("bmc-client", "--json"))
    key = AccessKey.objects.get(access_key=credentials["access_key"])
    changes = Change.objects.filter(object_type="access_keys.accesskey", object_id=str(key.pk))
    assert [c.action for c in changes] == ["created"]
    assert credentials["access_secret_key"] not in json.dumps(changes[0].changes)
    assert changes[0].natural_key == key.access_key
