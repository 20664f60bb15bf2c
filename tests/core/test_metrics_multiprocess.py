"""Several processes (gunicorn workers, Celery pool processes) on one machine add up through
PROMETHEUS_MULTIPROC_DIR: each writes its own counters, and whichever process answers /metrics sums them."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

COUNT = """
import django; django.setup()
from core import metrics
metrics.outcome("outage_messages", "refused", {n})
metrics.HTTP_REQUESTS.labels("oracle", "outage-event-notifications", "POST", "400").inc({n})
"""
SCRAPE = """
import django; django.setup()
from core import metrics
print(metrics.exposition().decode())
"""


def _run(code: str, multiproc_dir: Path) -> str:
    env = dict(
        os.environ, PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir), DJANGO_SETTINGS_MODULE="config.settings", TESTING="1"
    )
    env.pop("PYTEST_CURRENT_TEST", None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_counters_of_several_processes_add_up(tmp_path):
    for n in (2, 3, 5):  # three processes, one after the other (the files outlive them)
        _run(COUNT.format(n=n), tmp_path)
    text = _run(SCRAPE, tmp_path)
    assert 'backoffice_wire_outcomes_total{domain="outage_messages",outcome="refused"} 10.0' in text
    assert (
        'backoffice_http_requests_total{endpoint="outage-event-notifications",family="oracle",method="POST",'
        'status="400"} 10.0'
    ) in text
