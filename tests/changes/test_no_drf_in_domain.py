"""The domain cannot reach DRF at run time (issue 22, "dependencies visible"): a service of each app, run in a
process of its own with DRF, simplejwt, drf-spectacular and django-filter unimportable and their code uncallable
(``tests/changes/no_drf_domain.py``), writes and records its change and queues its events, unrendered; the events
are rendered by the delivery worker, by the renderers the apps' doors register. The control, the same write with
its events rendered inside it as ``record()`` once did, is caught."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {
    "outages": ["outage.created"],
    "contacts": ["contact.status_changed"],
    "enrollments": ["enrollment.unenrolled"],
    "blackouts": ["blackout.window_opened"],
    "inventory": ["service.created", "service.state_changed"],
}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    """Run the services in a fresh process, on a SQLite database of its own (what is proven is about imports and
    calls, not the database), with the broker replaced by a list."""
    var_dir = tmp_path_factory.mktemp("no-drf")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CACHE_URL", "PYTEST_CURRENT_TEST"}
    }
    env.update(TESTING="1", VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-m", "tests.changes.no_drf_domain"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("app", sorted(SERVICES))
def test_a_service_records_its_change_with_drf_unreachable(report, app):
    outcome = report[app]
    assert outcome["error"] == "", outcome
    assert outcome["drf_calls"] == [], outcome
    assert outcome["changes"], outcome  # the change is recorded...
    assert set(SERVICES[app]) <= set(outcome["events"]), outcome  # ... with its events
    # ... and queued for the listeners (a standard one, a TMF638 one), unrendered: rendering is the worker's
    assert outcome["deliveries"] >= 1 and outcome["unrendered"] == outcome["deliveries"], outcome


def test_the_control_rendering_inside_the_write_is_caught(report):
    control = report["control"]
    assert control["recorded"]
    assert control["import_refused"]  # a lazy import of DRF code inside the write fails
    assert any(call.startswith("rest_framework.serializers.") for call in control["drf_calls"]), control
