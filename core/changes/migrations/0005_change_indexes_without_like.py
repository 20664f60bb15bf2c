"""The change log's indexes without PostgreSQL's ``_like`` twins and without the one on ``object_type`` alone
(``core_change_object`` serves it); the plain indexes are renamed, not rebuilt: the change log is the largest table,
and building an index on it holds its writes (every domain write records a change) for as long as it takes."""

from django.db import migrations, models

TABLE = "core_change"
RENAMED = {  # column -> the index name the model now declares
    "actor": "core_change_actor",
    "request_id": "core_change_request_id",
    "natural_key": "core_change_natural_key",
    "action": "core_change_action",
}
DROPPED = ("object_type",)


def _single_column_indexes(schema_editor) -> dict[str, str]:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, TABLE)
    return {
        name: c["columns"][0]
        for name, c in found.items()
        if c["index"] and not c["primary_key"] and not c["unique"] and len(c["columns"]) == 1
    }


def forwards(apps, schema_editor):
    q = schema_editor.quote_name
    postgres = schema_editor.connection.vendor == "postgresql"
    renamed = set()
    for name, column in _single_column_indexes(schema_editor).items():
        if column not in RENAMED and column not in DROPPED:
            continue
        if name == RENAMED.get(column):
            renamed.add(column)
        elif postgres and column in RENAMED and column not in renamed and not name.endswith("_like"):
            schema_editor.execute(f"ALTER INDEX {q(name)} RENAME TO {q(RENAMED[column])}")
            renamed.add(column)
        else:  # a "_like" twin, the object_type index, or (SQLite: no ALTER INDEX … RENAME) the old plain one
            schema_editor.execute(f"DROP INDEX {q(name)}")
    for column, name in RENAMED.items():
        if column not in renamed:
            schema_editor.execute(f"CREATE INDEX {q(name)} ON {q(TABLE)} ({q(column)})")


def backwards(apps, schema_editor):
    q = schema_editor.quote_name
    postgres = schema_editor.connection.vendor == "postgresql"
    for column in (*RENAMED, *DROPPED):
        old = schema_editor._create_index_name(TABLE, [column])
        if column in RENAMED and postgres:
            schema_editor.execute(f"ALTER INDEX {q(RENAMED[column])} RENAME TO {q(old)}")
        else:
            if column in RENAMED:
                schema_editor.execute(f"DROP INDEX {q(RENAMED[column])}")
            schema_editor.execute(f"CREATE INDEX {q(old)} ON {q(TABLE)} ({q(column)})")
        if postgres:
            like = schema_editor._create_index_name(TABLE, [column], suffix="_like")
            schema_editor.execute(f"CREATE INDEX {q(like)} ON {q(TABLE)} ({q(column)} varchar_pattern_ops)")


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0004_subscription_base_url_api_version"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="change",
                    name="action",
                    field=models.CharField(max_length=50),
                ),
                migrations.AlterField(
                    model_name="change",
                    name="actor",
                    field=models.CharField(blank=True, help_text="user:…, task:…, command:…", max_length=200),
                ),
                migrations.AlterField(
                    model_name="change",
                    name="natural_key",
                    field=models.CharField(blank=True, max_length=500),
                ),
                migrations.AlterField(
                    model_name="change",
                    name="object_type",
                    field=models.CharField(help_text="app_label.model", max_length=100),
                ),
                migrations.AlterField(
                    model_name="change",
                    name="request_id",
                    field=models.CharField(blank=True, max_length=128),
                ),
                migrations.AddIndex(
                    model_name="change",
                    index=models.Index(fields=["actor"], name="core_change_actor"),
                ),
                migrations.AddIndex(
                    model_name="change",
                    index=models.Index(fields=["request_id"], name="core_change_request_id"),
                ),
                migrations.AddIndex(
                    model_name="change",
                    index=models.Index(fields=["natural_key"], name="core_change_natural_key"),
                ),
                migrations.AddIndex(
                    model_name="change",
                    index=models.Index(fields=["action"], name="core_change_action"),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
