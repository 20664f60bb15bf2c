"""Issue #22, first step of "a kernel and subsystems with one purpose each": the change log moved from ``core`` to an
app of its own (``core.changes``, label ``changes``). An upgraded installation keeps its change log, subscriptions
and deliveries (same tables), and the permissions its groups and users hold follow the models (same rows, now
``changes.*``)."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from core.changes.models import Change, Delivery, DeliveryAttempt, Subscription
from core.lists.models import ExportJob
from tests.migrating import latest, migrate

BEFORE = [("core", "0011_subscription_owned_by"), ("changes", None)]


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_installation_keeps_its_change_log_subscriptions_deliveries_and_permissions(django_user_model):
    old = migrate(BEFORE).apps  # core as it was: the four models are core's
    try:
        OldChange, OldSubscription = old.get_model("core", "Change"), old.get_model("core", "Subscription")
        OldDelivery, OldAttempt = old.get_model("core", "Delivery"), old.get_model("core", "DeliveryAttempt")
        OldPermission, OldGroup = old.get_model("auth", "Permission"), old.get_model("auth", "Group")
        OldUser = old.get_model("auth", "User")
        OldContentType = old.get_model("contenttypes", "ContentType")
        assert not OldContentType.objects.filter(app_label="changes").exists()

        subscription = OldSubscription.objects.create(target_url="https://hooks.example.com/", secret="whsec_x")
        change = OldChange.objects.create(
            object_type="core.subscription", object_id=str(subscription.pk), action="created"
        )
        other = OldChange.objects.create(object_type="outages.outageevent", object_id="7", action="updated")
        delivery = OldDelivery.objects.create(
            event_id="evt-1",
            subscription=subscription,
            change=other,
            event_type="outage.etr_changed",
            object_key="outages.outageevent:7",
            payload={"etr": "soon"},
        )
        OldAttempt.objects.create(delivery=delivery, number=1, status_code=500)
        readers = OldGroup.objects.create(name="change readers (before the move)")
        readers.permissions.add(OldPermission.objects.get(content_type__app_label="core", codename="view_change"))
        hub = OldPermission.objects.get(content_type__app_label="core", codename="register_hub_listener")
        reader = OldUser.objects.create(username="reader-before-the-move")
        reader.groups.add(readers)
        reader.user_permissions.add(hub)
        job = old.get_model("core", "ExportJob").objects.create(user=reader, app_label="core", model_name="change")
    finally:
        migrate(latest())  # forward: the changes app takes the models over

    assert Subscription.objects.get(pk=subscription.pk).target_url == "https://hooks.example.com/"
    moved = Delivery.objects.get(pk=delivery.pk)
    assert (moved.subscription_id, moved.change_id, moved.payload) == (subscription.pk, other.pk, {"etr": "soon"})
    assert DeliveryAttempt.objects.get(delivery=moved).status_code == 500
    # The subscription's history follows its new name (its History page filters on changes.subscription).
    assert Change.objects.get(pk=change.pk).object_type == "changes.subscription"
    assert Change.objects.get(pk=other.pk).object_type == "outages.outageevent"
    assert ExportJob.objects.get(pk=job.pk).app_label == "changes"  # a queued export still finds its model

    # The same permission rows, now the changes app's: the group and the user keep what they held.
    held = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(pk=readers.pk).permissions.all()}
    assert held == {"changes.view_change"}
    user = django_user_model.objects.get(pk=reader.pk)
    assert user.has_perm("changes.view_change") and user.has_perm("changes.register_hub_listener")
    assert not user.has_perm("core.view_change")
    assert not ContentType.objects.filter(app_label="core", model__in=["change", "subscription", "delivery"]).exists()
    for model in (Change, Subscription, Delivery, DeliveryAttempt):
        assert ContentType.objects.get_for_model(model).app_label == "changes"


def test_the_tables_keep_their_names():
    assert [m._meta.db_table for m in (Change, Subscription, Delivery, DeliveryAttempt)] == [
        "core_change",
        "core_subscription",
        "core_delivery",
        "core_deliveryattempt",
    ]
    assert {m._meta.app_label for m in (Change, Subscription, Delivery, DeliveryAttempt)} == {"changes"}
