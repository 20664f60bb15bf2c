"""Issue #22, step 2: the analyst lists and exports are an app of their own (``core.lists``, label ``lists``).
``ExportJob`` leaves core's migration STATE only. Its table (``core_exportjob``) stays where it is, with its rows:
``lists.0001_moved_from_core`` takes it over under the same name, ``lists.0002_content_types_from_core`` moves its
content type (and so the permissions groups and users hold, ``export_data`` among them)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0012_change_log_moved_out"),
        ("lists", "0001_moved_from_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ExportJob")],
            database_operations=[],  # the table stays: the lists app owns it now
        ),
    ]
