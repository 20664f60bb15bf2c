"""Issue #22, second step of "a kernel and subsystems with one purpose each": the analyst lists and exports moved
from ``core`` to an app of their own (``core.lists``, label ``lists``). An upgraded installation keeps its export
jobs (same table) and the permissions its groups and users hold follow the model (same rows, now ``lists.*``):
whoever could export before the upgrade still can."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from core.lists.models import ExportJob
from tests.migrating import latest, migrate

BEFORE = [("core", "0012_change_log_moved_out"), ("lists", None)]


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_installation_keeps_its_export_jobs_and_who_may_export(django_user_model):
    old = migrate(BEFORE).apps  # core as it was: ExportJob is core's
    try:
        OldExportJob = old.get_model("core", "ExportJob")
        OldPermission, OldGroup = old.get_model("auth", "Permission"), old.get_model("auth", "Group")
        OldUser = old.get_model("auth", "User")
        OldContentType = old.get_model("contenttypes", "ContentType")
        assert not OldContentType.objects.filter(app_label="lists").exists()

        exporters = OldGroup.objects.create(name="exporters (before the move)")
        exporters.permissions.add(OldPermission.objects.get(content_type__app_label="core", codename="export_data"))
        reader = OldUser.objects.create(username="exporter-before-the-move")
        reader.groups.add(exporters)
        reader.user_permissions.add(
            OldPermission.objects.get(content_type__app_label="core", codename="view_exportjob")
        )
        job = OldExportJob.objects.create(
            user=reader,
            list_key="outages.events",
            app_label="outages",
            model_name="outageevent",
            query="state=active",
            fmt="xlsx",
            status="DONE",
            rows_total=7,
            rows_done=7,
            file="exports/before.xlsx",
        )
    finally:
        migrate(latest())  # forward: the lists app takes the model over

    moved = ExportJob.objects.get(pk=job.pk)
    assert (moved.user_id, moved.list_key, moved.query, moved.fmt) == (
        reader.pk,
        "outages.events",
        "state=active",
        "xlsx",
    )
    assert (moved.status, moved.rows_done, moved.file.name) == (ExportJob.Status.DONE, 7, "exports/before.xlsx")

    # The same permission rows, now the lists app's: the group and the user keep what they held.
    held = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(pk=exporters.pk).permissions.all()}
    assert held == {"lists.export_data"}
    user = django_user_model.objects.get(pk=reader.pk)
    assert user.has_perm("lists.export_data") and user.has_perm("lists.view_exportjob")
    assert not user.has_perm("core.export_data")
    assert not ContentType.objects.filter(app_label="core", model="exportjob").exists()
    assert ContentType.objects.get_for_model(ExportJob).app_label == "lists"


@pytest.mark.django_db(transaction=True)
def test_the_move_can_be_undone():
    """Going back to core 0012 gives the model (and its content type) back to core, the rows untouched."""
    try:
        old = migrate(BEFORE).apps
        content_types = old.get_model("contenttypes", "ContentType").objects
        assert content_types.filter(app_label="core", model="exportjob").exists()
        assert not content_types.filter(app_label="lists", model="exportjob").exists()
    finally:
        migrate(latest())
    assert ContentType.objects.get_for_model(ExportJob).app_label == "lists"


def test_the_table_keeps_its_name():
    assert (ExportJob._meta.app_label, ExportJob._meta.db_table) == ("lists", "core_exportjob")
