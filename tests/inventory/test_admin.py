"""Admin: every page renders in a bounded number of queries, and the bundle actions call the services."""

import re

import pytest
from django.urls import reverse

from inventory.models import (
    BusinessInteraction,
    InteractionState,
    InteractionTransition,
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


# --- every admin write goes through the services ------------------------------------------------------------


def _form_data(response, **values) -> dict:
    """The POST data of an admin form page as shown (the inlines' management forms included), with ``values``."""
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        for form in inline.formset.initial_forms:
            data.update({form.add_prefix(name): form.initial.get(name, "") for name in ("id",) if name in form.fields})
    data.update(values)
    return data


def _add_empty_bundle(admin_client) -> BusinessInteraction:
    """An empty bundle (the service allows one; the admin's add page no longer makes one): activation refuses it."""
    from inventory import services

    return services.bundle_create(items=[], description="Made by hand")


def test_an_admin_made_bundle_is_created_by_the_service(admin_client):
    from tests.core.test_admin_generated import bundle_items

    url = reverse("admin:inventory_businessinteraction_add")
    spec = Specification.objects.order_by("id").values_list("pk", flat=True)[0]
    data = {**_form_data(admin_client.get(url), description="Made by hand"), **bundle_items(spec)}
    assert admin_client.post(url, data).status_code == 302
    bundle = BusinessInteraction.objects.get(description="Made by hand")
    assert bundle.parent_id is None and bundle.state == InteractionState.CREATED
    assert list(bundle.transitions.values_list("task", "to_state")) == [("CREATE", "CREATED")]
    assert bundle.children.count() == 1


@pytest.mark.parametrize("action", ["approve", "run_activation"])
def test_an_empty_bundle_cannot_be_activated_from_the_admin(admin_client, action, django_capture_on_commit_callbacks):
    bundle = _add_empty_bundle(admin_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(admin_client, action, bundle)
        for later in ("issue", "activate"):
            _action(admin_client, later, bundle)
    assert f"Bundle {bundle.pk} has no items: there is nothing to activate." in response.content.decode()
    bundle.refresh_from_db()
    assert (bundle.state, bundle.activation_requested) == (InteractionState.CREATED, False)


def test_an_empty_bundle_cannot_be_activated_on_the_wire(admin_client, integration_client):
    bundle = _add_empty_bundle(admin_client)
    base = "/InventoryRSOpenAPI/serviceInventoryManagement/v3/bundle"
    response = integration_client.post(f"{base}/{bundle.pk}/APPROVE")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["status"]) == ("INVALID_STATE", "400-3")
    assert "has no items" in body["message"][0]
    assert integration_client.post(f"{base}/{bundle.pk}/CANCEL").json()["state"] == "CANCELLED"  # cancelling is fine


def test_transitions_are_read_only_for_everyone(admin_client, demo_bundle):
    transition = demo_bundle.transitions.get()
    assert admin_client.get(reverse("admin:inventory_interactiontransition_add")).status_code == 403
    change = reverse("admin:inventory_interactiontransition_change", args=[transition.pk])
    assert admin_client.get(change).status_code == 200  # visible...
    forged = {
        "interaction": demo_bundle.pk,
        "attempt": 1,
        "task": "X",
        "from_state": "CREATED",
        "to_state": "COMPLETED",
    }
    assert admin_client.post(change, forged).status_code == 403  # ...never changed
    delete = reverse("admin:inventory_interactiontransition_delete", args=[transition.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    transition.refresh_from_db()
    assert (transition.task, transition.to_state) == ("CREATE", "CREATED")


def test_the_bundle_page_shows_its_history_without_a_way_to_edit_it(admin_client, demo_bundle):
    response = admin_client.get(reverse("admin:inventory_businessinteraction_change", args=[demo_bundle.pk]))
    inline = next(i for i in response.context["inline_admin_formsets"] if i.opts.model is InteractionTransition)
    assert not (inline.has_add_permission or inline.has_change_permission or inline.has_delete_permission)
    assert 'name="transitions-0-to_state"' not in response.content.decode()


def test_bundles_are_never_deleted_in_the_admin(admin_client, demo_bundle):
    response = admin_client.get(reverse("admin:inventory_businessinteraction_delete", args=[demo_bundle.pk]))
    assert response.status_code == 403


def test_service_end_before_start_is_a_form_error(admin_client, demo_bundle):
    service = Service.objects.get(pk=450005)
    url = reverse("admin:inventory_service_change", args=[service.pk])
    values = {
        "name": service.name,
        "description": "",
        "service_type": service.service_type,
        "start_date_0": "2030-01-02",
        "start_date_1": "00:00:00",
        "end_date_0": "2030-01-01",
        "end_date_1": "00:00:00",
    }
    response = admin_client.post(url, _form_data(admin_client.get(url), **values))
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    service.refresh_from_db()
    assert service.end_date is None

    values["end_date_0"] = "2030-02-01"
    response = admin_client.post(url, _form_data(admin_client.get(url), **values))
    assert response.status_code == 302, response.context["adminform"].form.errors
    service.refresh_from_db()
    assert service.end_date.year == 2030 and service.state == "active"  # the lifecycle is not editable here


def test_service_rows_are_shown_not_edited_and_labelled_in_plain_english(admin_client, demo_bundle):
    service = Service.objects.filter(business_interaction__parent=demo_bundle, name="BroadbandCFS1").get()
    content = admin_client.get(reverse("admin:inventory_service_change", args=[service.pk])).content.decode()
    # The characteristics inline has no form widgets (their JSON text areas made the page 1,950 px wide).
    assert not re.search(r'name="characteristics-\d+-(?!id"|service")', content)
    assert "serviceRelType1" in content and "relies-on" in content
    assert "Related parties" in content and "partys" not in content.lower()


def test_a_standalone_service_is_added_through_the_service_layer(admin_client, monkeypatch):
    from inventory import services

    calls = []
    real = services.service_create
    monkeypatch.setattr(services, "service_create", lambda **kw: calls.append(kw) or real(**kw))
    url = reverse("admin:inventory_service_add")
    values = {
        "name": "VoiceCFS",
        "category": "CFS",
        "state": "designed",
        "specification": "Email_CFS",
        "start_date_0": "2030-01-01",
        "start_date_1": "00:00:00",
    }
    response = admin_client.post(url, _form_data(admin_client.get(url), **values))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [c["details"].name for c in calls] == ["VoiceCFS"]
    service = Service.objects.get(name="VoiceCFS")
    assert (service.specification_id, service.has_started, service.business_interaction_id) == (
        "Email_CFS",
        False,
        None,
    )


def test_a_bundle_added_in_the_admin_with_its_items_is_approved_and_activated(admin_client):
    """The add page designs a bundle with its items (specification, characteristics, references) through
    ``bundle_create``; the list's actions then approve, issue and activate it (it once said "has no items")."""
    from tests.core.test_admin_generated import bundle_items

    spec = Specification.objects.filter(entity_type="Service").order_by("id").first()
    resource = Resource.objects.exclude(lifecycle_state__in=["RETIRED", "UNAVAILABLE"]).order_by("id").first()
    party, place = Party.objects.order_by("id").first(), Place.objects.order_by("id").first()
    rows = bundle_items(spec.pk, characteristics="speed = 100M\ncolour = blue", resources=[resource.pk])
    rows.update({"items-0-parties": [party.pk], "items-0-places": [place.pk]})
    add = reverse("admin:inventory_businessinteraction_add")
    page = admin_client.get(add)
    assert 'name="items-TOTAL_FORMS"' in page.content.decode()  # the items are designed on the add page
    answer = admin_client.post(add, {"description": "designed in the admin", **rows})
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    bundle = BusinessInteraction.objects.get(parent__isnull=True, description="designed in the admin")
    service = Service.objects.get(business_interaction__parent=bundle)
    assert service.specification_id == spec.pk and service.name == "Generated item 0"
    assert {(c.name, c.value) for c in service.characteristics.all()} == {("speed", "100M"), ("colour", "blue")}
    assert [r.resource_id for r in service.resource_refs.all()] == [resource.pk]
    changelist = reverse("admin:inventory_businessinteraction_changelist")
    for action in ("approve", "issue", "activate"):
        done = admin_client.post(changelist, {"action": action, "_selected_action": [bundle.pk]}, follow=True)
        levels = {m.level_tag: m.message for m in done.context["messages"]}
        assert "error" not in levels, levels
    bundle.refresh_from_db()
    service.refresh_from_db()
    assert bundle.state == InteractionState.COMPLETED and service.state == "active"


def test_a_bundle_without_items_is_refused_on_the_add_page(admin_client):
    from tests.core.test_admin_generated import bundle_items

    before = BusinessInteraction.objects.count()
    answer = admin_client.post(
        reverse("admin:inventory_businessinteraction_add"), {"description": "x", **bundle_items()}
    )
    assert answer.status_code == 200 and "Add at least one item" in answer.content.decode()
    assert BusinessInteraction.objects.count() == before
