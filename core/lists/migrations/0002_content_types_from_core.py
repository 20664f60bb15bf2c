"""The export jobs now belong to the ``lists`` app: their content type follows (``core`` → ``lists``), and with it
the permissions that groups and users hold (``core.export_data`` is now ``lists.export_data``, the same row; so
are ``view_exportjob`` and the others)."""

from django.db import migrations

MODELS = ("exportjob",)


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in MODELS:
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue  # a new installation: post_migrate creates the content type afterwards
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is not None:  # created meanwhile (post_migrate of a run that stopped half-way): keep the old row,
            Permission.objects.filter(
                content_type=new, codename__in=Permission.objects.filter(content_type=old).values("codename")
            ).delete()  # ... the one groups and users hold
            Permission.objects.filter(content_type=new).update(content_type=old)
            new.delete()
        ContentType.objects.filter(pk=old.pk).update(app_label=target)


def forwards(apps, schema_editor):
    _move(apps, "core", "lists")


def backwards(apps, schema_editor):
    _move(apps, "lists", "core")


class Migration(migrations.Migration):
    dependencies = [
        ("lists", "0001_moved_from_core"),
        ("core", "0013_exports_moved_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
