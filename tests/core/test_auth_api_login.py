"""The analyst's browser path (issue 24): the API's login page lets a non-staff analyst in (the admin still does
not), a browser that is not logged in gets an HTML 401 with a link to it instead of the Basic prompt, scripts keep
their JSON 401 and challenge, and a session still needs the CSRF token for every unsafe method."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client, override_settings

LOGIN = "/api-auth/login/"
LOGOUT = "/api-auth/logout/"
LIST = "/api/outages/events/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what Chromium sends

pytestmark = pytest.mark.django_db


def _csrf(client: Client, path: str) -> str:
    page = client.get(path, HTTP_ACCEPT=BROWSER)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


def _log_in(client: Client, username: str, password: str, next_url: str = LIST):
    token = _csrf(client, f"{LOGIN}?next={next_url}")
    return client.post(
        LOGIN, {"username": username, "password": password, "next": next_url, "csrfmiddlewaretoken": token}
    )


def test_a_browser_gets_an_html_401_with_a_login_link_not_the_basic_prompt():
    answer = Client().get(f"{LIST}?state=active", HTTP_ACCEPT=BROWSER)
    assert answer.status_code == 401
    assert answer["Content-Type"].startswith("text/html")
    assert not answer["WWW-Authenticate"].startswith("Basic")  # a browser answers Basic with its prompt
    assert answer["WWW-Authenticate"].startswith("Cookie ")
    page = answer.content.decode()
    assert 'id="login-required"' in page
    assert f"{LOGIN}?next=/api/outages/events/%3Fstate%3Dactive" in page


@pytest.mark.parametrize(
    ("path", "next_url"),
    [
        ("/api/webhooks/subscriptions/", "/api/webhooks/subscriptions/"),  # browsable
        ("/api/blackouts/preview/", "%2Fapi%2Fblackouts%2Fpreview%2F"),  # JSON only: a small HTML page
    ],
)
def test_every_api_view_answers_a_browser_the_html_401(path, next_url):
    answer = Client().get(path, HTTP_ACCEPT=BROWSER)
    assert answer.status_code == 401
    assert answer["Content-Type"].startswith("text/html")
    assert 'id="login-link"' in answer.content.decode()
    assert f'{LOGIN}?next={next_url}"' in answer.content.decode()
    assert not answer["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_scripts_keep_their_json_401_and_basic_challenge(accept):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    answer = Client().get(LIST, **headers)
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "Authentication credentials were not provided."}
    assert answer["WWW-Authenticate"].startswith("Basic")


def test_a_wire_family_keeps_its_envelope_for_a_browser():
    """A vendor family answers in its envelope (JSON or XML) with its own challenge, whoever asks."""
    answer = Client().get("/rest/apis/customer/service/outageEvent/search", HTTP_ACCEPT=BROWSER)
    assert answer.status_code == 401
    assert not answer["Content-Type"].startswith("text/html")
    assert answer["WWW-Authenticate"].startswith("Basic")


def test_the_non_staff_analyst_logs_in_for_the_api_and_still_not_the_admin(analyst_user):
    assert not analyst_user.is_staff
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"{LOGIN}?next={LIST}")
    assert page.status_code == 200 and 'id="api-login"' in page.content.decode()
    answer = _log_in(client, "analyst", "analyst-password")
    assert answer.status_code == 302 and answer["Location"] == LIST
    listed = client.get(LIST, HTTP_ACCEPT=BROWSER)
    assert listed.status_code == 200
    html = listed.content.decode()
    assert "&quot;count&quot;" in html
    assert LOGOUT in html  # the browsable API's Log out link
    assert client.get(LIST).json()["count"] == 0  # and the same session for JSON
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")
    assert client.get("/admin/outages/outageevent/").status_code == 302


def test_after_logging_in_without_next_the_front_door_opens(analyst_user):
    client = Client()
    answer = client.post(LOGIN, {"username": "analyst", "password": "analyst-password"})
    assert answer.status_code == 302 and answer["Location"] == "/api/"


def test_a_logged_out_browser_page_links_the_login_page():
    html = Client().get("/api/", HTTP_ACCEPT=BROWSER).content.decode()
    assert f"{LOGIN}?next=/api/" in html


def test_a_wrong_password_is_the_form_again():
    client = Client()
    answer = client.post(LOGIN, {"username": "analyst", "password": "nope"})
    assert answer.status_code == 200
    assert "correct username and password" in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_login_form_needs_its_csrf_token(analyst_user):
    client = Client(enforce_csrf_checks=True)
    answer = client.post(LOGIN, {"username": "analyst", "password": "analyst-password"})
    assert answer.status_code == 403
    assert "_auth_user_id" not in client.session


def test_logging_out_is_a_post_with_its_token(analyst_user):
    client = Client(enforce_csrf_checks=True)
    _log_in(client, "analyst", "analyst-password")
    assert client.post(LOGOUT).status_code == 403  # no token: still logged in
    assert client.get(LIST).status_code == 200
    token = _csrf(client, "/api/")
    answer = client.post(LOGOUT, {"csrfmiddlewaretoken": token})
    assert answer.status_code == 302 and answer["Location"] == "/api/"
    assert client.get(LIST).status_code == 401


def test_a_session_still_needs_the_csrf_token_for_an_unsafe_method(django_user_model):
    operator = django_user_model.objects.create_user("op", password="op-password", is_staff=True)
    operator.groups.add(Group.objects.get(name="operator"))
    client = Client(enforce_csrf_checks=True)
    _log_in(client, "op", "op-password", next_url="/api/webhooks/subscriptions/")
    assert client.get("/api/webhooks/subscriptions/").status_code == 200
    body = {"target_url": "https://gis.example.com/hooks", "event_types": ["outage.etr_changed"]}
    refused = client.post("/api/webhooks/subscriptions/", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/webhooks/subscriptions/", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 201, accepted.content


@override_settings(AUTH_FAILURE_USER_LIMIT=3, AUTH_FAILURE_ADDRESS_LIMIT=20, AUTH_LOCKOUT_SECONDS=900)
def test_failed_logins_at_the_api_login_are_counted_like_the_admin_s(analyst_user):
    client = Client()
    statuses = [client.post(LOGIN, {"username": "analyst", "password": f"guess-{n}"}).status_code for n in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    locked = client.post(LOGIN, {"username": "analyst", "password": "analyst-password"})
    assert locked.status_code == 429 and locked["Retry-After"]
    assert 'id="login-locked"' in locked.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(LOGIN).status_code == 200  # the page itself still opens
