"""The Grafana dashboard queries only metrics the project exposes (so that renaming one breaks a test, not a panel)."""

import json
import re
from pathlib import Path

import pytest

from core import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "backoffice-dashboard.json"


@pytest.mark.django_db
def test_every_metric_the_dashboard_queries_is_exposed():
    exposed = {
        _base(line.split()[2]) for line in metrics.exposition().decode().splitlines() if line.startswith("# TYPE ")
    }
    dashboard = json.loads(DASHBOARD.read_text())
    queried = {
        name
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        for name in re.findall(r"\bbackoffice_[a-z_]+", target["expr"])
    }
    assert queried, "the dashboard queries nothing"
    bases = {_base(name) for name in queried}
    assert bases <= exposed, bases - exposed


def _base(name: str) -> str:
    return re.sub(r"_(total|bucket|count|sum|created)$", "", name)
