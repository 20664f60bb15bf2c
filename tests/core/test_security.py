"""JSON errors under /api/ (issue 15 item 9) and the installation's own secret key (item 11)."""

import json
import runpy
import stat
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from core.wire import views
from tests.core import auth_helpers
from tests.core.auth_helpers import ANALYST_LIST, REFRESH, TOKEN

echo_user = auth_helpers.echo_user  # the fixture

pytestmark = pytest.mark.urls("tests.core.auth_urls")

BASE_DIR = Path(__file__).resolve().parents[2]


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body.get("detail"), str), body
    assert "Traceback" not in response.content.decode()
    return body


@pytest.fixture
def boom(monkeypatch):
    """Makes the analyst lists and the token serializer fail as an unexpected bug would."""
    from core import auth_views
    from core.lists import api as analyst

    def fail(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(analyst.AnalystViewSet, "filter_queryset", fail)
    monkeypatch.setattr(auth_views.TokenObtainPairSerializer, "validate", fail)
    monkeypatch.setattr(auth_views.TokenRefreshSerializer, "validate", fail)


@pytest.mark.parametrize("debug", [False, True])
def test_analyst_server_error_is_json(echo_user, boom, debug):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(echo_user)
    with override_settings(DEBUG=debug):
        body = assert_json_error(client.get(ANALYST_LIST), 500)
    assert "secret internals" not in json.dumps(body)


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", [TOKEN, REFRESH])
def test_token_endpoint_server_error_is_json(db, boom, debug, path):
    client = APIClient(raise_request_exception=False)
    with override_settings(DEBUG=debug):
        body = assert_json_error(client.post(path, {"username": "a", "password": "b", "refresh": "c"}), 500)
    assert "secret internals" not in json.dumps(body)


@pytest.mark.parametrize("path", [TOKEN, REFRESH])
def test_json_nested_far_too_deep_is_a_json_400(db, path):
    body = b"[" * 100_000 + b"]" * 100_000
    response = APIClient(raise_request_exception=False).post(path, data=body, content_type="application/json")
    assert_json_error(response, 400)


def test_token_endpoint_4xx_are_json(db):
    client = APIClient()
    assert_json_error(client.post(TOKEN, {"username": "nobody", "password": "x"}), 401)
    assert "username" in client.post(TOKEN, {}, format="json").json()
    assert_json_error(client.get(TOKEN), 405)
    assert_json_error(client.post(TOKEN, data="x", content_type="text/plain"), 415)
    assert_json_error(client.post(REFRESH, {"refresh": "nonsense"}), 401)


def test_analyst_4xx_are_json(echo_user):
    assert_json_error(APIClient().get(ANALYST_LIST), 401)
    client = APIClient()
    client.force_authenticate(echo_user)
    assert_json_error(client.get("/api/contacts/contacts/999999999/"), 404)
    assert_json_error(client.get("/api/no/such/list/"), 404)


@pytest.mark.parametrize("path", ["/api/contacts/contacts/", "/api/auth/token/", "/api/anything"])
def test_the_500_handler_answers_json_under_api(path):
    response = views.server_failure(RequestFactory().get(path))
    assert_json_error(response, 500)


@pytest.mark.parametrize(
    ("handler", "status"), [(views.bad_request, 400), (views.permission_denied, 403), (views.not_found, 404)]
)
def test_the_4xx_handlers_answer_json_under_api(handler, status):
    response = handler(RequestFactory().get("/api/contacts/contacts/"), Exception("x"))
    assert_json_error(response, status)


def test_the_4xx_handlers_answer_in_the_family_envelope_under_a_vendor_prefix():
    from core.wire.oracle import MESSAGE_NUMBERS

    request = RequestFactory().get("/rest/apis/anything")
    response = views.bad_request(request, Exception("x"))
    assert response.status_code == 400
    assert json.loads(response.content)["serverMessage"]["messageNbr"] == MESSAGE_NUMBERS["malformed"]
    assert views.permission_denied(request, Exception("x")).status_code == 403


def test_the_handlers_keep_django_pages_elsewhere():
    response = views.server_failure(RequestFactory().get("/admin/"))
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


# --- The installation's secret key ------------------------------------------------------------------------
@pytest.fixture
def settings_in(monkeypatch):
    """The settings a fresh `make run` (DEBUG=1, no SECRET_KEY) computes with a given var/ directory."""

    def compute(var_dir: Path, **env) -> dict:
        for name in ("SECRET_KEY", "JWT_SIGNING_KEY", "REDIS_URL", "CACHE_URL", "DATABASE_URL"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("DEBUG", "1")
        monkeypatch.setenv("TESTING", "0")
        monkeypatch.setenv("VAR_DIR", str(var_dir))
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        namespace = runpy.run_path(str(BASE_DIR / "config" / "settings.py"))
        return {
            "secret": namespace["SECRET_KEY"],
            "jwt": namespace["SIMPLE_JWT"]["SIGNING_KEY"],
            "cache": namespace["CACHES"]["default"]["BACKEND"],
        }

    return compute


def test_development_secret_key_is_random_per_installation_and_kept_under_var(tmp_path, settings_in):
    first, second = tmp_path / "one", tmp_path / "two"
    keys_one = settings_in(first)
    keys_two = settings_in(second)
    assert keys_one["secret"] != keys_two["secret"]
    assert len(keys_one["secret"]) >= 50
    assert keys_one["jwt"] == keys_one["secret"]  # JWTs are signed with the installation's key
    kept = first / "secret-key"
    assert kept.read_text().strip() == keys_one["secret"]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert settings_in(first)["secret"] == keys_one["secret"]  # stable across restarts


def test_an_explicit_secret_and_signing_key_win(tmp_path, settings_in):
    keys = settings_in(tmp_path, SECRET_KEY="from-the-environment", JWT_SIGNING_KEY="jwt-key")
    assert keys == {**keys, "secret": "from-the-environment", "jwt": "jwt-key"}
    assert not (tmp_path / "secret-key").exists()


def test_no_constant_key_in_the_settings_source():
    source = (BASE_DIR / "config" / "settings.py").read_text()
    assert "insecure-development-key" not in source


def test_redis_is_the_cache_when_configured(tmp_path, settings_in):
    """Credentials cache and failure counters are shared by every process when Redis is configured."""
    keys = settings_in(tmp_path, REDIS_URL="redis://127.0.0.1:6379/8")
    assert keys["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert settings_in(tmp_path)["cache"] == "django.core.cache.backends.locmem.LocMemCache"
