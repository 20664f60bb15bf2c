"""A large import in a real browser, run by a real Celery worker: upload → the dry run in the background with its
progress bar moving → the report → confirm → the import in the background, its bar moving → the result and its
downloadable report.

The admin runs in gunicorn and the job in ``celery worker``, separate processes sharing the database and the media
folder, as in production (``tests/faults/cluster.py``): on PostgreSQL the test database, on SQLite a migrated
database file of the test's own (the test database is in memory, out of another process's reach). The broker is
Redis when ``REDIS_URL`` names one, else the file broker in the test's own folder. The file is large enough (above
a small ``IMPORT_ASYNC_THRESHOLD``) for each stage to take many progress polls (``IMPORT_PROGRESS_POLL_SECONDS``
set small); nothing sleeps, in the test or the product. The page records every value its bar shows, so the test
reads what a person would have seen, however late it looks.
"""

import csv
import json
import os
import re
import subprocess
import sys

import pytest
from django.db import connection

from tests.conftest import _redis_up
from tests.faults.cluster import Cluster
from tests.worker import BASE_DIR, _database_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(1200)]

ROWS = 100_000  # about 5 MB of JSON Lines: seconds of work per stage even on a fast machine
WAIT_MS = 600_000  # per stage, on a loaded 2-core machine
PASSWORD = "root-password"

# Every value the progress bar shows, kept across the reload at the end of each stage (sessionStorage).
RECORD_BAR = """
document.addEventListener("DOMContentLoaded", function () {
  var bar = document.getElementById("import-bar");
  var percent = document.getElementById("import-percent");
  if (!bar || !percent) { return; }
  function record() {
    var seen = JSON.parse(sessionStorage.getItem("bar") || "[]");
    seen.push({
      value: Number(bar.value),
      rows: Number(document.getElementById("import-rows").textContent),
      status: document.getElementById("import-status").textContent,
      stage: document.getElementById("import-stage").textContent,
    });
    sessionStorage.setItem("bar", JSON.stringify(seen));
  }
  record();
  new MutationObserver(record).observe(percent, {childList: true, characterData: true, subtree: true});
});
"""


def _manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def stack(tmp_path):
    """gunicorn and a Celery worker on one database, one broker and one media folder (the cluster, with ``url``)."""
    postgres = connection.vendor == "postgresql"
    cluster = Cluster(
        database_url=_database_url() if postgres else f"sqlite:///{tmp_path / 'db.sqlite3'}",
        broker_url=os.environ["REDIS_URL"] if _redis_up() else "filesystem://localhost/",
        extra_env={
            "VAR_DIR": str(tmp_path / "var"),  # media (the uploads) and the file broker's folders
            "IMPORT_ASYNC_THRESHOLD": "1000",
            "IMPORT_PROGRESS_POLL_SECONDS": "0.1",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        },
    )
    try:
        if not postgres:
            _manage(cluster.env, "migrate", "--noinput", "-v0")
        _manage(cluster.env, "createsuperuser", "--noinput", "--username", "root", "--email", "root@example.com")
        url = cluster.web()
        cluster.worker()
        cluster.wait_ready(timeout=180)
        cluster.url = url
        yield cluster
    finally:
        cluster.close()
        # Shown when the test fails: what the web and the worker did.
        print("--- web ---\n", cluster.logs("web")[-4000:], "\n--- worker ---\n", cluster.logs("worker")[-8000:])
        for process in cluster.processes:
            process.log_path.unlink(missing_ok=True)


def _bar_values(page) -> list[dict]:
    return json.loads(page.evaluate("sessionStorage.getItem('bar') || '[]'"))


def test_a_large_import_runs_on_a_real_worker_and_the_progress_bar_moves(browser, stack, tmp_path):
    path = tmp_path / "premises.jsonl"
    with path.open("w") as out:
        for i in range(ROWS):
            out.write(json.dumps({"cis_premise_id": f"P-{i:07d}", "city": f"Town {i}", "state": "CA"}) + "\n")

    context = browser.new_context(base_url=stack.url, accept_downloads=True)
    context.add_init_script(RECORD_BAR)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto("/admin/login/")
        page.fill("#id_username", "root")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")

        page.goto("/admin/enrollments/premise/")
        page.click("#import-file")
        page.wait_for_url("**/admin/enrollments/premise/import/")
        page.set_input_files("input[type=file]", str(path))
        page.click("#import-upload")
        page.wait_for_url("**/admin/enrollments/premise/import/*/")
        assert page.locator("#import-bar").count() == 1, "a large file: the background page with its bar"

        # The dry run: the page polls, the bar moves, the page reloads with the report.
        page.wait_for_selector("#import-confirm", timeout=WAIT_MS)
        page.wait_for_load_state()  # the recorder's last entry is written at DOMContentLoaded
        dry_run = _bar_values(page)
        assert "Dry run: nothing has been written" in page.inner_text("#import-report")
        assert page.inner_text("#count-created") == str(ROWS)
        assert page.locator("#import-bar").get_attribute("value") == "100"

        page.evaluate("sessionStorage.setItem('bar', '[]')")
        page.click("#import-confirm")
        page.wait_for_selector("#import-summary >> text=Applied.", timeout=WAIT_MS)
        page.wait_for_load_state()
        applied = _bar_values(page)
        assert f"Applied. {ROWS:,} rows: {ROWS:,} created, 0 updated" in page.inner_text("#import-summary")
        assert page.locator("#import-bar").get_attribute("value") == "100"

        for stage, seen in (("dry run", dry_run), ("import", applied)):
            running = [s["value"] for s in seen if s["status"] in ("Running", "RUNNING")]
            assert running == sorted(running), f"the {stage}'s bar never goes back: {running}"
            assert seen[-1]["value"] == 100, f"the {stage} ends at 100%: {seen}"
        moving = [
            s for s in dry_run + applied if s["status"] in ("Running", "RUNNING") and 0 < s["value"] < 100 and s["rows"]
        ]
        assert moving, f"no intermediate value seen: dry run {dry_run}, import {applied}"

        with page.expect_download() as download:
            page.click("#import-report-download")
        rows = list(csv.reader(download.value.path().open(encoding="utf-8")))
        assert rows[0] == ["line", "column", "reason"]
        assert rows[1][2].startswith(f"Applied. {ROWS:,} rows: {ROWS:,} created")

        page.goto("/admin/enrollments/premise/")
        assert f"{ROWS} premises" in page.inner_text(".paginator")
    finally:
        context.close()
    ran = re.findall(r"Task core\.tasks\.run_import\[\S+\] succeeded", stack.logs("worker"))
    assert len(ran) == 2, "both stages ran on the worker"
