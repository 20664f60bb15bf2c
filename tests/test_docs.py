"""The docs cannot rot: every curl example answers as shown, and the README's commands work in a new terminal.

Every ```sh block of README.md and docs/*.md is one curl and its expected status (``tests/docs_examples.py``).
Each runs with the system ``curl`` against pytest-django's ``live_server`` with ``make run``'s demo data and the
users ``oms``/``change-me`` (integration) and ``analyst``/``change-me`` (analyst); ``$TOKEN`` is a JWT of ``oms``;
``$ACCESS_KEY`` and ``$ACCESS_SECRET_KEY`` are an access key of ``oms`` and its secret (``manage.py
create_access_key oms --json``), ``$BMC_TOKEN`` and ``$BMC_JWT`` the refresh token and the ``json_web_token`` of its
login (``POST /ims/api/v1/access_keys/login``).
Pages run in document order, each on a fresh database with the demo data; one test per example, named
``<page>:<line>``. A list answered empty fails, unless its block says ``# no rows`` (``docs_examples.rows_in``).
"""

import io
import json
import os
import re
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from tests.docs_examples import DOCS_HOST, ROOT, Example, all_examples, fenced_blocks, rows_in

# The docs' examples hold on any database (CI runs them in its SQLite pass only: docs/testing.md, "CI").
pytestmark = pytest.mark.docs

EXAMPLES = all_examples()
EXAMPLES_BY_PAGE: dict[str, list[Example]] = {}
for _example in EXAMPLES:
    EXAMPLES_BY_PAGE.setdefault(_example.page, []).append(_example)

STATUS_MARK = re.compile(r"@@docs-test-status=(\d{3})@@")
CURL = shutil.which("curl")


@pytest.fixture(autouse=True)
def _tools_present():
    """The docs' commands need curl and make (.ci/run installs curl): a missing tool fails, it never skips."""
    assert CURL is not None, "the docs test needs the system curl: apt-get install -y curl"
    assert shutil.which("make") is not None, "the docs test needs make"


USERS = (("oms", "integration"), ("analyst", "analyst"))
PASSWORD = "change-me"


@pytest.fixture(autouse=True)
def _live_server_helper(request, django_db_setup, django_db_blocker, live_server):
    """Overrides pytest-django's helper of the same name, for this module only.

    pytest-django wraps every ``live_server`` test in ``transactional_db``, which empties the database after each
    test; the examples of a page build on one another (one creates what the next reads), so this module keeps the
    database between the examples of a page and resets it itself, once per page (``_page_state``).
    """
    live_server._live_server_modified_settings.enable()
    with django_db_blocker.unblock():
        yield
    live_server._live_server_modified_settings.disable()


@pytest.fixture(scope="module", autouse=True)
def _leave_an_empty_database(django_db_setup, django_db_blocker):
    """Empty the database after the module, as a transactional test would, so later tests start clean."""
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


class _PageState:
    page: str | None = None
    done: int = -1  # index of the last example run on the current page
    token: str = ""
    variables: dict[str, str] = {}  # what the examples' environment holds besides $TOKEN


