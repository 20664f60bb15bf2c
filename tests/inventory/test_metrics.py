"""Bundle activation outcomes move the metrics; a stalled activation shows in the scrape-time gauge."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core import metrics
from inventory import services, tasks
from inventory.metrics import activations_stalled
from inventory.models import BusinessInteraction, InteractionState, LifecycleState, Resource
from tests.factories.inventory import new_items
from tests.metrics_helpers import outcome_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(demo):
    return services.bundle_create(items=new_items(3), design_only=True)


def test_an_activation_failure_increments_the_failed_counter(bundle):
    failed, activated = outcome_count("bundles", "failed"), outcome_count("bundles", "activated")
    Resource.objects.filter(pk="1-1").update(lifecycle_state=LifecycleState.UNAVAILABLE)
    tasks.publish_activation(bundle.pk)  # eager chain: ACTIVATE is refused, the bundle marked FAILED
    assert BusinessInteraction.objects.get(pk=bundle.pk).state == InteractionState.FAILED
    assert outcome_count("bundles", "failed") == failed + 1
    assert outcome_count("bundles", "activated") == activated


def test_a_completed_activation_increments_the_activated_counter(bundle):
    activated = outcome_count("bundles", "activated")
    tasks.publish_activation(bundle.pk)
    assert BusinessInteraction.objects.get(pk=bundle.pk).state == InteractionState.COMPLETED
    assert outcome_count("bundles", "activated") == activated + 1


def test_a_stalled_activation_shows_in_the_gauge_and_in_the_scrape(bundle, settings):
    assert activations_stalled() == 0
    BusinessInteraction.objects.filter(pk=bundle.pk).update(
        activation_requested=True, state=InteractionState.IN_PROGRESS, updated_at=timezone.now() - timedelta(hours=1)
    )
    assert activations_stalled() == 1
    assert b"backoffice_activations_stalled 1.0" in metrics.exposition()
