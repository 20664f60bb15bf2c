"""/metrics: who may scrape it, what the HTTP counters record, and the queue gauges computed at scrape time."""

import os
import time
from pathlib import Path

import pytest
from celery import current_app

from core import metrics_backlog
from tests.metrics_helpers import sample

pytestmark = pytest.mark.django_db


def test_an_unauthorised_scraper_is_refused(client, settings):
    settings.DEBUG, settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = False, "", []
    response = client.get("/metrics")
    assert response.status_code == 403
    assert b"backoffice_" not in response.content


def test_with_a_token_configured_a_missing_token_is_challenged_and_a_wrong_one_refused(client, settings):
    settings.DEBUG, settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = False, "s3cret-scrape", []
    missing = client.get("/metrics")
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain")
    assert b"backoffice_http_requests_total" in ok.content


def test_an_allowed_network_may_scrape_and_others_may_not(client, settings):
    settings.DEBUG, settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = False, "", ["10.1.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.2.0.1").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_debug_mode_lets_a_loopback_scraper_in(client, settings):
    settings.DEBUG, settings.METRICS_TOKEN, settings.METRICS_ALLOWED_NETWORKS = True, "", []
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.7").status_code == 403


def test_requests_are_counted_by_family_route_name_and_status_without_a_query(client, django_assert_num_queries):
    labels = {"family": "other", "endpoint": "livez", "method": "GET", "status": "200"}
    before = sample("backoffice_http_requests_total", **labels)
    with django_assert_num_queries(0):
        assert client.get("/livez").status_code == 200
    assert sample("backoffice_http_requests_total", **labels) == before + 1
    assert sample("backoffice_http_request_duration_seconds_count", family="other", endpoint="livez") >= 1


def test_a_wire_request_is_labelled_by_its_route_name_never_its_raw_path(client):
    path = "/rest/apis/customer/service/outageEvent/search"
    client.get(path)  # anonymous: 401 in the Oracle envelope
    text = _scrape(client)
    assert 'family="oracle"' in text and 'status="401"' in text
    assert path not in text
    client.get("/rest/apis/no/such/thing/raw-path-7f3a")
    assert "raw-path-7f3a" not in _scrape(client)  # letters: a sample's value or timestamp can never contain it


def test_an_invented_method_is_counted_as_other(client):
    client.generic("BREW", "/livez")
    assert 'method="other"' in _scrape(client)


def _scrape(client) -> str:
    from django.test import override_settings

    with override_settings(DEBUG=True):
        return client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()


def _publish(queue: str = "celery", url: str | None = None) -> None:
    with current_app.connection_for_write(url) as conn, conn.Producer() as producer:
        current_app.send_task("core.tasks.purge_expired_exports", queue=queue, producer=producer)


def test_queue_depth_and_oldest_age_follow_the_waiting_tasks_on_the_file_broker(file_queue):
    assert metrics_backlog.queue_backlog()["celery"] == (0, None)
    _publish()
    _publish()
    depth, age = metrics_backlog.queue_backlog()["celery"]
    assert depth == 2 and age is not None
    oldest = sorted(Path(file_queue).iterdir())[0]
    an_hour_ago = time.time() - 3600
    os.utime(oldest, (an_hour_ago, an_hour_ago))  # as if that task had waited an hour
    depth, age = metrics_backlog.queue_backlog()["celery"]
    assert depth == 2 and age >= 3600


@pytest.mark.redis
def test_queue_depth_and_oldest_age_on_redis(monkeypatch):
    url = os.environ["REDIS_URL"]
    monkeypatch.setattr(current_app.conf, "broker_url", url)
    queue = f"metrics-test-{os.getpid()}"
    monkeypatch.setattr(metrics_backlog, "_queue_names", lambda: [queue])
    import redis

    client = redis.Redis.from_url(url)
    client.delete(queue)
    try:
        assert metrics_backlog.queue_backlog()[queue] == (0, None)
        _publish(queue, url)
        _publish(queue, url)
        depth, age = metrics_backlog.queue_backlog()[queue]
        assert depth == 2 and 0 <= age < 600  # the sent_at header of the oldest (config/celery.py)
    finally:
        client.delete(queue)
