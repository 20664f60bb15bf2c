"""The change log's models now belong to the ``changes`` app: their content types follow (``core`` → ``changes``),
and with them the permissions that groups and users hold (``core.view_change`` is now ``changes.view_change``,
the same row). The change log's own records of subscriptions name them ``changes.subscription`` from now on, so
the earlier ones are renamed too: a subscription's History stays whole (and so are the export jobs that name one
of the four models)."""

from django.db import migrations

MODELS = ("change", "subscription", "delivery", "deliveryattempt")


def _move(apps, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Change = apps.get_model("changes", "Change")
    ExportJob = apps.get_model("core", "ExportJob")  # a job still queued names the model it exports
    for model in MODELS:
        Change.objects.filter(object_type=f"{source}.{model}").update(object_type=f"{target}.{model}")
        ExportJob.objects.filter(app_label=source, model_name=model).update(app_label=target)
        old = ContentType.objects.filter(app_label=source, model=model).first()
        if old is None:
            continue  # a new installation: post_migrate creates the content types afterwards
        new = ContentType.objects.filter(app_label=target, model=model).first()
        if new is not None:  # created meanwhile (post_migrate of a run that stopped half-way): keep the old row,
            Permission.objects.filter(
                content_type=new, codename__in=Permission.objects.filter(content_type=old).values("codename")
            ).delete()  # ... the one groups and users hold
            Permission.objects.filter(content_type=new).update(content_type=old)
            new.delete()
        ContentType.objects.filter(pk=old.pk).update(app_label=target)


def forwards(apps, schema_editor):
    _move(apps, "core", "changes")


def backwards(apps, schema_editor):
    _move(apps, "changes", "core")


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0001_moved_from_core"),
        ("core", "0012_change_log_moved_out"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
