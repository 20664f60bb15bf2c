"""The change log and outbound events moved to an app of their own, ``core.changes`` (label ``changes``): their
four models leave core's migration STATE only. Their tables (``core_change``, ``core_subscription``,
``core_delivery``, ``core_deliveryattempt``) stay where they are, with their rows: ``changes.0001_moved_from_core``
takes them over under the same names, ``changes.0002_content_types_from_core`` moves their content types (and so
the permissions groups and users hold)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_subscription_owned_by"),
        ("changes", "0001_moved_from_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="delivery",
                    name="change",
                ),
                migrations.RemoveField(
                    model_name="delivery",
                    name="subscription",
                ),
                migrations.RemoveField(
                    model_name="deliveryattempt",
                    name="delivery",
                ),
                migrations.RemoveField(
                    model_name="subscription",
                    name="owned_by",
                ),
                migrations.DeleteModel(
                    name="Change",
                ),
                migrations.DeleteModel(
                    name="Delivery",
                ),
                migrations.DeleteModel(
                    name="DeliveryAttempt",
                ),
                migrations.DeleteModel(
                    name="Subscription",
                ),
            ],
            database_operations=[],  # the tables stay: the changes app owns them now
        ),
    ]
