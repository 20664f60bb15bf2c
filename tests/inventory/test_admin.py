"""Admin: every page renders in a bounded number of queries, and the bundle actions call the services."""

import pytest
from django.urls import reverse

from inventory.models import (
    BusinessInteraction,
    InteractionState,
    LifecycleState,
    Party,
    Place,
    Resource,
    Service,
    Specification,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser, demo):
    client.force_login(superuser)
    return client


@pytest.fixture
def demo_bundle(demo):
    return BusinessInteraction.objects.get(parent__isnull=True)


@pytest.mark.parametrize(
    "model", [Specification, Party, Place, Resource, BusinessInteraction, Service], ids=lambda m: m.__name__
)
def test_changelists_render(admin_client, model, django_assert_max_num_queries):
    url = reverse(f"admin:inventory_{model._meta.model_name}_changelist")
    with django_assert_max_num_queries(20):
        response = admin_client.get(url)
    assert response.status_code == 200


def test_bundle_changelist_lists_only_bundles_and_filters_by_state(admin_client, demo_bundle):
    url = reverse("admin:inventory_businessinteraction_changelist")
    assert BusinessInteraction.objects.count() == 3  # the bundle and its two item interactions
    assert admin_client.get(url).context["cl"].result_count == 1
    assert admin_client.get(url, {"state__exact": "CREATED"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"state__exact": "COMPLETED"}).context["cl"].result_count == 0


def test_bundle_and_service_detail_pages_render(admin_client, demo_bundle):
    response = admin_client.get(reverse("admin:inventory_businessinteraction_change", args=[demo_bundle.pk]))
    assert response.status_code == 200
    assert "BroadbandCFS1" in response.content.decode()  # the item interactions inline lists their services
    service = Service.objects.filter(business_interaction__parent=demo_bundle, name="BroadbandCFS1").get()
    response = admin_client.get(reverse("admin:inventory_service_change", args=[service.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "serviceRelType1" in content and "225002" in content and "DOCSISRFS" in content


def _action(admin_client, action, bundle):
    return admin_client.post(
        reverse("admin:inventory_businessinteraction_changelist"),
        {"action": action, "_selected_action": [bundle.pk]},
        follow=True,
    )


def test_task_actions_follow_the_preconditions(admin_client, demo_bundle):
    response = _action(admin_client, "issue", demo_bundle)
    assert "it is CREATED" in response.content.decode()
    for action, state in (("approve", "APPROVED"), ("issue", "ISSUED"), ("activate", "COMPLETED")):
        _action(admin_client, action, demo_bundle)
        demo_bundle.refresh_from_db()
        assert demo_bundle.state == state
    response = _action(admin_client, "cancel", demo_bundle)
    assert "it is COMPLETED" in response.content.decode()


def test_run_activation_and_retry_actions(admin_client, demo_bundle, django_capture_on_commit_callbacks):
    Resource.objects.filter(pk="1-1").update(lifecycle_state=LifecycleState.END_OF_LIFE)
    with django_capture_on_commit_callbacks(execute=True):
        _action(admin_client, "run_activation", demo_bundle)
    demo_bundle.refresh_from_db()
    assert demo_bundle.state == InteractionState.FAILED
    assert "1-1 is END_OF_LIFE" in demo_bundle.failure_reason
    Resource.objects.filter(pk="1-1").update(lifecycle_state=LifecycleState.INSTALLED)
    with django_capture_on_commit_callbacks(execute=True):
        _action(admin_client, "retry", demo_bundle)
    demo_bundle.refresh_from_db()
    assert demo_bundle.state == InteractionState.COMPLETED
