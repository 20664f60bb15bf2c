"""Import jobs moved to an app of their own, ``core.imports`` (label ``imports``): ``ImportJob`` leaves core's
migration STATE only. Its table (``core_importjob``) stays where it is, with its rows: ``imports.0001_moved_from_core``
takes it over under the same name, ``imports.0002_content_types_from_core`` moves its content type (and so the
permissions groups and users hold: ``core.import_data`` is now ``imports.import_data``, the same row)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0013_exports_moved_out"),
        ("imports", "0001_moved_from_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ImportJob")],
            database_operations=[],  # the table stays: the imports app owns it now
        ),
    ]
