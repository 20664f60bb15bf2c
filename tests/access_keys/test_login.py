"""The login and refresh endpoints and the tokens on the BMC endpoints: refusals in BMC's error shape, throttling,
the ``apiKey`` header, refresh, expiry, rotation and revocation."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password, identify_hasher
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from core import auth
from core.access_keys import services, tokens
from core.access_keys.models import AccessKey, AccessKeyStatus

from .conftest import LOGIN, REFRESH

pytestmark = pytest.mark.django_db

POLICY_GET = "/events-service/api/v1.0/blackout_policies/6898e009-7b19-11eb-b21b-f1af2da78f15"  # absent: 404


def login(key_id, secret, client=None, **extra):
    client = client or APIClient()
    body = {"access_key": key_id, "access_secret_key": secret, "tenant_id": "1", **extra}
    return client.post(LOGIN, body, format="json")


def assert_bmc_error(response, status, message_part):
    """BMC's validation list: ``[{"key": "<status>", "level": "ERROR", "message": "<reason> : …", ...}]``."""
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body, list) and body, body
    item = body[0]
    assert item["key"] == str(status) and item["level"] == "ERROR" and item["additionalInfo"] == []
    assert message_part in item["message"], item["message"]
    return item


def get_policy(token, keyword="Bearer"):
    return APIClient().get(POLICY_GET, HTTP_AUTHORIZATION=f"{keyword} {token}")


def test_login_answers_a_refresh_token_and_a_jwt_of_15_minutes(key_and_secret):
    key, secret = key_and_secret
    answer = login(key.access_key, secret)
    assert answer.status_code == 200, answer.content
    assert set(answer.json()) == {"token", "json_web_token"}
    jwt = tokens.AccessKeyJWT(answer.json()["json_web_token"])
    assert timedelta(minutes=14) < timedelta(seconds=jwt["exp"] - jwt["iat"]) <= timedelta(minutes=15)
    refresh = tokens.AccessKeyRefreshToken(answer.json()["token"])
    assert timedelta(seconds=refresh["exp"] - refresh["iat"]) == timedelta(hours=24)
    assert jwt[tokens.KEY_CLAIM] == key.access_key


def test_token_lifetimes_come_from_settings(key_and_secret, settings):
    settings.ACCESS_KEY_JWT_MINUTES = 5
    settings.ACCESS_KEY_REFRESH_HOURS = 2
    key, secret = key_and_secret
    answer = login(key.access_key, secret).json()
    jwt = tokens.AccessKeyJWT(answer["json_web_token"])
    refresh = tokens.AccessKeyRefreshToken(answer["token"])
    assert jwt["exp"] - jwt["iat"] == 300 and refresh["exp"] - refresh["iat"] == 7200


def test_tenant_id_may_be_left_out(key_and_secret):
    key, secret = key_and_secret
    answer = APIClient().post(LOGIN, {"access_key": key.access_key, "access_secret_key": secret}, format="json")
    assert answer.status_code == 200


@pytest.mark.parametrize("wrong", ["secret", "key"])
def test_a_wrong_secret_or_unknown_key_is_a_401_in_bmc_s_shape(key_and_secret, wrong):
    key, secret = key_and_secret
    answer = login("NOSUCHKEY" if wrong == "key" else key.access_key, secret if wrong == "key" else secret + "x")
    assert_bmc_error(answer, 401, "Unauthorized : Invalid access key or secret key.")
    assert answer["WWW-Authenticate"]


def test_a_revoked_key_is_refused_and_so_are_its_tokens(key_and_secret):
    key, secret = key_and_secret
    answer = login(key.access_key, secret).json()
    assert get_policy(answer["json_web_token"]).status_code == 404  # works before
    assert services.access_keys_revoke(key_ids=[key.pk]) == 1
    assert_bmc_error(login(key.access_key, secret), 401, "The access key is revoked.")
    assert_bmc_error(get_policy(answer["json_web_token"]), 401, "The access key is revoked.")
    refused = APIClient().post(REFRESH, {"token": answer["token"]}, format="json")
    assert_bmc_error(refused, 401, "The access key is revoked.")


