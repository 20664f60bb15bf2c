"""The import jobs' model now belongs to the ``imports`` app: its content type follows (``core`` → ``imports``), and
with it the permissions that groups and users hold (``core.import_data`` is now ``imports.import_data``,
``core.view_importjob`` ``imports.view_importjob``: the same rows)."""

from django.db import migrations

MODELS = ("importjob",)


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Change = apps.get_model("changes", "Change")
    for model in MODELS:
        Change.objects.filter(object_type=f"{source}.{model}").update(object_type=f"{target}.{model}")
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
    _move(apps, "core", "imports")


def backwards(apps, schema_editor):
    _move(apps, "imports", "core")


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_moved_from_core"),
        ("core", "0014_imports_moved_out"),
        ("changes", "0002_content_types_from_core"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
