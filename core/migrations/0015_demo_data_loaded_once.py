"""``DemoLoad``: which apps ``load_demo`` has seeded in this database, so a later start never re-creates demo records
that staff deleted (issue #24). A database seeded before it gets a row for each app whose demo data the change log
shows ``command:load_demo`` created (an upgraded installation is not seeded again either)."""

from django.db import migrations, models
from django.utils import timezone


def mark_seeded_before(apps, schema_editor):
    Change = apps.get_model("changes", "Change")
    DemoLoad = apps.get_model("core", "DemoLoad")
    object_types = Change.objects.filter(actor="command:load_demo").values_list("object_type", flat=True).distinct()
    labels = sorted({object_type.split(".", 1)[0] for object_type in object_types})
    DemoLoad.objects.bulk_create(
        [
            DemoLoad(app_label=label, loaded_at=timezone.now(), summary="loaded before this was recorded")
            for label in labels
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0014_imports_moved_out"),
        ("changes", "0003_change_object_state"),
    ]

    operations = [
        migrations.CreateModel(
            name="DemoLoad",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("app_label", models.CharField(max_length=100)),
                ("loaded_at", models.DateTimeField()),
                ("summary", models.CharField(blank=True, default="", max_length=500)),
            ],
            options={
                "verbose_name": "demo data load",
                "constraints": [models.UniqueConstraint(fields=("app_label",), name="core_demoload_unique_app_label")],
            },
        ),
        migrations.RunPython(mark_seeded_before, migrations.RunPython.noop),
    ]
