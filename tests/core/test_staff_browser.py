"""Real browser (Debian's chromium through Playwright): the operations dashboard, the analyst API's front door and
browsable lists, and the docs and admin pages working with no request leaving the server. Each test saves a
screenshot under its tmp output (``tmp_path``) for a reviewer to look at."""

import io
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


def _shot(page, tmp_path, name: str, *, full_page: bool = True) -> None:
    target = tmp_path / f"{name}.png"
    page.screenshot(path=str(target), full_page=full_page)
    assert target.stat().st_size > 0
    print(f"screenshot: {target}")


def test_each_dashboard_figure_equals_the_changelist_it_opens(demo, admin_page, tmp_path):
    page = admin_page
    page.goto("/admin/")
    page.wait_for_selector("#operations-dashboard")
    _shot(page, tmp_path, "dashboard")
    page.locator("#operations-dashboard").screenshot(path=str(tmp_path / "dashboard-panels.png"))  # docs/img/
    figures = page.locator("#operations-dashboard .dash-figure")
    found = [
        (figures.nth(i).locator("a").get_attribute("href"), int(figures.nth(i).locator(".dash-value").inner_text()))
        for i in range(figures.count())
    ]
    assert len(found) >= 12
    assert any(value for _, value in found), "the demo data shows something"
    assert page.locator("#operations-dashboard svg.dash-chart rect.dash-bar").count() == 24
    for index, (href, value) in enumerate(found):
        page.goto(href)
        page.wait_for_selector("#changelist")
        shown = page.locator("#changelist .paginator").inner_text()
        # The paginator ends with "N results (M total)" or "N <things>": N is counted on the filtered changelist.
        count = shown.strip().splitlines()[-1].split()[0]
        assert count == str(value), f"{href}: dashboard says {value}, the changelist says {shown!r}"
        if index == 0:
            _shot(page, tmp_path, "dashboard-first-link")


def _external_requests(page, live_server_url: str) -> list[str]:
    """Route every request of the page: those to another host are recorded and aborted."""
    local = urlsplit(live_server_url).netloc
    leaving: list[str] = []

    def handle(route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != local:
            leaving.append(url)
            route.abort()
        else:
            route.continue_()

    page.context.route("**/*", handle)
    return leaving


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/admin/", "#operations-dashboard"),
        ("/admin/blackouts/blackoutpolicy/add/", "#blackoutpolicy_form"),
        ("/api/docs/", ".swagger-ui .information-container"),
        ("/api/redoc/", "text=API docs by Redocly"),
        ("/", "#home"),
        ("/api/?format=api", ".response-info"),
    ],
)
def test_no_request_leaves_the_server(admin_page, live_server, tmp_path, path, ready):
    page = admin_page
    leaving = _external_requests(page, live_server.url)
    page.goto(path)
    page.wait_for_selector(ready)
    page.wait_for_load_state("networkidle")
    # The docs pages are very long: their first screen is enough.
    _shot(page, tmp_path, "offline" + path.replace("/", "-").replace("?", "-"), full_page=False)
    assert leaving == [], f"{path} asked another host for {leaving}"


def test_the_api_root_and_the_browsable_lists(demo, admin_page, tmp_path):
    page = admin_page
    page.goto("/")
    assert page.locator("#home a[href='/admin/']").count() == 1
    assert page.locator("#home a[href='/healthz']").count() == 1
    page.click("#home a[href='/api/']")
    page.wait_for_selector(".response-info")
    assert "/api/outages/events/" in page.locator(".response-info").inner_text()
    _shot(page, tmp_path, "api-root")

    # A browser's Accept gets the browsable API on an analyst list, logged in through the admin's session.
    page.goto("/api/outages/events/?state=active")
    page.wait_for_selector(".response-info")
    body = page.locator(".response-info").inner_text()
    assert '"count"' in body and '"results"' in body
    _shot(page, tmp_path, "api-outages-events")

    page.goto("/api/blackouts/events/?format=api&status=BLACKOUT")
    page.wait_for_selector(".response-info")
    assert '"count"' in page.locator(".response-info").inner_text()


def test_preview_an_unsaved_blackout_policy(admin_page, tmp_path):
    import json

    from blackouts.models import BlackoutPolicy
    from tests.factories.blackouts import EventFactory

    EventFactory(event_class="DB", identifier="db-browser", msg="disk full")
    timeframe = {
        "startDate": "27032027",
        "startTime": "01:00",
        "endTime": "02:00",
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
        "timeZone": {"id": "Europe/Paris"},
    }
    page = admin_page
    page.goto("/admin/blackouts/blackoutpolicy/add/")
    page.fill("#id_name", "not saved yet")
    page.fill("#id_selector_criteria", "class equals 'DB'")
    page.click(".tf-advanced summary")  # the timeframe as raw JSON: the editor's advanced option
    page.check("input[name=timeframe_advanced]")
    page.fill("textarea[name=timeframe]", json.dumps(timeframe))
    page.fill("#policy-preview-windows", "4")
    page.click("#policy-preview-button")
    page.wait_for_selector(".policy-preview-result[data-ok='1']")
    rows = page.locator("#policy-preview-windows-table tr.preview-window")
    assert rows.count() == 4
    assert "+0200" in rows.nth(2).inner_text() and "+0100" in rows.nth(0).inner_text()
    assert page.locator(".preview-matching").inner_text() == "1"
    assert "db-browser" in page.locator("#policy-preview-sample").inner_text()
    page.locator("#policy-preview").scroll_into_view_if_needed()
    _shot(page, tmp_path, "policy-preview")

    page.fill("#id_selector_criteria", "class equalz 'DB'")
    page.click("#policy-preview-button")
    page.wait_for_selector(".policy-preview-result[data-ok='0']")
    assert "selector_criteria" in page.locator("#policy-preview-errors").inner_text()
    assert not BlackoutPolicy.objects.exists()
