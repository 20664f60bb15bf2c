import os
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from core.lists.models import ExportJob


def _publish_one():
    with celery_app.connection_for_write() as conn, conn.Producer() as producer:
        celery_app.send_task("core.tasks.purge_expired_exports", producer=producer)


def test_healthz_reports_database_broker_and_backlog(client, db, file_queue):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert set(body["backlog"]) == {
        "queue_oldest_age_seconds",
        "blackout_tick_lag_seconds",
        "exports_pending_stale",
        "activations_stalled",
        "jobs_stalled",
        "replica_lag_seconds",  # 0 without a read replica (tests/core/test_replicas.py)
    }
    assert all(item["status"] == "ok" for item in body["backlog"].values())


def test_healthz_is_503_naming_a_broker_that_is_down(client, db, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("down")
    assert body["backlog"]["queue_oldest_age_seconds"]["status"] == "unknown"  # the queues cannot be read either


def test_a_broker_that_is_away_costs_one_connection_attempt_per_check(client, db, monkeypatch):
    """The health check answers in about a connect timeout, not after kombu's retries: one try for the broker
    check, one read of the queues shared by the depth and age gauges (not one per gauge)."""
    from kombu import Connection

    from core import metrics, metrics_backlog

    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    attempts = []
    real = Connection.ensure_connection

    def counted(self, *args, **kwargs):
        attempts.append(kwargs.get("max_retries"))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Connection, "ensure_connection", counted)
    assert client.get("/healthz").status_code == 503
    assert attempts == [0, 0]  # the broker check, then the queues once for both gauges; never retried
    reads = []
    monkeypatch.setattr(metrics_backlog, "_read_queues", lambda url: reads.append(url) or {"celery": (2, 5.0)})
    values = metrics.backlog_values()
    assert values["queue_depth"] == {("celery",): 2} and values["queue_oldest_age_seconds"] == {("celery",): 5.0}
    metrics.backlog_values()
    assert len(reads) == 2  # one read per scrape, shared by its gauges; the next scrape reads afresh


def test_healthz_is_503_when_the_oldest_waiting_task_is_over_the_limit(client, db, file_queue, settings):
    settings.HEALTH_MAX_QUEUE_AGE_SECONDS = 300
    _publish_one()
    assert client.get("/healthz").status_code == 200  # a task just sent is not a backlog
    (waiting,) = file_queue.iterdir()
    ten_minutes_ago = time.time() - 600
    os.utime(waiting, (ten_minutes_ago, ten_minutes_ago))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["backlog"]["queue_oldest_age_seconds"]["status"] == "over"
    settings.HEALTH_MAX_QUEUE_AGE_SECONDS = None  # reported, never failing
    assert client.get("/healthz").status_code == 200


def test_healthz_is_503_for_an_export_never_taken(client, file_queue, superuser):
    job = ExportJob.objects.create(user=superuser, app_label="outages", model_name="outageevent")
    assert client.get("/healthz").status_code == 200  # just created: a worker may take it any moment
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["backlog"]["exports_pending_stale"] == {"value": 1.0, "limit": 0.0, "status": "over"}


def test_healthz_checks_every_gauge_registered_with_a_limit(client, db, file_queue, settings, monkeypatch):
    """core/health.py names no figure: an app's (or a subsystem's) gauge declared with ``health_limit`` is checked."""
    from core import metrics

    monkeypatch.setattr(metrics, "_GAUGES", dict(metrics._GAUGES))
    metrics.backlog_gauge("test_backlog", "A gauge of this test.", health_limit="HEALTH_MAX_TEST_BACKLOG")(lambda: 3)
    metrics.backlog_gauge("test_unlimited", "A gauge /healthz does not check.")(lambda: 1000)
    settings.HEALTH_MAX_TEST_BACKLOG = 5
    body = client.get("/healthz").json()
    assert body["backlog"]["test_backlog"] == {"value": 3.0, "limit": 5.0, "status": "ok"}
    assert "test_unlimited" not in body["backlog"]
    settings.HEALTH_MAX_TEST_BACKLOG = 2
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["backlog"]["test_backlog"] == {"value": 3.0, "limit": 2.0, "status": "over"}


def test_the_stalled_jobs_figure_adds_the_part_of_each_job_kind():
    from core import metrics

    assert {"exports", "imports"} <= set(metrics._PARTS["jobs_stalled"])


def test_livez_answers_without_touching_the_database_or_the_broker(client, monkeypatch):
    """No ``db`` fixture: any database access would raise. The broker named is unreachable."""
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/livez")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_healthz_is_503_for_jobs_whose_worker_stopped_beating(client, file_queue, superuser, settings):
    """Issue 21, finding 11: an export (or import) left RUNNING by a killed worker was invisible to /healthz."""
    from core.imports.models import ImportJob

    settings.JOB_STALL_SECONDS = 300
    export = ExportJob.objects.create(user=superuser, app_label="outages", model_name="outageevent")
    imported = ImportJob.objects.create(user=superuser, model_label="enrollments.Premise", fmt="csv", filename="p.csv")
    now = timezone.now()
    ExportJob.objects.filter(pk=export.pk).update(status=ExportJob.Status.RUNNING, started_at=now, heartbeat_at=now)
    ImportJob.objects.filter(pk=imported.pk).update(status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now)
    assert client.get("/healthz").json()["backlog"]["jobs_stalled"]["value"] == 0  # both beating
    silent = now - timedelta(minutes=10)
    ExportJob.objects.filter(pk=export.pk).update(heartbeat_at=silent)
    ImportJob.objects.filter(pk=imported.pk).update(heartbeat_at=silent)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["backlog"]["jobs_stalled"] == {"value": 2.0, "limit": 0.0, "status": "over"}
    settings.HEALTH_MAX_JOBS_STALLED = 5
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_roles_exist_with_model_permissions():
    from django.contrib.auth.models import Group

    from core.roles import sync_roles

    sync_roles()
    names = set(Group.objects.values_list("name", flat=True))
    assert {"integration", "analyst", "operator"} <= names
    analyst = Group.objects.get(name="analyst")
    assert not analyst.permissions.filter(codename__startswith="add_").exists()
