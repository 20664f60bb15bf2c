"""HTTP Basic through the verified-credentials cache (issue 12): a hit costs no password hash, and a password
change, deactivation or removal is seen on the very next request."""

import hashlib
import pickle

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from core import auth
from tests.core import auth_helpers
from tests.core.auth_helpers import (
    ANALYST_LIST,
    ORACLE_ECHO,
    PASSWORD,
    UIM_ECHO,
    USERNAME,
    basic,
    call,
)

echo_user = auth_helpers.echo_user  # the fixture

pytestmark = pytest.mark.urls("tests.core.auth_urls")

BASIC_DOORS = [ORACLE_ECHO, UIM_ECHO, ANALYST_LIST]
OK = {ORACLE_ECHO: 200, UIM_ECHO: 201, ANALYST_LIST: 200}


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password hashes computed (the test settings hash with MD5)."""
    calls = []
    original = MD5PasswordHasher.verify

    def verify(self, password, encoded):
        calls.append(password)
        return original(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "verify", verify)
    return calls


def client_for(username: str = USERNAME, password: str = PASSWORD) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(username, password))
    return client


def all_cached_values() -> list:
    """Every value in the (local-memory) test cache, unpickled."""
    return [pickle.loads(value) for value in cache._cache.values()]  # noqa: S301 (our own cache)


@pytest.mark.parametrize("door", BASIC_DOORS)
def test_second_request_costs_no_password_hash(echo_user, hashes, door):
    client = client_for()
    assert call(client, door).status_code == OK[door]
    assert len(hashes) == 1
    for _ in range(3):
        assert call(client, door).status_code == OK[door]
    assert len(hashes) == 1, "a cache hit must not hash the password"


@pytest.mark.parametrize("door", BASIC_DOORS)
def test_password_change_refuses_old_credentials_on_the_very_next_request(echo_user, door):
    client = client_for()
    assert call(client, door).status_code == OK[door]
    echo_user.set_password("a-new-password")
    echo_user.save()
    assert call(client, door).status_code == 401
    assert call(client_for(password="a-new-password"), door).status_code == OK[door]


@pytest.mark.parametrize("door", BASIC_DOORS)
def test_deactivation_refuses_cached_credentials_at_once(echo_user, door):
    client = client_for()
    assert call(client, door).status_code == OK[door]
    echo_user.is_active = False
    echo_user.save()
    assert call(client, door).status_code == 401


def test_removal_refuses_cached_credentials_at_once(echo_user):
    client = client_for()
    assert call(client, ORACLE_ECHO).status_code == 200
    echo_user.delete()
    assert call(client, ORACLE_ECHO).status_code == 401


def test_a_user_recreated_with_the_same_name_and_password_is_checked_again(echo_user, django_user_model, hashes):
    from django.contrib.auth.models import Permission

    assert call(client_for(), ORACLE_ECHO).status_code == 200
    echo_user.delete()
    other = django_user_model.objects.create_user(USERNAME, password=PASSWORD)
    other.user_permissions.add(Permission.objects.get(codename="add_group"))
    hashes.clear()
    assert call(client_for(), ORACLE_ECHO).status_code == 200
    assert len(hashes) == 1  # a fresh salt: the old entry does not match the new user


def test_cache_entry_is_a_keyed_mac_not_the_password_or_a_plain_hash(echo_user):
    assert call(client_for(), ORACLE_ECHO).status_code == 200
    entry = cache.get(auth.credentials_cache_key(USERNAME))
    assert entry, "the verified credentials are cached"
    plain = [PASSWORD, f"{USERNAME}:{PASSWORD}", f"{USERNAME}{PASSWORD}", echo_user.password]
    unkeyed = {
        getattr(hashlib, name)(text.encode()).hexdigest()
        for name in ("md5", "sha1", "sha256", "sha512", "blake2b")
        for text in plain
    }
    for value in all_cached_values():
        text = repr(value)
        assert PASSWORD not in text
        assert echo_user.password not in text
        assert not any(digest in text for digest in unkeyed)
    # Keyed with the server secret: another SECRET_KEY gives another MAC for the same credentials.
    with override_settings(SECRET_KEY="another-installation"):
        assert auth.credentials_mac(USERNAME, PASSWORD, echo_user.password) != entry
    assert auth.credentials_mac(USERNAME, PASSWORD, echo_user.password) == entry


def test_a_wrong_password_is_never_cached(echo_user, hashes):
    wrong = client_for(password="wrong-password")
    assert call(wrong, ORACLE_ECHO).status_code == 401
    assert cache.get(auth.credentials_cache_key(USERNAME)) is None
    assert call(wrong, ORACLE_ECHO).status_code == 401
    assert len(hashes) == 2  # each failure is checked in full
    assert not any("wrong-password" in repr(value) for value in all_cached_values())


def test_cached_credentials_do_not_let_another_password_in(echo_user, hashes):
    assert call(client_for(), ORACLE_ECHO).status_code == 200
    assert call(client_for(password="wrong-password"), ORACLE_ECHO).status_code == 401
    assert len(hashes) == 2
    assert call(client_for(), ORACLE_ECHO).status_code == 200
    assert len(hashes) == 2  # a wrong guess does not evict the rightful entry


@override_settings(AUTH_BASIC_CACHE_SECONDS=0)
def test_a_ttl_of_zero_turns_the_cache_off(echo_user, hashes):
    for _ in range(2):
        assert call(client_for(), ORACLE_ECHO).status_code == 200
    assert len(hashes) == 2
    assert cache.get(auth.credentials_cache_key(USERNAME)) is None


@override_settings(AUTH_BASIC_CACHE_SECONDS=42)
def test_the_entry_lives_for_the_configured_ttl(echo_user, monkeypatch):
    seen = {}
    original = cache.set

    def spy(key, value, timeout=None, **kwargs):
        seen[key] = timeout
        return original(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    assert call(client_for(), ORACLE_ECHO).status_code == 200
    assert seen[auth.credentials_cache_key(USERNAME)] == 42


@pytest.mark.redis
def test_entries_and_locks_are_shared_across_processes_through_redis(echo_user, settings):
    """Two cache clients on the same Redis (as two gunicorn workers would hold) see the same entry."""
    import os
    import uuid

    from django.core.cache.backends.redis import RedisCache

    prefix = f"test-{uuid.uuid4().hex}"
    url = os.environ["REDIS_URL"]
    redis_caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    redis_caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = redis_caches  # Django's setting_changed handler rebuilds the cache handler
    other_process = RedisCache(url, {"KEY_PREFIX": prefix})
    try:
        assert call(client_for(), ORACLE_ECHO).status_code == 200
        assert other_process.get(auth.credentials_cache_key(USERNAME)) == auth.credentials_mac(
            USERNAME, PASSWORD, echo_user.password
        )
        with auth.password_attempt("someone", "192.0.2.1") as attempt:
            attempt.failed()
        assert other_process.get(auth.failure_counter_key("user", "someone")) == 1
    finally:
        keys = list(other_process._cache.get_client().scan_iter(f"{prefix}:*"))
        if keys:
            other_process._cache.get_client().delete(*keys)


@pytest.mark.django_db
def test_the_compiled_user_read_equals_the_orm(django_user_model):
    """``load_user`` bypasses the queryset machinery: the instance it makes must be the one the ORM would make,
    field for field (date-times and booleans converted as on each database), and nothing for an unknown user."""
    from django.utils import timezone

    user = django_user_model.objects.create_user("reader", password="x", email="r@example.com", is_staff=True)
    user.last_login = timezone.now()
    user.save()
    orm = django_user_model.objects.get(username="reader")
    for field_name, value in (("username", "reader"), ("pk", user.pk), ("id", str(user.pk))):
        found = auth.load_user("id" if field_name == "pk" else field_name, value)
        assert type(found) is type(orm) and not found._state.adding and found._state.db == orm._state.db
        for field in django_user_model._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(orm, field.attname), field.name
    assert auth.load_user("username", "nobody") is None
    assert auth.load_user("id", "not-a-number") is None
