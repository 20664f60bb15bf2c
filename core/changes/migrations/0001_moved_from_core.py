"""The change log's models, taken over from core as they are: in the migration STATE only, on the tables core
created (``Meta.db_table``), so an upgraded installation keeps its change log, subscriptions and deliveries. A new
installation gets the tables from core's migrations 0005 to 0011, which this one follows."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0011_subscription_owned_by"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Change",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        (
                            "actor",
                            models.CharField(
                                blank=True, db_index=True, help_text="user:…, task:…, command:…", max_length=200
                            ),
                        ),
                        ("request_id", models.CharField(blank=True, db_index=True, max_length=128)),
                        ("object_type", models.CharField(db_index=True, help_text="app_label.model", max_length=100)),
                        ("object_id", models.CharField(max_length=100)),
                        ("natural_key", models.CharField(blank=True, db_index=True, max_length=500)),
                        ("object_repr", models.CharField(blank=True, max_length=200, verbose_name="object")),
                        ("action", models.CharField(db_index=True, max_length=50)),
                        ("changes", models.JSONField(blank=True, default=dict)),
                        ("counts", models.JSONField(blank=True, default=dict)),
                        ("events", models.JSONField(blank=True, default=list)),
                    ],
                    options={
                        "verbose_name": "change",
                        "db_table": "core_change",
                        "ordering": ["-id"],
                        "indexes": [models.Index(fields=["object_type", "object_id", "id"], name="core_change_object")],
                    },
                ),
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        ("event_id", models.CharField(db_index=True, max_length=64)),
                        ("event_type", models.CharField(db_index=True, max_length=100)),
                        (
                            "object_key",
                            models.CharField(help_text="object_type:object_id (ordering key)", max_length=200),
                        ),
                        ("payload", models.JSONField()),
                        (
                            "status",
                            models.CharField(
                                choices=[("pending", "Pending"), ("succeeded", "Succeeded"), ("failed", "Given up")],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("claimed_until", models.DateTimeField(blank=True, null=True)),
                        ("last_status_code", models.PositiveIntegerField(blank=True, null=True)),
                        ("last_error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "change",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="deliveries",
                                to="changes.change",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "deliveries",
                        "db_table": "core_delivery",
                        "ordering": ["-id"],
                    },
                ),
                migrations.CreateModel(
                    name="DeliveryAttempt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("number", models.PositiveIntegerField()),
                        ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ("status_code", models.PositiveIntegerField(blank=True, null=True)),
                        ("duration_ms", models.PositiveIntegerField(default=0)),
                        ("response_excerpt", models.TextField(blank=True)),
                        ("error", models.TextField(blank=True)),
                        (
                            "delivery",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attempt_log",
                                to="changes.delivery",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "core_deliveryattempt",
                        "ordering": ["delivery", "number"],
                    },
                ),
                migrations.CreateModel(
                    name="Subscription",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=200)),
                        ("target_url", models.URLField(max_length=2000, verbose_name="target URL")),
                        (
                            "event_types",
                            models.JSONField(
                                default=list, help_text='Event types to send, e.g. ["outage.etr_changed"].'
                            ),
                        ),
                        (
                            "filter",
                            models.TextField(
                                blank=True,
                                help_text="Optional criteria over the payload, in the blackout criteria language.",
                            ),
                        ),
                        ("secret", models.CharField(help_text="Standard Webhooks secret (whsec_…).", max_length=200)),
                        ("enabled", models.BooleanField(default=True)),
                        (
                            "format",
                            models.CharField(
                                choices=[("standard", "Standard Webhooks"), ("tmf638", "TMF638 hub (inventory)")],
                                default="standard",
                                max_length=10,
                            ),
                        ),
                        ("query", models.TextField(blank=True, help_text="TMF hub: the listener's query, as given.")),
                        ("owner", models.CharField(blank=True, help_text="Who created it (actor).", max_length=200)),
                        ("failing_since", models.DateTimeField(blank=True, null=True)),
                        ("disabled_reason", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "owned_by",
                            models.ForeignKey(
                                blank=True,
                                help_text="The user it belongs to: a TMF hub listener is read and removed by its owner (or staff allowed to).",
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "core_subscription",
                        "ordering": ["id"],
                        "permissions": [
                            ("register_hub_listener", "Can register TMF638 hub listeners, read and remove its own")
                        ],
                    },
                ),
                migrations.AddField(
                    model_name="delivery",
                    name="subscription",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="changes.subscription",
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(fields=["status", "next_attempt_at"], name="core_delivery_due"),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        condition=models.Q(("status", "pending")), fields=["id"], name="core_delivery_pending"
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        condition=models.Q(("status", "pending")),
                        fields=["subscription", "object_key", "id"],
                        name="core_delivery_pending_object",
                    ),
                ),
            ],
            database_operations=[],  # the tables exist (core 0005 to 0011)
        ),
    ]
