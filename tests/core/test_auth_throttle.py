"""Failed logins are throttled per user and per client address at every password door (issue 15 item 6):
Basic auth in each family and the analyst API, the token endpoint, the admin login."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from rest_framework.test import APIClient

from core import auth
from tests.contract import ORACLE_KEYS, UIM_KEYS
from tests.core import auth_helpers
from tests.core.auth_helpers import (
    ADMIN_LOGIN,
    ANALYST_LIST,
    ORACLE_ECHO,
    PASSWORD,
    TOKEN,
    UIM_ECHO,
    USERNAME,
    basic,
    call,
)

echo_user = auth_helpers.echo_user  # the fixture

pytestmark = [
    pytest.mark.urls("tests.core.auth_urls"),
    pytest.mark.usefixtures("limits"),
]

OK = {ORACLE_ECHO: 200, UIM_ECHO: 201, ANALYST_LIST: 200}


@pytest.fixture
def limits():
    """The documented defaults, pinned so that the tests do not depend on the environment."""
    with override_settings(
        AUTH_FAILURE_USER_LIMIT=10,
        AUTH_FAILURE_ADDRESS_LIMIT=20,
        AUTH_FAILURE_WINDOW_SECONDS=900,
        AUTH_LOCKOUT_SECONDS=900,
    ):
        yield


@pytest.fixture
def later(monkeypatch):
    """Moves the lockout clock past the lockout period (no sleeping), and lets every cache entry of at most that
    lifetime run out as it would by then (the failure counters, kept full while a lock runs, expire in the cache)."""

    def advance(seconds: float = 901):
        now = auth.now()
        monkeypatch.setattr(auth, "now", lambda: now + seconds)
        cache.clear()

    return advance


def basic_client(username=USERNAME, password=PASSWORD, address="127.0.0.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=basic(username, password))
    return client


def thirty_wrong(door: str, username: str = USERNAME) -> list:
    return [call(basic_client(username, f"guess-{n}"), door) for n in range(30)]


def assert_throttled_statuses(responses):
    statuses = [r.status_code for r in responses]
    assert statuses[:10] == [401] * 10, statuses
    assert set(statuses[10:]) == {429}, statuses


def test_oracle_basic_lockout_is_a_429_problem_detail_document(echo_user, later):
    responses = thirty_wrong(ORACLE_ECHO)
    assert_throttled_statuses(responses)
    last = responses[-1]
    body = last.json()
    assert set(body) >= ORACLE_KEYS
    assert body["httpStatus"] == 429
    assert body["serverMessage"]["messageNbr"] == 4290
    assert "Too many failed login attempts" in body["detail"]
    assert 0 < int(last["Retry-After"]) <= 900
    # Locked: even the right password is refused until the lockout ends, then it works.
    assert call(basic_client(), ORACLE_ECHO).status_code == 429
    later()
    assert call(basic_client(), ORACLE_ECHO).status_code == 200


def test_oracle_lockout_answers_xml_to_an_xml_client(echo_user):
    thirty_wrong(ORACLE_ECHO)
    response = basic_client().post(ORACLE_ECHO, data=b"<r><name>x</name></r>", content_type="application/xml")
    assert response.status_code == 429
    assert response.content.startswith(b"<?xml") and b"<problemDetailDocument>" in response.content


def test_uim_basic_lockout_is_a_429_in_the_uim_envelope(echo_user, later):
    responses = thirty_wrong(UIM_ECHO)
    assert_throttled_statuses(responses)
    body = responses[-1].json()
    assert set(body) >= UIM_KEYS
    assert body["status"].startswith("429")
    assert any("Too many failed login attempts" in text for text in body["message"])
    later()
    assert call(basic_client(), UIM_ECHO).status_code == 201


def test_analyst_basic_lockout_is_a_429_json_detail(echo_user, later):
    responses = thirty_wrong(ANALYST_LIST)
    assert_throttled_statuses(responses)
    assert "Too many failed login attempts" in responses[-1].json()["detail"]
    assert responses[-1]["Retry-After"]
    later()
    assert call(basic_client(), ANALYST_LIST).status_code == 200


def test_token_endpoint_lockout(echo_user, later):
    client = APIClient()
    responses = [client.post(TOKEN, {"username": USERNAME, "password": f"guess-{n}"}) for n in range(30)]
    assert_throttled_statuses(responses)
    assert responses[-1]["Content-Type"] == "application/json"
    assert "Too many failed login attempts" in responses[-1].json()["detail"]
    assert client.post(TOKEN, {"username": USERNAME, "password": PASSWORD}).status_code == 429
    later()
    assert client.post(TOKEN, {"username": USERNAME, "password": PASSWORD}).status_code == 200


def test_admin_login_lockout_is_a_clear_page(django_user_model, later):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")
    client = APIClient(enforce_csrf_checks=False)
    responses = [client.post(ADMIN_LOGIN, {"username": "boss", "password": f"guess-{n}"}) for n in range(30)]
    assert_throttled_statuses_admin(responses)
    page = responses[-1].content.decode()
    assert "Too many failed login attempts" in page
    assert responses[-1]["Retry-After"]
    assert client.post(ADMIN_LOGIN, {"username": "boss", "password": "boss-password"}).status_code == 429
    later()
    response = client.post(ADMIN_LOGIN, {"username": "boss", "password": "boss-password", "next": "/admin/"})
    assert response.status_code == 302


def assert_throttled_statuses_admin(responses):
    statuses = [r.status_code for r in responses]
    assert statuses[:10] == [200] * 10, statuses  # the form again, with its error
    assert set(statuses[10:]) == {429}, statuses


def test_admin_login_page_still_opens_while_a_user_is_locked(django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")
    client = APIClient()
    for n in range(11):
        client.post(ADMIN_LOGIN, {"username": "boss", "password": f"guess-{n}"})
    assert client.get(ADMIN_LOGIN).status_code == 200


def test_address_wide_lockout_is_not_lifted_by_a_successful_login(echo_user, later):
    """Guessing many usernames from one address locks the address; a right password there does not unlock it."""
    statuses = [call(basic_client(f"user{n}", "guess"), ORACLE_ECHO).status_code for n in range(30)]
    assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}, statuses
    assert call(basic_client(), ORACLE_ECHO).status_code == 429
    assert call(basic_client(), ORACLE_ECHO).status_code == 429
    # Another address is not concerned; the locked one recovers after the lockout period.
    assert call(basic_client(address="198.51.100.7"), ORACLE_ECHO).status_code == 200
    later()
    assert call(basic_client(), ORACLE_ECHO).status_code == 200


def test_a_user_guessed_from_many_addresses_is_locked_everywhere(echo_user):
    for n in range(10):
        assert call(basic_client(password="guess", address=f"203.0.113.{n}"), ORACLE_ECHO).status_code == 401
    assert call(basic_client(address="203.0.113.200"), ORACLE_ECHO).status_code == 429


def test_failures_are_counted_across_doors(echo_user):
    """Five at the token endpoint and five over Basic make ten for the same user."""
    client = APIClient()
    for n in range(5):
        assert client.post(TOKEN, {"username": USERNAME, "password": f"g{n}"}).status_code == 401
    for n in range(5):
        assert call(basic_client(password=f"b{n}"), UIM_ECHO).status_code == 401
    assert client.post(TOKEN, {"username": USERNAME, "password": PASSWORD}).status_code == 429


def test_successful_logins_are_not_counted(echo_user):
    for _ in range(25):
        assert call(basic_client(), ORACLE_ECHO).status_code == 200
    assert APIClient().post(TOKEN, {"username": USERNAME, "password": PASSWORD}).status_code == 200


def test_without_permission_is_not_a_failed_login(django_user_model):
    """A right password without the permission is a 403, never counted as a guess."""
    django_user_model.objects.create_user("plain", password="plain-password")
    for _ in range(12):
        assert call(basic_client("plain", "plain-password"), ORACLE_ECHO).status_code == 403


@override_settings(AUTH_FAILURE_USER_LIMIT=0, AUTH_FAILURE_ADDRESS_LIMIT=0)
def test_limits_of_zero_turn_throttling_off(echo_user):
    assert {call(basic_client(password="guess"), ORACLE_ECHO).status_code for _ in range(30)} == {401}


def test_a_forged_forwarded_for_does_not_evade_the_address_limit(echo_user):
    """Without trusted proxies (NUM_PROXIES unset) X-Forwarded-For is ignored: the address is REMOTE_ADDR."""
    for n in range(20):
        call(basic_client(f"user{n}", "guess"), ORACLE_ECHO, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    assert call(basic_client(), ORACLE_ECHO, HTTP_X_FORWARDED_FOR="10.9.9.250").status_code == 429


def test_the_client_address_honours_num_proxies(echo_user, settings):
    """Behind N trusted proxies the client is the N-th address from the right of X-Forwarded-For."""
    from rest_framework.settings import api_settings

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    api_settings.reload()
    try:
        # The proxy appends the address it saw; what the client wrote before it is not trusted.
        for n in range(20):
            call(basic_client(f"user{n}", "guess"), ORACLE_ECHO, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 192.0.2.9")
        behind_same = basic_client()
        assert call(behind_same, ORACLE_ECHO, HTTP_X_FORWARDED_FOR="192.0.2.9").status_code == 429
        assert call(behind_same, ORACLE_ECHO, HTTP_X_FORWARDED_FOR="192.0.2.10").status_code == 200
    finally:
        settings.REST_FRAMEWORK = {k: v for k, v in settings.REST_FRAMEWORK.items() if k != "NUM_PROXIES"}
        api_settings.reload()


PASSWORD_CHANGE = "/admin/password_change/"


def test_admin_password_change_counts_wrong_old_passwords_and_locks(django_user_model, later):
    """Issue 21 (Low): the old-password check of /admin/password_change/ is throttled like a login."""
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")
    client = APIClient()
    client.login(username="boss", password="boss-password")
    change = {"new_password1": "A-new-pass-9731", "new_password2": "A-new-pass-9731"}
    responses = [client.post(PASSWORD_CHANGE, {**change, "old_password": f"guess-{n}"}) for n in range(12)]
    statuses = [r.status_code for r in responses]
    assert statuses == [200] * 10 + [429] * 2, statuses  # the form with its error, then locked
    assert "Too many failed password checks" in responses[-1].content.decode()
    assert responses[-1]["Retry-After"]
    # Locked: the right old password is refused too, and so is a login with the username, until the lock ends.
    assert client.post(PASSWORD_CHANGE, {**change, "old_password": "boss-password"}).status_code == 429
    assert APIClient().post(ADMIN_LOGIN, {"username": "boss", "password": "boss-password"}).status_code == 429
    later()
    response = client.post(PASSWORD_CHANGE, {**change, "old_password": "boss-password"})
    assert response.status_code == 302 and response["Location"].endswith("/password_change/done/")


def test_admin_password_change_other_form_errors_are_not_counted(django_user_model):
    """New passwords that do not match are a form error, but no wrong password: nothing is counted."""
    django_user_model.objects.create_superuser("boss", "boss@example.com", "boss-password")
    client = APIClient()
    client.login(username="boss", password="boss-password")
    mismatch = {"old_password": "boss-password", "new_password1": "A-new-pass-9731", "new_password2": "other-9731"}
    assert {client.post(PASSWORD_CHANGE, mismatch).status_code for _ in range(15)} == {200}
    assert client.get(PASSWORD_CHANGE).status_code == 200


def test_admin_password_change_still_needs_a_staff_session(django_user_model):
    assert APIClient().post(PASSWORD_CHANGE, {"old_password": "x"}).status_code == 302  # to the login page
