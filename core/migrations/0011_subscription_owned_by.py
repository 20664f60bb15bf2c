"""Subscriptions get an owner (a user, ``owned_by``) and the hub its own permission (``register_hub_listener``).

The owner of an existing subscription is the user its ``owner`` actor names (``user:<username>``), where that user
still exists; a subscription made by a task, a command or a removed user has none (staff with the permission
manage it)."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import migrations, models


def owners_from_actors(apps, schema_editor):
    Subscription = apps.get_model("core", "Subscription")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    # A historical model has no USERNAME_FIELD (a class attribute, not state): the name comes from the live one.
    username_field = get_user_model().USERNAME_FIELD
    for sub in Subscription.objects.filter(owner__startswith="user:", owned_by__isnull=True):
        username = sub.owner[len("user:") :]
        user = User.objects.filter(**{username_field: username}).first()
        if user is not None:
            Subscription.objects.filter(pk=sub.pk).update(owned_by=user)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0010_job_heartbeat"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="subscription",
            options={
                "ordering": ["id"],
                "permissions": [
                    ("register_hub_listener", "Can register TMF638 hub listeners, read and remove its own")
                ],
            },
        ),
        migrations.AddField(
            model_name="subscription",
            name="owned_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The user it belongs to: a TMF hub listener is read and removed by its owner (or staff "
                "allowed to).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(owners_from_actors, migrations.RunPython.noop),
    ]
