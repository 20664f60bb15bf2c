"""Issue 21, findings 1 and 2: the admin offers an action only to the roles the table gives it, a refused action or
button says what it needs; TMF hub listeners have an owner, and only the owner (or staff allowed to) reads or
removes one. The generated matrix over every door is ``test_roles_matrix.py``."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from core import roles
from core.changes.models import Change, Delivery, Subscription

HUB = "/InventoryRSOpenAPI/serviceInventoryManagement/v3/hub"


def _user(django_user_model, name, *groups, staff=True):
    user = django_user_model.objects.create_user(name, f"{name}@example.com", f"{name}-password", is_staff=staff)
    for group in groups:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def staff_analyst(db, django_user_model):
    return _user(django_user_model, "an1", roles.ANALYST)


@pytest.fixture
def bundle(db):
    from inventory import services

    return services.bundle_create(items=[], design_only=True, description="roles test bundle")


def _offered(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    form = response.context.get("action_form")
    return [name for name, _ in form.fields["action"].choices if name] if form else []


BUNDLE_ACTIONS = ["run_activation", "approve", "issue", "activate", "cancel", "retry"]


def test_a_staff_analyst_is_offered_no_bundle_action(client, staff_analyst, bundle):
    client.force_login(staff_analyst)
    offered = _offered(client, reverse("admin:inventory_businessinteraction_changelist"))
    assert not set(BUNDLE_ACTIONS) & set(offered), offered


@pytest.mark.parametrize("action", BUNDLE_ACTIONS)
def test_a_staff_analyst_cannot_run_a_bundle_action_and_is_told_why(client, staff_analyst, bundle, action):
    client.force_login(staff_analyst)
    url = reverse("admin:inventory_businessinteraction_changelist")
    response = client.post(url, {"action": action, "_selected_action": [bundle.pk], "index": "0"})
    assert response.status_code == 302
    texts = [m.message for m in get_messages(response.wsgi_request)]
    assert any("inventory.change_businessinteraction" in t for t in texts), texts
    bundle.refresh_from_db()
    assert not bundle.activation_requested
    assert bundle.state == "CREATED"
    assert not Change.objects.filter(actor="user:an1").exists()


def test_an_operator_still_runs_the_bundle_actions(client, django_user_model, bundle):
    client.force_login(_user(django_user_model, "op1", roles.OPERATOR))
    url = reverse("admin:inventory_businessinteraction_changelist")
    assert set(BUNDLE_ACTIONS) <= set(_offered(client, url))
    response = client.post(url, {"action": "run_activation", "_selected_action": [bundle.pk], "index": "0"})
    assert response.status_code == 302
    texts = [m.message for m in get_messages(response.wsgi_request)]
    assert texts == [f"Bundle {bundle.pk}: Bundle {bundle.pk} has no items: there is nothing to activate."], texts


@pytest.fixture
def delivery(db):
    from core.changes import subscriptions

    sub = subscriptions.subscription_create(target_url="https://hooks.example.com/x", event_types=["*"])
    return Delivery.objects.create(
        event_id="evt_1", subscription=sub, event_type="outage.updated", object_key="x:1", payload={}, status="failed"
    )


def test_redeliver_is_not_offered_to_an_analyst_and_a_forced_post_says_why(client, staff_analyst, delivery):
    client.force_login(staff_analyst)
    url = reverse("admin:changes_delivery_changelist")
    assert "redeliver" not in _offered(client, url)
    response = client.post(url, {"action": "redeliver", "_selected_action": [delivery.pk], "index": "0"})
    assert response.status_code == 302  # not a bare 403 page
    texts = [m.message for m in get_messages(response.wsgi_request)]
    assert any("changes.change_subscription" in t for t in texts), texts
    delivery.refresh_from_db()
    assert delivery.status == "failed"


def test_a_refused_button_names_the_missing_permission(client, django_user_model):
    client.force_login(_user(django_user_model, "looker"))  # staff, no group
    response = client.get(reverse("admin:blackouts_blackoutpolicy_calendar"))
    assert response.status_code == 403
    assert b"blackouts.view_blackoutpolicy" in response.content


# Finding 2: the hub.


@pytest.fixture
def oms(db, django_user_model):
    return _user(django_user_model, "oms", roles.INTEGRATION, staff=False)


@pytest.fixture
def gis(db, django_user_model):
    return _user(django_user_model, "gis", roles.INTEGRATION, staff=False)


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def oms_listener(oms, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    response = _client(oms).post(HUB, {"callback": "https://listener.example.com/oms"}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_listener_belongs_to_who_registered_it(oms, oms_listener):
    assert Subscription.objects.get(pk=oms_listener).owned_by == oms


def test_an_analyst_neither_registers_nor_reads_nor_deletes_listeners(django_user_model, oms_listener):
    analyst = _client(_user(django_user_model, "an2", roles.ANALYST, staff=False))
    assert analyst.post(HUB, {"callback": "https://listener.example.com/an"}, format="json").status_code == 403
    assert analyst.get(f"{HUB}/{oms_listener}").status_code == 403
    assert analyst.delete(f"{HUB}/{oms_listener}").status_code == 403
    assert Subscription.objects.filter(pk=oms_listener).exists()


@pytest.mark.parametrize("method", ["get", "delete"])
def test_another_integration_gets_the_uim_404_for_a_listener_not_its_own(gis, oms_listener, method):
    response = getattr(_client(gis), method)(f"{HUB}/{oms_listener}")
    assert response.status_code == 404, response.content
    body = response.json()
    assert body["code"] == "ENTITY_NOT_FOUND" and body["message"] == [f"Hub listener {oms_listener} not found."]
    assert Subscription.objects.filter(pk=oms_listener).exists()


def test_the_owner_reads_and_deletes_its_listener(oms, oms_listener):
    client = _client(oms)
    assert client.get(f"{HUB}/{oms_listener}").status_code == 200
    assert client.delete(f"{HUB}/{oms_listener}").status_code == 204


def test_an_operator_reads_and_deletes_any_listener(django_user_model, oms_listener):
    client = _client(_user(django_user_model, "op2", roles.OPERATOR))
    assert client.get(f"{HUB}/{oms_listener}").status_code == 200
    assert client.delete(f"{HUB}/{oms_listener}").status_code == 204


def test_a_listener_whose_owner_is_gone_is_managed_by_staff_only(oms, gis, oms_listener):
    oms.delete()
    assert Subscription.objects.get(pk=oms_listener).owned_by is None
    assert _client(gis).get(f"{HUB}/{oms_listener}").status_code == 404


def test_the_migration_maps_actor_strings_to_users(oms, gis):
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = import_module("core.migrations.0011_subscription_owned_by")
    made = [
        Subscription.objects.create(target_url="https://a.example.com/", secret="x", owner=owner)
        for owner in ("user:oms", "user:nobody-here", "command:load_demo", "user:gis")
    ]
    # The models as that migration saw them (core's, before the change log became an app: the same tables).
    apps = MigrationLoader(connection).project_state(("core", "0011_subscription_owned_by")).apps
    migration.owners_from_actors(apps, None)
    owners = [Subscription.objects.get(pk=s.pk).owned_by for s in made]
    assert owners == [oms, None, None, gis]


def test_a_subscription_made_in_the_admin_or_the_api_belongs_to_its_maker(client, django_user_model):
    operator = _user(django_user_model, "op3", roles.OPERATOR)
    client.force_login(operator)
    response = client.post(
        reverse("admin:changes_subscription_add"),
        {
            "name": "admin-made",
            "target_url": "https://hooks.example.com/a",
            "event_types": '["*"]',
            "format": "standard",
        },
    )
    # The add answers the page that shows the new signing secret once (200), not a redirect.
    assert response.status_code == 200, response.content[:500]
    assert b"Copy the signing secret now" in response.content
    assert Subscription.objects.get(name="admin-made").owned_by == operator
    api = _client(operator)
    body = {"target_url": "https://hooks.example.com/b", "event_types": ["*"]}
    made = api.post("/api/webhooks/subscriptions/", body, format="json")
    assert made.status_code == 201, made.content
    assert Subscription.objects.get(pk=made.json()["id"]).owned_by == operator
