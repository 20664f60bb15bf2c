"""Shared fixtures: service gates (skip without the service, fail under REQUIRE_SERVICES=1), users, clients."""

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from tests import fast_teardown

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses that without this.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}
# CI's SQLite pass runs the browser tests (and the PostgreSQL pass leaves them out): a missing browser must fail it.
REQUIRE_BROWSER = REQUIRE_SERVICES or os.environ.get("REQUIRE_BROWSER", "") in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

fast_teardown.install()  # a transactional test's teardown at the cost of the rows it wrote (tests/fast_teardown.py)


def _redis_up() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _service_missing(marker: str) -> str | None:
    if marker == "postgres" and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL (DATABASE_URL)"
    if marker in ("redis", "worker") and not _redis_up():
        return "needs Redis (REDIS_URL)"
    if marker == "browser":
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "needs playwright"
        if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
            return f"needs Debian's chromium at {CHROMIUM}"
    return None


# CI divides the work between its passes (.ci/run): these run in the SQLite pass only; the Schemathesis walk and
# the service markers' tests in the PostgreSQL pass only. A test with one of each would run in neither.
SQLITE_PASS_ONLY = {"browser", "docs"}
POSTGRES_PASS_ONLY = {"schemathesis", "postgres", "redis", "worker"}


def pytest_collection_modifyitems(items):
    for item in items:
        names = {mark.name for mark in item.iter_markers()}
        if names & SQLITE_PASS_ONLY and names & POSTGRES_PASS_ONLY:
            raise pytest.UsageError(
                f"{item.nodeid} is marked {sorted(names & SQLITE_PASS_ONLY)} (CI's SQLite pass only) and "
                f"{sorted(names & POSTGRES_PASS_ONLY)} (its PostgreSQL pass only): no CI pass would run it "
                "(docs/testing.md, 'CI')"
            )


def pytest_runtest_setup(item):
    for name in ("postgres", "redis", "worker", "browser"):
        if item.get_closest_marker(name) is None:
            continue
        reason = _service_missing(name)
        if reason:
            if REQUIRE_SERVICES or (name == "browser" and REQUIRE_BROWSER):
                pytest.fail(f"REQUIRE_SERVICES=1 (or REQUIRE_BROWSER=1) but this test {reason}")
            pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: no credentials remembered, no failed logins counted."""
    from django.core.cache import cache

    from blackouts import active_set, selectors
    from core.changes import recording

    def forget():
        cache.clear()
        recording._invalidate()  # and no webhook subscriptions remembered from another test
        active_set.forget()  # nor active blackout policies (a test's policies written by factories, not services)
        selectors.forget_search_totals()

    forget()
    yield
    forget()


@pytest.fixture(autouse=True)
def _subscriptions_cached_for_the_test(settings):
    """The enabled webhook subscriptions are cached per process for a few seconds; in a test, for its whole length
    (a change in this process invalidates them at once), so statement budgets do not depend on the clock."""
    settings.WEBHOOKS_SUBSCRIPTION_CACHE_SECONDS = 3600


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run eagerly in tests, except where a test starts a real worker (see tests/worker.py)."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", "root-password")


@pytest.fixture
def plain_user(django_user_model):
    """Authenticated, member of no group: every wire write answers 403."""
    return django_user_model.objects.create_user("nobody", "nobody@example.com", "nobody-password")


@pytest.fixture
def integration_user(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("oms", "oms@example.com", "oms-password")
    user.groups.add(Group.objects.get(name="integration"))
    return user


@pytest.fixture
def analyst_user(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("analyst", "analyst@example.com", "analyst-password")
    user.groups.add(Group.objects.get(name="analyst"))
    return user


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def integration_client(integration_user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(integration_user)
    return client


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        executable = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
        browser = pw.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def admin_page(browser, live_server, superuser):
    """A Playwright page logged in to the admin as a superuser."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "root-password")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    yield page
    context.close()


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """`make run`'s demo data, loaded once for a test module inside a transaction rolled back at its end (each test
    runs in a savepoint inside it)."""
    import io

    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                call_command("load_demo", stdout=io.StringIO())
                yield
                raise _Rollback
        except _Rollback:
            pass
