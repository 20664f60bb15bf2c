"""Password doors and refresh rotation under concurrent requests (issue 21): the failed-login limit bounds the
password checks made however many requests arrive at once (on the local cache and on Redis), and one refresh
token sent many times at once is rotated exactly once (PostgreSQL)."""

import os
import threading
import uuid

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import override_settings
from rest_framework.test import APIClient

from tests.core import auth_helpers
from tests.core.auth_helpers import ORACLE_ECHO, PASSWORD, REFRESH, TOKEN, USERNAME, basic, call

echo_user = auth_helpers.echo_user  # the fixture

pytestmark = [pytest.mark.urls("tests.core.auth_urls"), pytest.mark.django_db(transaction=True)]

ATTEMPTS = 30
LIMIT = 10


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.redis)])
def shared_cache(request, settings):
    """The default (per-process memory) cache, or Redis under a prefix of this test's own."""
    if request.param == "local":
        yield
        return
    from django.core.cache.backends.redis import RedisCache

    prefix = f"test-{uuid.uuid4().hex}"
    url = os.environ["REDIS_URL"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    settings.CACHES["default"]["KEY_PREFIX"] = prefix
    yield
    client = RedisCache(url, {"KEY_PREFIX": prefix})._cache.get_client()
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


class Checks(list):
    """The passwords checked, and ``answered()``: a request calls it once it has its answer."""

    answered = staticmethod(lambda: None)


@pytest.fixture
def held_checks(monkeypatch):
    """Every password check is held until each of the ``ATTEMPTS`` requests has either reached its own check or
    been answered: so all of them are in flight together (a condition, no sleep). Returns the passwords checked."""
    condition = threading.Condition()
    arrived: set[int] = set()
    checked = Checks()
    original = MD5PasswordHasher.verify

    def verify(self, password, encoded):
        with condition:
            checked.append(password)
            arrived.add(threading.get_ident())
            condition.notify_all()
            assert condition.wait_for(lambda: len(arrived) >= ATTEMPTS, timeout=60), "requests never all arrived"
        return original(self, password, encoded)

    def answered():
        with condition:
            arrived.add(threading.get_ident())
            condition.notify_all()

    monkeypatch.setattr(MD5PasswordHasher, "verify", verify)
    checked.answered = answered
    return checked


def run_at_once(send, count: int) -> list:
    """``send(n)`` from ``count`` threads released together, each with its own database connection."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run(n):
        try:
            barrier.wait()
            results.append(send(n))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert len(results) == count
    return results


def basic_guess(n: int):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(USERNAME, f"guess-{n}"))
    return call(client, ORACLE_ECHO).status_code


def token_guess(n: int):
    return APIClient().post(TOKEN, {"username": USERNAME, "password": f"guess-{n}"}, format="json").status_code


@pytest.mark.parametrize("guess", [basic_guess, token_guess], ids=["basic", "token"])
@override_settings(AUTH_FAILURE_USER_LIMIT=LIMIT, AUTH_FAILURE_ADDRESS_LIMIT=0, AUTH_LOCKOUT_SECONDS=900)
def test_concurrent_guesses_make_at_most_the_limit_of_password_checks(echo_user, shared_cache, held_checks, guess):
    def send(n):
        try:
            return guess(n)
        finally:
            held_checks.answered()

    statuses = run_at_once(send, ATTEMPTS)
    assert len(held_checks) <= LIMIT, f"{len(held_checks)} password checks against a limit of {LIMIT}"
    assert sorted(statuses) == [401] * len(held_checks) + [429] * (ATTEMPTS - len(held_checks)), statuses
    # The username is locked now: the right password is refused too.
    assert APIClient().post(TOKEN, {"username": USERNAME, "password": PASSWORD}).status_code == 429


# --- Refresh rotation ------------------------------------------------------------------------------------------
@pytest.mark.postgres
def test_one_refresh_token_sent_twenty_times_at_once_is_rotated_once(echo_user):
    pair = APIClient().post(TOKEN, {"username": USERNAME, "password": PASSWORD}, format="json").json()

    def send(_):
        return APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json")

    responses = run_at_once(send, 20)
    winners = [r for r in responses if r.status_code == 200]
    assert len(winners) == 1, sorted(r.status_code for r in responses)
    assert {r.status_code for r in responses if r.status_code != 200} == {401}
    # The others were reuses of a rotated token: the whole family is revoked, the winner's new refresh included.
    assert APIClient().post(REFRESH, {"refresh": winners[0].json()["refresh"]}, format="json").status_code == 401
    assert APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code == 401
