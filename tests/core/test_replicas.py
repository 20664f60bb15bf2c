"""Read replicas (issue 25): the analyst API, exports, background export jobs, ``manage.py export`` and the dashboard
read from a replica; writes, and the jobs' own bookkeeping, stay on the primary; the lag is a gauge and a
``/healthz`` figure. Here the replica is a second connection to the test database under its own alias (the
routing is what is tested); ``tests/faults/test_replica.py`` runs a real PostgreSQL streaming replica."""

import copy
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from blackouts.models import Event
from core import health, replicas
from core.lists import jobs
from core.lists.models import ExportJob
from core.routers import ReplicaRouter
from tests.factories.blackouts import EventFactory
from tests.worker import BASE_DIR

ALIAS = "replica1"
EVENTS = "/api/blackouts/events/"


@pytest.fixture
def replica(transactional_db, settings):
    """A replica alias: a second connection to the test database (what ``TEST: {"MIRROR": "default"}`` makes of a
    configured replica). Made here rather than in ``DATABASES``, as Django allows a connection made during a test."""
    default = connections["default"].settings_dict
    wrapper = load_backend(default["ENGINE"]).DatabaseWrapper(copy.deepcopy(default), ALIAS)
    setattr(connections._connections, ALIAS, wrapper)
    settings.DATABASE_REPLICAS = [ALIAS]
    yield ALIAS
    wrapper.close()
    delattr(connections._connections, ALIAS)


def _tables(queries) -> str:
    return " ".join(q["sql"] for q in queries)


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_analyst_api_pages_details_and_exports_read_the_replica(replica, superuser):
    events = [EventFactory(identifier=f"r{n}") for n in range(3)]
    client = _client(superuser)
    with (
        CaptureQueriesContext(connections[ALIAS]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        page = client.get(EVENTS)
        detail = client.get(f"{EVENTS}{events[0].pk}/")
        export = client.get(EVENTS, {"format": "csv"})
        body = b"".join(export.streaming_content).decode()  # streamed after the view returned: still the replica
    assert page.status_code == 200 and page.json()["count"] == 3
    assert detail.status_code == 200 and detail.json()["identifier"] == "r0"
    assert export.status_code == 200 and all(f"r{n}" in body for n in range(3))
    assert _tables(on_replica).count("blackouts_event") >= 4  # the page, its count, the detail, the export
    assert "blackouts_event" not in _tables(on_primary)


def test_a_background_export_reads_rows_from_the_replica_and_keeps_its_job_on_the_primary(replica, superuser):
    EventFactory.create_batch(2)
    job = ExportJob.objects.create(  # not yet run (export_job_create would run it at once: eager tasks)
        user=superuser, list_key="blackouts.events", app_label="blackouts", model_name="event", query="", fmt="csv"
    )
    with (
        CaptureQueriesContext(connections[ALIAS]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        done = jobs.export_job_run(job_id=job.pk)
    assert done.status == ExportJob.Status.DONE and done.rows_done == 2
    assert "blackouts_event" in _tables(on_replica) and "core_exportjob" not in _tables(on_replica)
    assert "blackouts_event" not in _tables(on_primary) and "core_exportjob" in _tables(on_primary)


def test_the_export_command_reads_the_replica(replica, capsys):
    EventFactory(identifier="cmd1")
    with (
        CaptureQueriesContext(connections[ALIAS]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        call_command("export", "blackouts.events", "--no-progress", stdout=io.StringIO())
    assert "cmd1" in capsys.readouterr().out
    assert "blackouts_event" in _tables(on_replica) and "blackouts_event" not in _tables(on_primary)


def test_the_dashboard_counts_on_the_replica(replica, superuser, client):
    EventFactory()
    client.force_login(superuser)
    with CaptureQueriesContext(connections[ALIAS]) as on_replica:
        response = client.get("/admin/")
    assert response.status_code == 200
    assert "blackouts_event" in _tables(on_replica)  # the blackouts panel's figures


def test_writes_go_to_the_primary_even_for_an_object_read_from_the_replica(replica):
    EventFactory(identifier="w1", status="OPEN")
    event = Event.objects.using(ALIAS).get(identifier="w1")
    with (
        CaptureQueriesContext(connections[ALIAS]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        event.status = "CLOSED"
        event.save(update_fields=["status"])
    assert "UPDATE" in _tables(on_primary) and "UPDATE" not in _tables(on_replica)
    router = ReplicaRouter()
    assert router.db_for_write(Event, instance=event) == "default"
    assert router.allow_migrate(ALIAS, "blackouts") is False and router.allow_migrate("default", "blackouts") is None


def test_reads_outside_the_doors_stay_on_the_primary(replica):
    with CaptureQueriesContext(connections[ALIAS]) as on_replica:
        Event.objects.count()
        with replicas.replica_reads():
            Event.objects.count()
    assert len(on_replica) == 1


def test_without_a_replica_everything_reads_the_primary(db, settings):
    settings.DATABASE_REPLICAS = []
    assert replicas.read_alias() == "default"
    with replicas.replica_reads():
        assert replicas.routed_alias() is None
    assert replicas.replica_lag() == {}


def test_the_lag_is_a_gauge_and_a_health_figure(replica, monkeypatch, settings):
    assert replicas.replica_lag() == {(ALIAS,): 0.0}  # a database that is not in recovery is no lag
    report = health.check_backlog()["replica_lag_seconds"]
    assert report == {"value": 0.0, "limit": 300.0, "status": "ok"}
    monkeypatch.setattr(replicas, "lag_seconds", lambda alias: 900.0)
    settings.HEALTH_MAX_REPLICA_LAG_SECONDS = 600
    assert health.check_backlog()["replica_lag_seconds"] == {"value": 900.0, "limit": 600.0, "status": "over"}


def test_database_replica_url_makes_one_mirrored_alias_per_replica():
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://app@primary.internal:5432/backoffice",
        "DATABASE_REPLICA_URL": "postgres://app@replica-a.internal:5432/backoffice, postgres://app@replica-b:5433/backoffice",
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps([settings.DATABASE_REPLICAS, "
        "{a: [d['HOST'], d['PORT'], d['TEST'].get('MIRROR')] for a, d in settings.DATABASES.items()}]))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    aliases, databases = json.loads(out.stdout.strip().splitlines()[-1])
    assert aliases == ["replica1", "replica2"]
    assert databases["replica1"] == ["replica-a.internal", 5432, "default"]
    assert databases["replica2"] == ["replica-b", 5433, "default"]
    assert databases["default"][0] == "primary.internal"
