"""The service layer: activation steps (idempotent, ordered), failure and retry, the sweep, enqueue-after-commit."""

from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from core import jobs
from core.errors import InvalidState
from inventory import services, tasks
from inventory.models import (
    BusinessInteraction,
    InteractionState,
    InteractionTransition,
    LifecycleState,
    ReferenceState,
    Resource,
    Service,
    ServiceResourceRef,
)
from tests.factories.inventory import new_items

from .conftest import example

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(demo):
    return services.bundle_create(items=new_items(3), design_only=True)


def states(bundle):
    return set(BusinessInteraction.objects.filter(parent=bundle).values_list("state", flat=True)) | {
        BusinessInteraction.objects.get(pk=bundle.pk).state
    }


def test_create_is_set_based(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        services.bundle_create(items=new_items(50), design_only=True)
    assert Service.objects.filter(category="RFS", name="RFS").count() == 50


def test_steps_are_idempotent_and_ordered(bundle):
    with pytest.raises(services.ActivationNotReady):
        services.bundle_activation_step(bundle_id=bundle.pk, step="ISSUE")
    assert services.bundle_activation_step(bundle_id=bundle.pk, step="APPROVE") == "applied"
    assert services.bundle_activation_step(bundle_id=bundle.pk, step="APPROVE") == "already done"
    assert services.bundle_activation_step(bundle_id=bundle.pk, step="ISSUE") == "applied"
    assert services.bundle_activation_step(bundle_id=bundle.pk, step="APPROVE") == "already done"
    assert services.bundle_activation_step(bundle_id=bundle.pk, step="ACTIVATE") == "applied"
    for step in services.ACTIVATION_STEPS:
        assert services.bundle_activation_step(bundle_id=bundle.pk, step=step) == "already done"
    assert states(bundle) == {InteractionState.COMPLETED}
    assert InteractionTransition.objects.filter(interaction=bundle).count() == 4  # CREATE + 3 steps
    assert not BusinessInteraction.objects.get(pk=bundle.pk).activation_requested


def test_chain_runs_eagerly_and_twice_changes_nothing(bundle):
    tasks.activation_chain(bundle.pk).apply_async()
    tasks.activation_chain(bundle.pk).apply_async()
    assert states(bundle) == {InteractionState.COMPLETED}
    assert InteractionTransition.objects.filter(interaction=bundle).count() == 4
    assert set(Service.objects.filter(business_interaction__parent=bundle).values_list("state", flat=True)) == {
        "active"
    }
    assert set(
        ServiceResourceRef.objects.filter(service__business_interaction__parent=bundle).values_list(
            "reference_state", "assignment_state"
        )
    ) == {(ReferenceState.REFERENCED, "ASSIGNED")}


def test_cancelled_bundle_is_left_alone_by_the_chain(bundle):
    services.bundle_run_task(bundle_id=bundle.pk, task="CANCEL")
    tasks.activation_chain(bundle.pk).apply_async()
    assert states(bundle) == {InteractionState.CANCELLED}


def test_unusable_resource_fails_the_activation_with_its_reason_then_retry_completes(
    bundle, django_capture_on_commit_callbacks
):
    Resource.objects.filter(pk="1-1").update(lifecycle_state=LifecycleState.UNAVAILABLE)
    tasks.publish_activation(bundle.pk)  # the eager chain: ACTIVATE is refused and the bundle marked FAILED
    bundle.refresh_from_db()
    assert bundle.state == InteractionState.FAILED
    assert bundle.failed_state == InteractionState.ISSUED
    assert "resource 1-1 is UNAVAILABLE" in bundle.failure_reason
    assert states(bundle) == {InteractionState.FAILED}

    with pytest.raises(InvalidState):
        services.bundle_run_task(bundle_id=bundle.pk, task="ACTIVATE")

    Resource.objects.filter(pk="1-1").update(lifecycle_state=LifecycleState.INSTALLED)
    with django_capture_on_commit_callbacks(execute=True):
        services.bundle_retry(bundle_id=bundle.pk)  # on commit, the chain runs again (eagerly)
    bundle.refresh_from_db()
    assert bundle.state == InteractionState.COMPLETED, bundle.failure_reason
    assert (bundle.attempt, bundle.failure_reason) == (2, "")
    tasks_run = list(InteractionTransition.objects.filter(interaction=bundle).values_list("task", "to_state"))
    assert tasks_run == [
        ("CREATE", "CREATED"),
        ("APPROVE", "APPROVED"),
        ("ISSUE", "ISSUED"),
        ("ACTIVATE", "FAILED"),
        ("RETRY", "ISSUED"),
        ("ACTIVATE", "COMPLETED"),
    ]


def test_retry_needs_a_failed_bundle(bundle):
    with pytest.raises(InvalidState, match="CREATED"):
        services.bundle_retry(bundle_id=bundle.pk)


def test_nothing_is_enqueued_for_a_rolled_back_bundle(demo, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "send", lambda name, *args, **kw: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.bundle_create(items=new_items(1), design_only=False)
                raise RuntimeError("the request failed after the bundle was written")
        except RuntimeError:
            pass
    assert callbacks == [] and sent == []
    assert not BusinessInteraction.objects.filter(activation_requested=True).exists()


def test_broker_down_at_commit_leaves_the_bundle_for_the_sweep(demo, django_capture_on_commit_callbacks, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr("celery.app.task.Task.apply_async", broker_down)  # publishing any task fails
    monkeypatch.setattr("celery.canvas._chain.apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        bundle = services.bundle_create(items=new_items(1), design_only=False)
    bundle.refresh_from_db()
    assert bundle.state == InteractionState.CREATED and bundle.activation_requested
    monkeypatch.undo()

    assert list(services.bundles_stalled(stall_seconds=120)) == []  # too recent to be stalled
    assert tasks.sweep_stalled_activations(stall_seconds=0) == 1
    bundle.refresh_from_db()
    assert bundle.state == InteractionState.COMPLETED
    assert tasks.sweep_stalled_activations(stall_seconds=0) == 0


def test_sweep_ignores_design_only_finished_failed_and_future_bundles(demo):
    design_only = services.bundle_create(items=new_items(1), design_only=True)
    future = services.bundle_create(
        items=new_items(1), design_only=True, effective_date=timezone.now() + timezone.timedelta(days=1)
    )
    BusinessInteraction.objects.filter(pk=future.pk).update(activation_requested=True)
    failed = services.bundle_create(items=new_items(1), design_only=True)
    BusinessInteraction.objects.filter(pk=failed.pk).update(activation_requested=True, state="FAILED")
    stalled = services.bundle_create(items=new_items(1), design_only=True)
    BusinessInteraction.objects.filter(pk=stalled.pk).update(activation_requested=True, state="APPROVED")
    assert list(services.bundles_stalled(stall_seconds=0).values_list("pk", flat=True)) == [stalled.pk]
    assert design_only.pk != stalled.pk


def test_spec_example_items_round_trip_through_the_service(demo):
    from inventory.api.serializers import BundleCreateSerializer

    serializer = BundleCreateSerializer(data=example("create-request"))
    assert serializer.is_valid(), serializer.errors
    bundle = services.bundle_create(**serializer.service_arguments(), design_only=True)
    names = set(Service.objects.filter(business_interaction__parent=bundle).values_list("name", flat=True))
    assert names == {"BroadbandCFS1", "BroadbandCFS2", "DOCSISRFS"}


def test_the_demo_bundle_is_the_spec_create_example_in_the_services_terms():
    """The demo loader builds its items itself (no API serializer): they are what the UIM door makes of the
    spec's create example."""
    from inventory import demo
    from inventory.api.serializers import BundleCreateSerializer

    serializer = BundleCreateSerializer(data=example("create-request"))
    assert serializer.is_valid(), serializer.errors
    assert serializer.service_arguments()["items"] == list(demo.DEMO_ITEMS)


def test_the_demo_loader_does_not_use_the_api_door():
    import ast

    from inventory import demo

    tree = ast.parse(Path(demo.__file__).read_text())
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert not [name for name in imported if name == "api" or name.startswith(("api.", "inventory.api"))]


def test_a_forged_history_row_fails_the_activation_with_its_reason_instead_of_retrying(bundle, monkeypatch):
    # A row no step wrote (once possible through the admin) holds the (bundle, attempt, COMPLETED) slot.
    InteractionTransition.objects.create(
        interaction=bundle, attempt=1, task="FORGED", from_state="CREATED", to_state="COMPLETED"
    )
    runs = []
    real_step = services.bundle_activation_step
    monkeypatch.setattr(services, "bundle_activation_step", lambda **kw: runs.append(kw["step"]) or real_step(**kw))
    tasks.publish_activation(bundle.pk)
    bundle.refresh_from_db()
    assert bundle.state == InteractionState.FAILED
    assert bundle.failed_state == InteractionState.ISSUED
    assert "ACTIVATE: the bundle's history already records a change to COMPLETED" in bundle.failure_reason
    assert runs == ["APPROVE", "ISSUE", "ACTIVATE"]  # once each: an integrity conflict is not retried
    assert not Service.objects.filter(business_interaction__parent=bundle, state="active").exists()


def test_the_sweep_waits_for_the_setting(demo, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        bundle = services.bundle_create(items=new_items(1), design_only=False)  # never enqueued
    settings.INVENTORY_SWEEP_STALL_SECONDS = 3600
    assert tasks.sweep_stalled_activations() == 0
    settings.INVENTORY_SWEEP_STALL_SECONDS = 0
    assert tasks.sweep_stalled_activations() == 1
    bundle.refresh_from_db()
    assert bundle.state == InteractionState.COMPLETED


def test_services_enqueue_the_start_task_by_name_after_commit(demo, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(jobs, "send", lambda name, *args, **kw: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        bundle = services.bundle_create(items=new_items(1), design_only=False)
    assert sent == [("inventory.tasks.bundle_activation_start", (bundle.pk,))]


def test_demo_services_are_numbered_after_the_fixed_one(demo):
    # 450005 is inserted with its id; PostgreSQL's sequence must continue above it (as SQLite does), so that
    # the docs' examples name the same ids on both and the sequence never runs into it.
    ids = sorted(Service.objects.exclude(pk=450005).values_list("pk", flat=True))
    assert ids == [450006, 450007, 450008, 450009]


def test_the_hub_takes_the_events_a_listeners_query_names(db):
    from core.errors import Invalid
    from inventory.services import hub

    query = "eventType=ServiceStateChangeEvent,ServiceAttributeValueChangeEvent&event.service.state=active"
    listener = hub.hub_subscribe(callback="https://93.184.216.34/listener", query=query)
    assert listener.event_types == ["service.state_changed", "service.attributes_changed", "service.updated"]
    assert listener.query == query
    assert len(hub.hub_subscribe(callback="https://93.184.216.34/all").event_types) == 5  # none named: every one
    # An alternative that leaves the event type free (or a not-equal) selects among every event type, when sent.
    either = hub.hub_subscribe(callback="https://93.184.216.34/x", query="eventType=ServiceCreateEvent;eventId=1")
    assert len(either.event_types) == 5
    with pytest.raises(Invalid) as caught:
        hub.hub_subscribe(callback="https://93.184.216.34/listener", query="eventType=ServiceNope")
    assert caught.value.errors == [("query", caught.value.message)] and "ServiceNope" in caught.value.message


def test_bundle_update_speaks_the_items_terms(bundle):
    from core.errors import Invalid

    cfs = Service.objects.filter(business_interaction__parent=bundle, category="CFS").order_by("pk").first()
    with pytest.raises(Invalid) as caught:
        services.bundle_update(
            bundle_id=bundle.pk,
            items=[
                services.ItemUpdate(
                    service_id=str(cfs.pk),
                    characteristics=(services.Characteristic(name="x", value="1", service_name="NewRFS"),),
                )
            ],
        )
    assert [path for path, _ in caught.value.errors] == ["items[0].characteristics[0].service_spec_name"]
    with pytest.raises(Invalid) as caught:
        services.bundle_update(bundle_id=bundle.pk, items=[services.ItemUpdate(service_id=str(cfs.pk), state="active")])
    assert [path for path, _ in caught.value.errors] == ["items[0].state"]
    party = services.PartyRef(party_id="225004", role="Owner")
    services.bundle_update(
        bundle_id=bundle.pk, items=[services.ItemUpdate(service_id=str(cfs.pk), name="Renamed", parties=(party,))]
    )
    cfs.refresh_from_db()
    assert cfs.name == "Renamed"
    assert list(cfs.party_refs.values_list("party_id", "role")) == [("225004", "Owner")]
    assert cfs.characteristics.exists()  # a list not given is kept


def test_the_uim_door_renames_the_items_terms_for_the_wire():
    from core.errors import Invalid
    from inventory.api.terms import wire_invalid

    exc = wire_invalid(Invalid("required.", code="x.y", field="items[3].characteristics[1].service_spec_name"))
    assert exc.errors == [("items[3].serviceCharacteristic[1].serviceSpecName", "required.")] and exc.code == "x.y"
    assert wire_invalid(Invalid("no.", field="items[0].end_date")).errors == [("items[0].endDate", "no.")]
