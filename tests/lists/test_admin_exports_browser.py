"""Real browser: the Export button downloads the filtered list; a large export shows its progress bar and link."""

import csv
import io

import pytest

from tests.factories.blackouts import EventFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_button_downloads_the_filtered_list(admin_page):
    EventFactory.create_batch(3, severity="CRITICAL", msg="disk full")
    EventFactory.create_batch(2, severity="MINOR", msg="cpu high")
    page = admin_page
    page.goto("/admin/blackouts/event/?severity__exact=CRITICAL")
    with page.expect_download() as info:
        page.click("#export-csv")
    rows = list(csv.reader(io.StringIO(open(info.value.path()).read())))  # noqa: SIM115
    assert len(rows) == 4
    assert {row[3] for row in rows[1:]} == {"CRITICAL"}


def test_large_export_shows_progress_and_a_download_link(admin_page, settings, tmp_path):
    settings.EXPORT_ASYNC_THRESHOLD = 2
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    EventFactory.create_batch(5, severity="MAJOR")
    page = admin_page
    page.goto("/admin/blackouts/event/")
    page.click("#export-xlsx")
    page.wait_for_url("**/admin/lists/exportjob/**")
    assert page.locator("#export-bar").get_attribute("value") == "100"
    assert "5 / 5" in page.inner_text("#export-rows")
    with page.expect_download() as info:
        page.click("#export-download a")
    assert info.value.suggested_filename == "blackouts-event.xlsx"
