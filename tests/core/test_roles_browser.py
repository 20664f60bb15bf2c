"""Each role walks its main tasks in a real browser (Debian's chromium through Playwright), on the demo data.

- **staff** (the README's ``admin``, a superuser): the operations dashboard and index, a changelist filtered and
  searched, a record's page, its History, a dashboard figure's changelist;
- **operator** (group ``operator`` with ``is_staff``, as docs/security.md says to create one): the admin pages
  the role opens and one admin action (*Mark selected outages discarded*);
- **analyst** (group ``analyst``, not staff, as the README creates it): logs in on the API's login page, opens
  an analyst list in the browsable API, filters it with its Filters form, downloads its CSV; the admin stays
  closed to them.

On every page visited: no answer of 500 or more (any request of the page), no ``[invalid name]``, no raw Python
repr (``{'``, ``[{'``, a cell or field showing ``None``). A screenshot per step goes to
``$VAR_DIR/screenshots/<role>/<nn>-<step>.png`` (docs/testing.md).
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from outages.models import OutageEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPRS = ("{'", "[{'", "<django.", " object at 0x")
BROWSER_TIMEOUT_MS = 20000


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())


class Walk:
    """A role's walk: every response of the page watched for a 5xx, each step checked and photographed."""

    def __init__(self, browser, base_url: str, role: str):
        self.role = role
        self.context = browser.new_context(
            base_url=base_url, accept_downloads=True, viewport={"width": 1400, "height": 900}
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(BROWSER_TIMEOUT_MS)
        self.failures: list[str] = []
        self.page.on("response", self._response)
        self.step_number = 0
        self.folder = settings.VAR_DIR / "screenshots" / role
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()

    def _response(self, response) -> None:
        if response.status >= 500:
            self.failures.append(f"{response.status} {response.url}")

    def goto(self, path: str) -> None:
        answer = self.page.goto(path)
        assert answer is not None and answer.status < 500, f"{self.role}: {path} answered {answer and answer.status}"

    def check(self, step: str, *, reprs: bool = True, full_page: bool = True) -> str:
        """The page as the user sees it: no server error, no ``[invalid name]``, no repr; then a screenshot."""
        page = self.page
        page.wait_for_load_state("domcontentloaded")
        text = page.locator("body").inner_text()
        where = f"{self.role} / {step} ({page.url})"
        assert not self.failures, f"{where}: server errors {self.failures}"
        assert "Server Error" not in text and "Traceback" not in text, where
        assert "[invalid name]" not in text, where
        if reprs:
            shown = [r for r in REPRS if r in text]
            assert not shown, f"{where}: a raw repr on screen ({shown})"
            cells = page.locator("td, th, .readonly, dd, .dash-value").all_inner_texts()
            assert "None" not in [c.strip() for c in cells], f"{where}: a value shown as None"
        self.step_number += 1
        target = self.folder / f"{self.step_number:02d}-{step}.png"
        page.screenshot(path=str(target), full_page=full_page)
        assert target.stat().st_size > 0
        return text

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def walk(browser, live_server):
    walks: list[Walk] = []

    def start(role: str) -> Walk:
        walks.append(Walk(browser, live_server.url, role))
        return walks[-1]

    yield start
    for one in walks:
        one.close()


def _admin_login(walk: Walk, username: str, password: str) -> None:
    walk.goto("/admin/login/")
    walk.page.fill("#id_username", username)
    walk.page.fill("#id_password", password)
    walk.page.click("input[type=submit]")
    walk.page.wait_for_url("**/admin/")


def test_staff_walks_the_admin(demo, walk, django_user_model):
    django_user_model.objects.create_superuser("admin", "admin@example.com", "admin-password")
    staff = walk("staff")
    page = staff.page
    _admin_login(staff, "admin", "admin-password")

    page.wait_for_selector("#operations-dashboard")
    text = staff.check("dashboard-and-index")
    assert "Outage events" in text
    figure = page.locator("#operations-dashboard .dash-figure a").first
    figure.click()
    page.wait_for_selector("#changelist")
    staff.check("dashboard-figure-changelist")

    # A changelist, filtered from its sidebar and searched.
    staff.goto("/admin/outages/outageevent/")
    page.wait_for_selector("#changelist")
    total = OutageEvent.objects.count()
    page.locator("#changelist-filter a[href*='state__exact=active']").first.click()
    page.wait_for_url(re.compile(r"state__exact=active"))
    active = OutageEvent.objects.filter(state="active").count()
    assert 0 < active < total
    assert page.locator("#result_list tbody tr").count() == min(active, 100)
    staff.check("changelist-filtered")
    searched = OutageEvent.objects.filter(state="active").order_by("pk").first()
    page.fill("#searchbar", searched.external_outage_id)
    page.locator("#changelist-search input[type=submit]").click()
    page.wait_for_url(re.compile(r"q="))
    assert "state__exact=active" in page.url  # the search keeps the filter
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 1 and searched.external_outage_id in rows.first.inner_text()
    staff.check("changelist-searched")

    # A record's page, then its History.
    rows.first.locator("th a, td a").first.click()
    page.wait_for_selector("#outageevent_form")
    staff.check("detail")
    page.locator("a.historylink").click()
    page.wait_for_url(re.compile(r"/history/"))
    staff.check("history")

    # A blackout policy's page and History: its timeframe is a nested value.
    staff.goto("/admin/blackouts/blackoutpolicy/")
    page.wait_for_selector("#changelist")
    staff.check("policies")
    page.locator("#result_list tbody tr").first.locator("th a").first.click()
    page.wait_for_selector("#blackoutpolicy_form")
    staff.check("policy-detail")
    page.locator("a.historylink").click()
    page.wait_for_url(re.compile(r"/history/"))
    staff.check("policy-history")

    # The change log, every object's changes on one list.
    staff.goto("/admin/changes/change/?object_type__exact=blackouts.blackoutpolicy")
    page.wait_for_selector("#changelist")
    staff.check("change-log")


def test_operator_walks_its_admin_pages_and_runs_an_action(demo, walk, django_user_model):
    operator_user = django_user_model.objects.create_user("operator", password="operator-password", is_staff=True)
    operator_user.groups.add(Group.objects.get(name="operator"))
    operator = walk("operator")
    page = operator.page
    _admin_login(operator, "operator", "operator-password")
    text = operator.check("index")
    for section in ("Outage events", "Customer contacts", "Blackout policies"):
        assert section in text, f"the operator's index lists {section}"

    for step, path, ready in (
        ("contacts", "/admin/contacts/customercontact/", "#changelist"),
        ("policies", "/admin/blackouts/blackoutpolicy/", "#changelist"),
        ("enrollments", "/admin/enrollments/enrollment/", "#changelist"),
        ("subscriptions", "/admin/changes/subscription/", "#changelist"),
    ):
        operator.goto(path)
        page.wait_for_selector(ready)
        operator.check(step)

    # The action: an active outage marked discarded, through the changelist's action menu.
    target = OutageEvent.objects.filter(state="active", discarded=False).order_by("pk").first()
    operator.goto(f"/admin/outages/outageevent/?q={target.external_outage_id}&state__exact=active")
    page.wait_for_selector("#changelist")
    operator.check("outages-before-action")
    page.locator(f"#result_list input.action-select[value='{target.pk}']").check()
    page.select_option("select[name=action]", "discard")
    page.locator("button[name=index], input[name=index]").first.click()
    page.wait_for_selector("ul.messagelist li")
    assert "1 outage discarded." in page.locator("ul.messagelist").inner_text()
    operator.check("outages-after-action")
    target.refresh_from_db()
    assert target.discarded and target.state == "discarded"


def test_analyst_logs_in_filters_and_exports_a_list(demo, walk, django_user_model):
    analyst_user = django_user_model.objects.create_user("analyst", password="change-me")
    analyst_user.groups.add(Group.objects.get(name="analyst"))
    analyst = walk("analyst")
    page = analyst.page

    # Not logged in: an HTML 401 with a link to log in (no Basic prompt: the page renders at all).
    answer = page.goto("/api/outages/events/")
    assert answer.status == 401
    assert not (answer.headers.get("www-authenticate") or "").startswith("Basic")
    page.wait_for_selector("#login-required")
    analyst.check("not-logged-in")

    page.click("#login-link")
    page.wait_for_selector("#api-login")
    analyst.check("login-page")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "change-me")
    page.click("input[type=submit]")
    page.wait_for_url("**/api/outages/events/")
    page.wait_for_selector(".response-info")
    text = analyst.check("list")
    assert '"count"' in text

    # Filter with the Filters form: every label a word, not [invalid name]; state=active.
    page.click("button[data-target='#filtersModal']")
    page.wait_for_selector("#filtersModal", state="visible")
    labels = page.locator("#filtersModal label").all_inner_texts()
    assert labels and not [label for label in labels if "[invalid name]" in label or "__" in label], labels
    analyst.check("filters-form", full_page=False)  # the dialog over the page
    page.select_option("#filtersModal select[name=state]", "active")
    page.locator("#filtersModal form button[type=submit], #filtersModal form input[type=submit]").first.click()
    page.wait_for_url(re.compile(r"state=active"))
    page.wait_for_selector(".response-info")
    active = OutageEvent.objects.filter(state="active").count()
    text = analyst.check("list-filtered")
    assert f'"count": {active}' in text

    # Export: the format menu's csv, a download of the filtered list.
    page.click(".format-selection button.dropdown-toggle")
    with page.expect_download() as download_info:
        page.click(".format-selection a.format-option[href*='format=csv']")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    lines = Path(download.path()).read_text(encoding="utf-8").strip().splitlines()
    assert len(lines) == active + 1  # the header, then the filtered rows
    analyst.check("after-export")

    # The admin stays closed to a non-staff analyst: its login page says so.
    analyst.goto("/admin/")
    page.wait_for_url(re.compile(r"/admin/login/"))
    assert "not authorized" in page.locator("body").inner_text()
    analyst.check("admin-refused")
