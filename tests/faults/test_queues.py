"""Separate queues (issue 25): a backlog of exports delays no activation and no blackout window edge.

Two real workers on Redis against PostgreSQL, as production runs them (Procfile.prod): one serves the export queue
(one process, held by a long export while fifty more wait behind it), the other the activations, windows and
default queues. A bundle's activation completes and a window opens while every export is still waiting: neither
waited for them. On one shared queue they would have waited behind all fifty.
"""

from datetime import timedelta
from io import StringIO

import pytest
from celery import current_app
from django.db import transaction
from django.utils import timezone

from blackouts import services as blackout_services
from blackouts.api.serializers import policy_fields
from blackouts.models import Event
from blackouts.tasks import window_tick
from core import metrics_backlog
from core.lists import jobs, specs
from core.lists.models import ExportJob
from inventory import services as inventory_services
from inventory.models import BusinessInteraction, InteractionState
from tests.factories.blackouts import EventFactory
from tests.factories.inventory import new_items
from tests.worker import fresh_queue, kill_worker, queue_prefix, wait_for, worker_process

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAITING_EXPORTS = 50


def _window_opening_soon(name: str) -> None:
    now = timezone.now()
    start = (now + timedelta(seconds=3)).replace(microsecond=0)
    end = start + timedelta(hours=1)
    timeframe = {
        "startDate": start.strftime("%d%m%Y"),
        "startTime": start.strftime("%H:%M:%S"),
        "endTime": end.strftime("%H:%M:%S"),
        "endsOn": {"endDate": end.strftime("%d%m%Y")},
        "recurrencePattern": {"recurrence": "oneTime"},
        "timeZone": {"id": "UTC"},
    }
    body = {
        "name": name,
        "executionOrder": 1,
        "eventSelectorCriteria": "class equals 'DB'",
        "enabled": True,
        "configurations": {
            "definition": {
                "timeframeDetails": timeframe,
                "processing_action": {"blackoutExistingEvents": "true", "resetStatusOnBlackoutEnd": "true"},
            }
        },
    }
    blackout_services.policy_create(fields=policy_fields(body), now=now)


def _purge(queue: str) -> None:
    with current_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)


def test_a_full_export_queue_delays_no_activation_and_no_window_edge(superuser, tmp_path):
    from inventory import demo

    demo.load(stdout=StringIO())
    queue = fresh_queue()
    exports_queue = f"{queue_prefix(queue)}exports"
    marks = tmp_path / "marks"
    marks.mkdir()
    list_key = sorted(specs.REGISTRY)[0]
    try:
        with (
            worker_process(
                queue=queue, classes=("exports",), include=("tests.core.worker_tasks",), name="exports"
            ) as export_worker,
            worker_process(queue=queue, classes=("default", "activations", "windows"), name="edges"),
        ):
            # The export worker's one process taken by a long export; fifty more exports queued behind it.
            current_app.send_task("tests.core.worker_tasks.slow", args=[str(marks), 300], queue=exports_queue)
            wait_for(lambda: any(marks.glob("started-*")), timeout=60, message="the long export to start")
            waiting = [
                jobs.export_job_create(user=superuser, list_key=list_key, query="", fmt="csv")
                for _ in range(WAITING_EXPORTS)
            ]
            wait_for(
                lambda: metrics_backlog.queue_backlog()[exports_queue][0] == WAITING_EXPORTS,
                message="the exports to wait in their queue",
            )

            EventFactory(identifier="db1", event_class="DB", status="OPEN")
            _window_opening_soon("queues: window")
            with transaction.atomic():
                bundle = inventory_services.bundle_create(items=new_items(3), design_only=True)
            with transaction.atomic():  # enqueues the activation on commit, routed to the activations queue
                inventory_services.bundle_request_activation(bundle=BusinessInteraction.objects.get(pk=bundle.pk))

            def window_opened() -> bool:
                window_tick.delay()  # what beat sends every BLACKOUT_TICK_SECONDS, routed to the windows queue
                return Event.objects.get(identifier="db1").status == "BLACKOUT"

            wait_for(window_opened, timeout=60, interval=0.5, message="the window to open")
            wait_for(
                lambda: BusinessInteraction.objects.get(pk=bundle.pk).state == InteractionState.COMPLETED,
                timeout=60,
                message="the bundle to be activated",
            )

            # Every export still waits (none started, the queue as full as before): nothing above waited for them.
            assert not (marks / "finished").exists()
            assert set(ExportJob.objects.filter(pk__in=[j.pk for j in waiting]).values_list("status", flat=True)) == {
                ExportJob.Status.PENDING
            }
            assert metrics_backlog.queue_backlog()[exports_queue][0] == WAITING_EXPORTS
            kill_worker(export_worker)  # (the long export would hold the worker's shutdown)
    finally:
        _purge(exports_queue)
