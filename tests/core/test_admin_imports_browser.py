"""Real browser: the Import button, upload → dry-run report → confirm → result, and a large file's background run
with its progress bar."""

import pytest

from enrollments.models import Premise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path / "media"}},
    }
    return tmp_path


def _upload(page, path):
    page.goto("/admin/enrollments/premise/")
    page.click("#import-file")
    page.wait_for_url("**/admin/enrollments/premise/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("#import-upload")
    page.wait_for_selector("#import-report")


def test_upload_dry_run_confirm_result(admin_page, media):
    Premise.objects.create(cis_premise_id="P-1", city="Old")
    path = media / "premises.csv"
    path.write_text("cis_premise_id,city,state\nP-1,New,CA\nP-2,Fresh,CA\nP-3,Bad,TOOLONGSTATE\n")
    page = admin_page
    _upload(page, path)
    assert page.inner_text("#count-refused") == "1"
    assert "TOOLONGSTATE" not in page.inner_text("#import-refusals")
    assert "state" in page.inner_text("#import-refusals") and "4" in page.inner_text("#import-refusals")
    assert page.locator("#import-confirm").count() == 0, "a refused row: nothing to confirm (all or nothing)"
    page.screenshot(path=str(media / "import-refused.png"))

    path.write_text("cis_premise_id,city,state\nP-1,New,CA\nP-2,Fresh,CA\n")
    _upload(page, path)
    assert "Dry run: nothing has been written" in page.inner_text("#import-report")
    assert (page.inner_text("#count-created"), page.inner_text("#count-updated")) == ("1", "1")
    assert Premise.objects.get().city == "Old"
    page.click("#import-confirm")
    page.wait_for_selector("text=Applied.")
    assert "Applied. 2 rows: 1 created, 1 updated" in page.inner_text("#import-summary")
    assert sorted(Premise.objects.values_list("city", flat=True)) == ["Fresh", "New"]
    page.screenshot(path=str(media / "import-applied.png"))


def test_a_large_file_runs_in_the_background_with_a_progress_bar(admin_page, media, settings):
    settings.IMPORT_ASYNC_THRESHOLD = 100
    path = media / "premises.jsonl"
    path.write_text("".join(f'{{"cis_premise_id": "P-{i}", "city": "Town {i}"}}\n' for i in range(500)))
    page = admin_page
    _upload(page, path)
    assert page.locator("#import-bar").count() == 1
    assert page.locator("#import-bar").get_attribute("value") == "100"
    assert page.inner_text("#count-created") == "500"
    page.click("#import-confirm")
    page.wait_for_selector("text=Applied.")
    assert page.locator("#import-bar").get_attribute("value") == "100"
    assert Premise.objects.count() == 500
    page.screenshot(path=str(media / "import-background.png"))
