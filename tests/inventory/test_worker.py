"""Activation through a real Celery worker on Redis against PostgreSQL, including a worker killed mid-chain.

How the killed chain resumes: the step's message is acknowledged late, so Redis holds it as unacknowledged;
the second worker is started with a short ``CELERY_VISIBILITY_TIMEOUT`` and Redis delivers the message again.
The sweep (``sweep_stalled_activations``) is run too, as beat would: it re-enqueues the stalled bundle, so the
bundle completes even if the redelivery did not happen, and the two paths together prove the steps idempotent.
"""

import json
import time

import pytest
from django.db import transaction

from inventory import services, tasks
from inventory.models import BusinessInteraction, InteractionState, InteractionTransition, Service, SupportingService
from tests.factories.inventory import new_items
from tests.worker import kill_worker, wait_for, worker_process

from .conftest import BASE, example

pytestmark = [pytest.mark.postgres, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _state(bundle_id) -> str:
    return BusinessInteraction.objects.get(pk=bundle_id).state


def test_design_only_false_is_activated_by_the_worker_after_commit(demo, integration_client):
    with worker_process():
        response = integration_client.post(
            f"{BASE}/v3/bundle?designOnly=false",
            data=json.dumps(example("create-request")),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        bundle_id = response.json()["id"]
        wait_for(lambda: _state(bundle_id) == InteractionState.COMPLETED, timeout=60, message="bundle COMPLETED")
    body = integration_client.get(f"{BASE}/v3/bundle/{bundle_id}").json()
    assert {(i["state"], i["hasStarted"], i["isServiceEnabled"]) for i in body["items"]} == {("active", True, True)}
    assert {p["referenceState"] for i in body["items"] for p in i["relatedParty"]} == {"REFERENCED"}


def test_worker_killed_mid_chain_resumes_and_applies_nothing_twice(demo):
    with transaction.atomic():
        bundle = services.bundle_create(items=new_items(5), design_only=True)
    rows_before = (Service.objects.count(), SupportingService.objects.count())

    with worker_process(extra_env={"DJANGO_SETTINGS_MODULE": "tests.inventory.slow_step_settings"}) as first:
        with transaction.atomic():
            services.bundle_request_activation(bundle=BusinessInteraction.objects.get(pk=bundle.pk))
        # Let APPROVE commit, then kill the worker while ISSUE sleeps inside its transaction.
        wait_for(lambda: _state(bundle.pk) == InteractionState.APPROVED, timeout=60, message="APPROVED")
        time.sleep(1.0)
        kill_worker(first)
    assert _state(bundle.pk) == InteractionState.APPROVED  # ISSUE rolled back with the dead worker

    with worker_process(extra_env={"CELERY_VISIBILITY_TIMEOUT": "2"}):
        time.sleep(2.5)
        assert tasks.sweep_stalled_activations(stall_seconds=0) in (0, 1)  # 0 if redelivery already finished it
        wait_for(lambda: _state(bundle.pk) == InteractionState.COMPLETED, timeout=90, message="bundle COMPLETED")
        time.sleep(2.0)  # let a duplicate (redelivered) chain run to its end too

    transitions = list(InteractionTransition.objects.filter(interaction=bundle).values_list("task", "to_state"))
    assert transitions == [
        ("CREATE", "CREATED"),
        ("APPROVE", "APPROVED"),
        ("ISSUE", "ISSUED"),
        ("ACTIVATE", "COMPLETED"),
    ]
    assert (Service.objects.count(), SupportingService.objects.count()) == rows_before
    assert set(Service.objects.filter(business_interaction__parent=bundle).values_list("state", flat=True)) == {
        "active"
    }
    assert set(BusinessInteraction.objects.filter(parent=bundle).values_list("state", flat=True)) == {"COMPLETED"}
