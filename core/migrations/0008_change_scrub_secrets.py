"""Issue #21, finding 3: subscriptions were recorded with every field, their signing secret included (on create,
rotate, delete). Replace each recorded secret by the marks the change log now writes: that it was set, that it
changed, never a value. The values are a snapshot of those of ``core.changes.registry`` (a migration must not
change when the code does)."""

from django.db import migrations

MASK_SET = "••••"
MASK_CHANGED = "•••• (changed)"
# object type -> the secret fields recorded before they were declared sensitive
SECRET_FIELDS = {"core.subscription": ("secret",)}


def _masked(pair):
    if isinstance(pair, list) and len(pair) == 2:
        return [None if pair[0] in (None, "") else MASK_SET, None if pair[1] in (None, "") else MASK_CHANGED]
    return [None, MASK_CHANGED]


def scrub(apps, schema_editor):
    Change = apps.get_model("core", "Change")
    for object_type, names in SECRET_FIELDS.items():
        found = Change.objects.filter(object_type=object_type).only("id", "changes").order_by("id")
        for change in found.iterator(chunk_size=500):
            stored = change.changes if isinstance(change.changes, dict) else {}
            if not any(name in stored for name in names):
                continue
            masked = {k: (_masked(v) if k in names else v) for k, v in stored.items()}
            if masked != stored:
                Change.objects.filter(pk=change.pk).update(changes=masked)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_delivery_pending_indexes"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop, elidable=True)]
