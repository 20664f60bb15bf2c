"""The export jobs, taken over from core as they are: in the migration STATE only, on the table core created
(``Meta.db_table``), so an upgraded installation keeps its jobs and their files. A new installation gets the table
from core's migrations 0002, 0003 and 0010, which this one follows (and the change log's move, whose content-type
migration still finds ``core.ExportJob``)."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0012_change_log_moved_out"),
        ("changes", "0002_content_types_from_core"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExportJob",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("list_key", models.CharField(blank=True, max_length=100, verbose_name="list")),
                        ("app_label", models.CharField(max_length=100)),
                        ("model_name", models.CharField(max_length=100)),
                        (
                            "query",
                            models.TextField(
                                blank=True, help_text="The list's filter query (filters, search and ordering)."
                            ),
                        ),
                        (
                            "fmt",
                            models.CharField(
                                choices=[("csv", "CSV"), ("xlsx", "XLSX")],
                                default="csv",
                                max_length=8,
                                verbose_name="format",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("PENDING", "Pending"),
                                    ("RUNNING", "Running"),
                                    ("DONE", "Done"),
                                    ("FAILED", "Failed"),
                                    ("EXPIRED", "Expired"),
                                ],
                                db_index=True,
                                default="PENDING",
                                max_length=10,
                            ),
                        ),
                        ("rows_total", models.PositiveBigIntegerField(default=0)),
                        ("rows_done", models.PositiveBigIntegerField(default=0)),
                        ("file", models.FileField(blank=True, upload_to="exports/")),
                        ("error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "heartbeat_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="When the running task last proved alive (core/heartbeat.py).",
                                null=True,
                            ),
                        ),
                        (
                            "attempts",
                            models.PositiveSmallIntegerField(
                                default=0, help_text="Runs started, the sweep's requeues included."
                            ),
                        ),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("expires_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="export_jobs",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "core_exportjob",
                        "ordering": ["-created_at"],
                        "permissions": [("export_data", "Can export filtered lists (CSV, XLSX, JSON)")],
                    },
                ),
            ],
            database_operations=[],  # the table exists (core 0002, 0003, 0010)
        ),
    ]