def test_an_expired_key_is_refused_and_so_are_its_tokens(key_and_secret):
    key, secret = key_and_secret
    answer = login(key.access_key, secret).json()
    AccessKey.objects.filter(pk=key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_bmc_error(login(key.access_key, secret), 401, "The access key has expired.")
    assert_bmc_error(get_policy(answer["json_web_token"], "apiKey"), 401, "The access key has expired.")
    assert_bmc_error(APIClient().post(REFRESH, {"token": answer["token"]}, format="json"), 401, "expired")


def test_a_rotated_key_refuses_the_old_secret_and_its_tokens(key_and_secret):
    key, secret = key_and_secret
    answer = login(key.access_key, secret).json()
    _, new_secret = services.access_key_rotate(key_id=key.pk)
    assert new_secret != secret
    assert_bmc_error(login(key.access_key, secret), 401, "Invalid access key or secret key.")
    assert_bmc_error(get_policy(answer["json_web_token"]), 401, "rotated")
    assert_bmc_error(APIClient().post(REFRESH, {"token": answer["token"]}, format="json"), 401, "rotated")
    fresh = login(key.access_key, new_secret)
    assert fresh.status_code == 200
    assert get_policy(fresh.json()["json_web_token"]).status_code == 404


def test_an_inactive_owner_is_refused(key_and_secret):
    key, secret = key_and_secret
    token = login(key.access_key, secret).json()["json_web_token"]
    key.user.is_active = False
    key.user.save()
    assert_bmc_error(login(key.access_key, secret), 401, "inactive")
    assert_bmc_error(get_policy(token), 401, "inactive")


def test_an_expired_jwt_is_refused_and_refresh_gives_a_new_one(key_and_secret, settings):
    key, secret = key_and_secret
    answer = login(key.access_key, secret).json()
    settings.ACCESS_KEY_JWT_MINUTES = -1  # what refresh issues now is already expired
    expired = APIClient().post(REFRESH, {"token": answer["token"]}, format="json").json()["json_web_token"]
    assert_bmc_error(get_policy(expired), 401, "expired")
    settings.ACCESS_KEY_JWT_MINUTES = 15
    renewed = APIClient().post(REFRESH, {"token": answer["token"]}, format="json")
    assert renewed.status_code == 200 and set(renewed.json()) == {"json_web_token"}
    assert get_policy(renewed.json()["json_web_token"]).status_code == 404


@pytest.mark.parametrize("bad", ["not-a-token", "jwt", "access"])
def test_refresh_refuses_what_is_no_refresh_token_of_a_key(key_and_secret, bad, integration):
    key, secret = key_and_secret
    answer = login(key.access_key, secret).json()
    token = {"not-a-token": "x.y.z", "jwt": answer["json_web_token"], "access": str(AccessToken.for_user(integration))}
    assert_bmc_error(APIClient().post(REFRESH, {"token": token[bad]}, format="json"), 401, "Unauthorized : ")


def test_the_api_key_header_and_bearer_both_work_and_core_jwts_too(key_and_secret, integration):
    key, secret = key_and_secret
    token = login(key.access_key, secret).json()["json_web_token"]
    for keyword in ("Bearer", "apiKey", "APIKEY", "bearer"):
        assert get_policy(token, keyword).status_code == 404, keyword
    core_jwt = str(AccessToken.for_user(integration))  # /api/auth/token/'s JWT: Bearer as before, apiKey too
    assert get_policy(core_jwt).status_code == 404 and get_policy(core_jwt, "apiKey").status_code == 404
    assert_bmc_error(get_policy(token, "Token"), 401, "Unauthorized")
    assert_bmc_error(APIClient().get(POLICY_GET, HTTP_AUTHORIZATION="apiKey"), 401, "Unauthorized")


def test_a_key_s_jwt_opens_the_bmc_endpoints_only(key_and_secret):
    """The key's JWT is its own token type: the other families and the analyst API refuse it."""
    key, secret = key_and_secret
    token = login(key.access_key, secret).json()["json_web_token"]
    analyst = APIClient().get("/api/blackouts/policies/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert analyst.status_code == 401


def test_the_owner_s_roles_apply(django_user_model):
    nobody = django_user_model.objects.create_user("no-group", password="No-group-pass-1")
    key, secret = services.access_key_create(user=nobody, name="no rights")
    token = login(key.access_key, secret).json()["json_web_token"]
    assert_bmc_error(get_policy(token), 403, "Forbidden")


def test_bad_bodies_are_400s_in_bmc_s_shape(key_and_secret):
    assert_bmc_error(APIClient().post(LOGIN, {}, format="json"), 400, "access_key")
    assert_bmc_error(login("K" * 201, "x"), 400, "access_key")
    malformed = APIClient().post(LOGIN, "{", content_type="application/json")
    assert_bmc_error(malformed, 400, "Bad Request")
    assert_bmc_error(APIClient().post(REFRESH, {}, format="json"), 400, "token")


def test_the_secret_is_stored_hashed_with_django_s_hashers(key_and_secret):
    key, secret = key_and_secret
    stored = AccessKey.objects.get(pk=key.pk)
    assert secret not in stored.secret_hash and stored.secret_hash != secret
    identify_hasher(stored.secret_hash)  # a Django password hash
    assert check_password(secret, stored.secret_hash)
    assert len(key.access_key) == 30 and key.access_key.isalnum() and key.access_key.upper() == key.access_key
    assert len(secret) == 50


@pytest.fixture
def later(monkeypatch):
    def advance(seconds: float = 901):
        now = auth.now()
        monkeypatch.setattr(auth, "now", lambda: now + seconds)
        cache.clear()

    return advance


@override_settings(
    AUTH_FAILURE_USER_LIMIT=10, AUTH_FAILURE_ADDRESS_LIMIT=20, AUTH_FAILURE_WINDOW_SECONDS=900, AUTH_LOCKOUT_SECONDS=900
)
def test_logins_are_throttled_like_every_login(key_and_secret, later):
    key, secret = key_and_secret
    client = APIClient(REMOTE_ADDR="10.1.2.3")
    statuses = [login(key.access_key, "wrong", client).status_code for _ in range(10)]
    assert statuses == [401] * 10
    locked = login(key.access_key, secret, client)  # the right secret too, while the key is locked
    item = assert_bmc_error(locked, 429, "Too many failed login attempts")
    assert locked["Retry-After"]
    assert "Too Many Requests" in item["message"]
    other = APIClient(REMOTE_ADDR="10.9.9.9")
    assert login(key.access_key, secret, other).status_code == 429  # the key is locked from anywhere
    later()
    assert login(key.access_key, secret, client).status_code == 200


@override_settings(AUTH_FAILURE_USER_LIMIT=0, AUTH_FAILURE_ADDRESS_LIMIT=3, AUTH_LOCKOUT_SECONDS=900)
def test_an_address_guessing_many_keys_is_locked(key_and_secret):
    key, secret = key_and_secret
    client = APIClient(REMOTE_ADDR="10.4.4.4")
    assert [login(f"GUESS{i}", "x", client).status_code for i in range(3)] == [401] * 3
    assert login(key.access_key, secret, client).status_code == 429


def test_a_successful_login_is_not_a_failure(key_and_secret, settings):
    settings.AUTH_FAILURE_USER_LIMIT = 2
    key, secret = key_and_secret
    assert [login(key.access_key, secret).status_code for _ in range(5)] == [200] * 5


def test_revoking_twice_revokes_once(key_and_secret):
    key, _ = key_and_secret
    assert services.access_keys_revoke(key_ids=[key.pk]) == 1
    assert services.access_keys_revoke(key_ids=[key.pk]) == 0
    assert AccessKey.objects.get(pk=key.pk).status == AccessKeyStatus.REVOKED
