"""The import jobs' model, taken over from core as it is: in the migration STATE only, on the table core created
(``Meta.db_table``), so an upgraded installation keeps its jobs and their reports. A new installation gets the
table from core's migrations 0004, 0006 and 0010, which this one follows."""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("core", "0012_change_log_moved_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ImportJob",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("model_label", models.CharField(max_length=100, verbose_name="model")),
                        ("fmt", models.CharField(max_length=8, verbose_name="format")),
                        ("filename", models.CharField(max_length=255)),
                        (
                            "file",
                            models.FileField(
                                blank=True, help_text="Empty once expired (deleted).", upload_to="imports/"
                            ),
                        ),
                        ("size", models.PositiveBigIntegerField(default=0)),
                        (
                            "apply_valid",
                            models.BooleanField(
                                default=False, help_text="Write the valid rows even if some are refused."
                            ),
                        ),
                        (
                            "stage",
                            models.CharField(
                                choices=[("DRY_RUN", "Dry run"), ("APPLY", "Import")], default="DRY_RUN", max_length=8
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
                                ],
                                db_index=True,
                                default="PENDING",
                                max_length=10,
                            ),
                        ),
                        ("background", models.BooleanField(default=False)),
                        ("bytes_done", models.PositiveBigIntegerField(default=0)),
                        ("rows_done", models.PositiveBigIntegerField(default=0)),
                        ("dry_run_report", models.JSONField(blank=True, null=True)),
                        ("report", models.JSONField(blank=True, null=True)),
                        ("error", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "heartbeat_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="When the run started; later beats touch imports/<id>.heartbeat.",
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
                        (
                            "expired_at",
                            models.DateTimeField(
                                blank=True,
                                help_text="When the uploaded file was deleted (IMPORT_UPLOAD_RETENTION_DAYS).",
                                null=True,
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="import_jobs",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "core_importjob",
                        "ordering": ["-created_at"],
                        "permissions": [("import_data", "Can import master data from files (CSV, XLSX, JSON)")],
                    },
                ),
            ],
            database_operations=[],  # the table exists (core 0004, 0006, 0010)
        ),
    ]
