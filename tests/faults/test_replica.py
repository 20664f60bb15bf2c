"""A real read replica (issue 25): a private PostgreSQL primary holding a copy of the test database, and a hot
standby streaming from it (``pg_basebackup -R``, a port of its own), named by ``DATABASE_REPLICA_URL`` as in
production. The primary takes outage notifications through gunicorn while the standby's replay is paused: the
analyst API's export answers the standby's rows (without the new outages the primary holds), and ``/healthz`` and
``/metrics`` report the standby's lag. Replay resumed, the export catches up and the lag is 0.
"""

import re
import subprocess
import tempfile

import httpx
import pytest

from tests.factories.outages import ExternalSystemFactory
from tests.outages.conftest import NOTIFICATIONS, body, customers, message
from tests.worker import _database_url, wait_for

from .cluster import PrivateCluster, PrivateStandby, cluster

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

AUTH = ("root", "root-password")  # the superuser fixture
TOKEN = "replica-test-metrics-token"
EVENTS = "/api/outages/events/"


def _notify(url: str, outage_id: str) -> None:
    data = body(message(outage_id, reference=1, customers=customers(0, 20)))
    response = httpx.post(f"{url}{NOTIFICATIONS}", json=data, auth=AUTH, timeout=60)
    assert response.status_code == 200, response.text


def _exported(url: str) -> set[str]:
    """The outage ids of the analyst API's CSV export (the whole list, streamed)."""
    response = httpx.get(f"{url}{EVENTS}", params={"format": "csv", "fields": "external_outage_id"}, auth=AUTH)
    assert response.status_code == 200, response.text
    return set(response.text.splitlines()[1:])  # below the header


def _primary_ids(url: str) -> set[str]:
    query = "SELECT external_outage_id FROM outages_outageevent"
    return set(
        subprocess.run(["psql", "-At", url, "-c", query], check=True, capture_output=True, text=True).stdout.split()
    )


def _lag_on_metrics(url: str) -> float:
    text = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30).text
    found = re.search(r'^backoffice_replica_lag_seconds\{replica="replica1"\} (\S+)$', text, re.M)
    assert found, text[-2000:]
    return float(found.group(1))


def test_an_export_reads_the_replica_while_the_primary_takes_notifications(superuser):
    ExternalSystemFactory(name="CCB-NMS integration")
    primary = PrivateCluster()
    standby = PrivateStandby(primary)
    var_dir = tempfile.mkdtemp(prefix="replica-var-")
    try:
        primary.init(copy_of=_database_url())
        standby.start()
        assert standby.sql("SELECT pg_is_in_recovery()") == "t"
        env = {"DATABASE_REPLICA_URL": standby.url, "METRICS_TOKEN": TOKEN, "VAR_DIR": var_dir}
        with cluster(database_url=primary.url, broker_url="atomicfs://localhost/", extra_env=env) as c:
            web = c.web()
            c.wait_ready()
            _notify(web, "REPLAYED-1")
            wait_for(lambda: _exported(web) == {"REPLAYED-1"}, message="the standby to replay the first outage")

            standby.sql("SELECT pg_wal_replay_pause()")
            for n in range(5):  # the primary goes on taking notifications
                _notify(web, f"PAUSED-{n}")
            assert _primary_ids(primary.url) == {"REPLAYED-1", *(f"PAUSED-{n}" for n in range(5))}

            # The export reads the standby: its rows, not the primary's. (That the export command, background
            # export jobs and the dashboard read the replica alias too: tests/core/test_replicas.py.)
            assert _exported(web) == {"REPLAYED-1"}

            # The lag: behind by the time since the last transaction it replayed.
            health = httpx.get(f"{web}/healthz", timeout=30).json()
            assert health["backlog"]["replica_lag_seconds"]["value"] > 0, health
            assert _lag_on_metrics(web) > 0

            standby.sql("SELECT pg_wal_replay_resume()")
            wait_for(lambda: len(_exported(web)) == 6, message="the standby to catch up")
            wait_for(lambda: _lag_on_metrics(web) == 0, message="the lag to be 0 once caught up")
    finally:
        standby.close()
        primary.close()
        subprocess.run(["rm", "-rf", var_dir], check=False)