def _post_json(live_server, path: str, payload: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310 - the live server's own http URL
        f"{live_server.url}{path}", data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy to the live server
    with opener.open(request, timeout=60) as response:
        return json.load(response)


def _access_key_variables(live_server) -> dict[str, str]:
    """An access key of ``oms`` (as ``manage.py create_access_key oms --json`` prints it) and its login's tokens."""
    out = io.StringIO()
    call_command("create_access_key", "oms", "--name", "docs", "--json", stdout=out)
    credentials = json.loads(out.getvalue())
    tokens = _post_json(live_server, "/ims/api/v1/access_keys/login", {**credentials, "tenant_id": "1"})
    return {
        "ACCESS_KEY": credentials["access_key"],
        "ACCESS_SECRET_KEY": credentials["access_secret_key"],
        "BMC_TOKEN": tokens["token"],
        "BMC_JWT": tokens["json_web_token"],
    }


def _empty_broker() -> None:
    """An empty broker too: a message an earlier test left would age past /healthz's limit. On Redis the test's
    database is emptied whole, not only the queues: a message a killed worker of a fault test held unacknowledged is
    put back on its queue (with its first send time) by the next consumer, after a purge of the queues."""
    from config.celery import app

    if str(app.conf.broker_url).startswith(("redis://", "rediss://", "unix://")):
        with app.connection_for_write() as connection:
            connection.default_channel.client.flushdb()
    else:
        app.control.purge()


def _fresh_database(live_server) -> str:
    """Empty database, demo data, the docs' two users and an access key of ``oms`` (``_PageState.variables``); the
    JWT of ``oms`` (``POST /api/auth/token/``)."""
    call_command("flush", interactive=False, verbosity=0)  # post_migrate recreates the groups and permissions
    _empty_broker()
    call_command("load_demo", stdout=io.StringIO())
    for username, group in USERS:
        user = User.objects.create_user(username, password=PASSWORD)
        user.groups.add(Group.objects.get(name=group))
    _PageState.variables = _access_key_variables(live_server)
    return _post_json(live_server, "/api/auth/token/", {"username": "oms", "password": PASSWORD})["access"]


@pytest.fixture(scope="module")
def curl_workdir(tmp_path_factory) -> Path:
    """The examples' working directory: the repository's entries linked (``-d @inventory/...`` works), but any
    file an example writes (``-o customers.csv``) lands here, not in the repository."""
    workdir = tmp_path_factory.mktemp("curl")
    for entry in ROOT.iterdir():
        if entry.name not in {".git", "var"}:
            (workdir / entry.name).symlink_to(entry)
    (workdir / "home").mkdir()
    return workdir


def _run_curl(example: Example, live_server, token: str, workdir: Path) -> tuple[int | None, str]:
    command = example.command.replace(DOCS_HOST, live_server.url)
    script = (
        "curl() { command curl --max-time 120 \"$@\" --write-out '\\n@@docs-test-status=%{http_code}@@\\n'; }\n"
        + command
    )
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir / "home"), "TOKEN": token}
    env.update(_PageState.variables)
    env["LC_ALL"] = "C.UTF-8"
    result = subprocess.run(
        ["bash", "-c", script], cwd=workdir, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    output = result.stdout + result.stderr
    statuses = STATUS_MARK.findall(result.stdout)
    return (int(statuses[-1]) if len(statuses) == 1 else None), STATUS_MARK.sub("", output).strip()


def _check(example: Example, live_server, token: str, workdir: Path) -> str | None:
    status, output = _run_curl(example, live_server, token, workdir)
    problem = None
    if status != example.status:
        problem = f"expected {example.status}, got {status}"
    elif status == 200:
        rows = rows_in(example.command, output)
        if rows == 0 and not example.no_rows:
            problem = "answered an empty list: an example shows rows on the demo data (or says `# no rows`)"
        elif example.no_rows and rows != 0:
            problem = f"says `# no rows` but answered {'no list' if rows is None else f'{rows} rows'}"
    if problem is None:
        return None
    return f"{example.id}: {problem}\n$ {example.command.replace(DOCS_HOST, live_server.url)}\n{output[:3000]}"


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_curl_example(example: Example, live_server, curl_workdir):
    if example.problem:
        pytest.fail(f"{example.id}: {example.problem}", pytrace=False)
    page = EXAMPLES_BY_PAGE[example.page]
    index = page.index(example)
    state = _PageState
    if state.page != example.page or state.done != index - 1:
        # A new page, or this example was selected alone: fresh database, then the examples above it replayed.
        state.page, state.done = example.page, -1
        state.token = _fresh_database(live_server)
        for earlier in page[:index]:
            failure = None if earlier.problem else _check(earlier, live_server, state.token, curl_workdir)
            state.done += 1
            if failure or earlier.problem:
                pytest.fail(f"an earlier example of the page failed: {failure or earlier.problem}", pytrace=False)
    elif not User.objects.filter(username="oms").exists():
        pytest.fail("the database was emptied between two examples of a page (is the helper override in effect?)")
    state.done = index
    failure = _check(example, live_server, state.token, curl_workdir)
    if failure:
        pytest.fail(failure, pytrace=False)


def test_every_page_is_checked():
    """The docs test sees the pages it must see, and they hold examples to run."""
    pages = set(EXAMPLES_BY_PAGE)
    assert {"README.md", "docs/wire-families.md", "docs/operations.md"} <= pages
    assert all(example.status for example in EXAMPLES if not example.problem)


# --- The README's commands, pasted into a new terminal ----------------------------------------------------------


def _readme_console_block(containing: str) -> str:
    blocks = fenced_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    matches = ["\n".join(b.lines) for b in blocks if b.language == "console" and containing in "\n".join(b.lines)]
    assert len(matches) == 1, f"README.md should show one console block with {containing!r}"
    return matches[0]


def _new_terminal(tmp_path: Path, **extra) -> dict[str, str]:
    """A new terminal's environment: no SECRET_KEY, no DEBUG, no DATABASE_URL (SQLite under ``VAR_DIR``)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C.UTF-8"}
    env["VAR_DIR"] = str(tmp_path / "var")  # the test's own data directory, never the developer's var/
    env["VENV_READY"] = ""  # the venv is installed already: `make` must not try to (re)install it
    return {**env, **extra}


def _bash(script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_readme_first_steps_work_in_a_new_terminal(tmp_path):
    env = _new_terminal(tmp_path)
    # Without `make manage`, manage.py refuses to run with DEBUG off and no SECRET_KEY: production stays safe.
    refused = _bash(".venv/bin/python manage.py check", env)
    assert refused.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in refused.stderr

    migrated = _bash('make manage ARGS="migrate --noinput -v0"', env)  # what `make run` did before
    assert migrated.returncode == 0, migrated.stderr

    create_users = _readme_console_block("make manage ARGS=shell")
    for _ in range(2):  # pasted twice: the second time only resets the passwords
        created = _bash(create_users, env)
        assert created.returncode == 0, created.stdout + created.stderr

    check = _bash(
        "make manage ARGS=shell <<'EOF'\n"
        "from django.contrib.auth.models import User\n"
        "for name, group in (('oms', 'integration'), ('analyst', 'analyst')):\n"
        "    user = User.objects.get(username=name)\n"
        "    print(name, user.check_password('change-me'), list(user.groups.values_list('name', flat=True)))\n"
        "EOF",
        env,
    )
    assert check.returncode == 0, check.stderr
    assert "oms True ['integration']" in check.stdout
    assert "analyst True ['analyst']" in check.stdout


def test_readme_token_command_works_in_a_new_terminal(tmp_path, live_server):
    _PageState.page = None  # the next example starts on a fresh database
    call_command("flush", interactive=False, verbosity=0)
    User.objects.create_user("oms", password=PASSWORD)
    token_command = _readme_console_block("TOKEN=$(curl").replace(DOCS_HOST, live_server.url)
    result = _bash(token_command + '\nprintf "%s" "$TOKEN"', _new_terminal(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(".") == 2, result.stdout + result.stderr  # a JWT: header.payload.signature
