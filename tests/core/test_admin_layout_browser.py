"""The admin at 1400 px in a real browser (Debian's chromium): the calendar's day headers side by side, wide lists
scroll sideways instead of cutting columns, a dashboard link's filter shown on the list it opens, the product's
name in the header. Screenshots go to ``$VAR_DIR/shots`` (and the test's tmp_path) for a reviewer."""

import io
import itertools
import os
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 1400


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def wide_page(browser, live_server, superuser):
    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "root-password")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    yield page
    context.close()


def _shot(page, tmp_path, name: str) -> None:
    shots = Path(os.environ.get("VAR_DIR", str(tmp_path))) / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    for target in (tmp_path / f"{name}.png", shots / f"{name}.png"):
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 0


def test_calendar_day_headers_do_not_overlap(demo, wide_page, tmp_path):
    page = wide_page
    page.goto("/admin/blackouts/blackoutpolicy/calendar/")
    page.wait_for_selector("#blackout-calendar")
    _shot(page, tmp_path, "calendar-1400")
    boxes = page.eval_on_selector_all(
        ".bo-days .bo-day",
        "els => els.map(e => { const r = e.getBoundingClientRect(); "
        "return {left: r.left, right: r.right, text: e.scrollWidth, room: e.clientWidth}; })",
    )
    assert len(boxes) == 14
    for before, after in itertools.pairwise(boxes):
        assert before["right"] <= after["left"] + 0.5, (before, after)
    assert all(box["text"] <= box["room"] for box in boxes), boxes  # every label fits its day, none cut


def test_wide_lists_scroll_instead_of_cutting_columns(demo, wide_page, tmp_path):
    page = wide_page
    for name, url in (
        ("changes-list-1400", "/admin/changes/change/"),
        ("outages-list-1400", "/admin/outages/outageevent/"),
    ):
        page.goto(url)
        page.wait_for_selector("#result_list")
        _shot(page, tmp_path, name)
        layout = page.evaluate(
            """() => {
                const table = document.querySelector('#result_list');
                const box = table.closest('.results');
                const last = table.querySelector('thead th:last-child').getBoundingClientRect();
                const page = document.documentElement;
                return {scroll: box.scrollWidth, room: box.clientWidth, overflow: getComputedStyle(box).overflowX,
                        boxHeight: box.getBoundingClientRect().height, screen: window.innerHeight,
                        lastWidth: last.width, pageScroll: page.scrollWidth, pageRoom: page.clientWidth};
            }"""
        )
        assert layout["pageScroll"] <= layout["pageRoom"], layout  # the page itself never scrolls sideways
        if layout["scroll"] > layout["room"]:  # wider than the room: the list scrolls, its scrollbar on screen
            assert layout["overflow"] in ("auto", "scroll") and layout["boxHeight"] < layout["screen"], layout
        assert layout["lastWidth"] > 20, layout


def test_a_dashboard_link_shows_the_filter_it_applied(demo, wide_page, tmp_path):
    page = wide_page
    page.goto("/admin/")
    page.wait_for_selector("#operations-dashboard")
    page.locator(".dash-figure", has_text="ETRs missed").locator("a").first.click()
    page.wait_for_selector("#changelist")
    _shot(page, tmp_path, "etrs-missed-1400")
    shown = page.inner_text("#applied-filters")
    assert "ETR before" in shown, shown
    page.locator("#applied-filters a").first.click()  # removing it widens the list
    page.wait_for_selector("#changelist")
    assert "estimated_restoration_time__lt" not in page.url and page.locator("#applied-filters").count() == 0


def test_the_product_name_heads_the_login_page(browser, live_server, tmp_path):
    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": 700})
    page = context.new_page()
    page.goto("/admin/login/")
    _shot(page, tmp_path, "login-1400")
    assert "Utility & telecom back office" in page.inner_text("#site-name")
    assert "Django" not in page.title() and "Django administration" not in page.content()
    context.close()


def test_a_policy_is_made_with_the_timeframe_fields_and_previewed(wide_page, tmp_path):
    """Staff fill the timeframe in fields (no JSON): the rows follow the recurrence, the preview reads the fields,
    and saving stores the wire's timeframeDetails."""
    from blackouts.models import BlackoutPolicy

    page = wide_page
    page.goto("/admin/blackouts/blackoutpolicy/add/")
    page.wait_for_selector(".timeframe-editor")
    assert not page.locator("[data-when='weekly']").is_visible()  # daily: no days of the week
    assert not page.locator("details.tf-advanced textarea").is_visible()  # the JSON: collapsed
    page.fill("#id_name", "browser-weekly")
    page.fill("#id_execution_order", "5")
    page.fill("#id_selector_criteria", "class equals 'DB'")
    page.select_option("select[name=timeframe_recurrence]", "weekly")
    assert page.locator("[data-when='weekly']").is_visible() and not page.locator("[data-when='daily']").is_visible()
    page.fill("input[name=timeframe_start_date]", "2030-01-06")
    page.fill("input[name=timeframe_start_time]", "22:00")
    page.fill("input[name=timeframe_end_time]", "23:30")
    page.select_option("select[name=timeframe_zone]", "Europe/Paris")
    page.get_by_label("Tuesday").check()
    page.get_by_label("Thursday").check()
    page.get_by_label("After a number of windows").check()
    page.fill("input[name=timeframe_occurrences]", "4")
    page.click("#policy-preview-button")
    page.wait_for_selector("#policy-preview table, #policy-preview .errorlist")
    _shot(page, tmp_path, "policy-editor-1400")
    assert "22:00" in page.inner_text("#policy-preview")
    page.click("input[name=_save]")
    page.wait_for_url("**/blackoutpolicy/")
    stored = BlackoutPolicy.objects.get(name="browser-weekly").timeframe
    assert stored["recurrencePattern"] == {"recurrence": "weekly", "details": {"daysOfWeek": [3, 5]}}
    assert stored["endsOn"] == {"occurrences": 4} and stored["timeZone"] == {"id": "Europe/Paris"}
