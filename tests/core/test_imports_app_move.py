"""Issue #22: imports moved from ``core`` to an app of their own (``core.imports``, label ``imports``). An upgraded
installation keeps its import jobs and their reports (same table), and the permissions its groups and users hold
follow the model (same rows, now ``imports.import_data`` and ``imports.view_importjob``)."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from core.imports.models import ImportJob
from tests.migrating import latest, migrate

BEFORE = [("core", "0012_change_log_moved_out"), ("imports", None)]


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_installation_keeps_its_import_jobs_and_permissions(django_user_model):
    old = migrate(BEFORE).apps  # core as it was: ImportJob is core's
    try:
        OldPermission, OldGroup = old.get_model("auth", "Permission"), old.get_model("auth", "Group")
        OldContentType = old.get_model("contenttypes", "ContentType")
        assert not OldContentType.objects.filter(app_label="imports").exists()
        operator = old.get_model("auth", "User").objects.create(username="operator-before-the-move")
        job = old.get_model("core", "ImportJob").objects.create(
            user=operator,
            model_label="enrollments.Premise",
            fmt="csv",
            filename="premises.csv",
            size=42,
            stage="APPLY",
            status="DONE",
            report={"rows": 1, "created": 1, "refused": 0},
        )
        importers = OldGroup.objects.create(name="importers (before the move)")
        importers.permissions.add(OldPermission.objects.get(content_type__app_label="core", codename="import_data"))
        operator.groups.add(importers)
        operator.user_permissions.add(
            OldPermission.objects.get(content_type__app_label="core", codename="view_importjob")
        )
    finally:
        migrate(latest())  # forward: the imports app takes the model over

    moved = ImportJob.objects.get(pk=job.pk)
    assert (moved.user_id, moved.model_label, moved.filename, moved.size) == (
        operator.pk,
        "enrollments.Premise",
        "premises.csv",
        42,
    )
    assert (moved.stage, moved.status, moved.report["created"]) == (ImportJob.Stage.APPLY, ImportJob.Status.DONE, 1)

    # The same permission rows, now the imports app's: the group and the user keep what they held.
    held = {f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(pk=importers.pk).permissions.all()}
    assert held == {"imports.import_data"}
    user = django_user_model.objects.get(pk=operator.pk)
    assert user.has_perm("imports.import_data") and user.has_perm("imports.view_importjob")
    assert not user.has_perm("core.import_data")
    assert not ContentType.objects.filter(app_label="core", model="importjob").exists()
    assert ContentType.objects.get_for_model(ImportJob).app_label == "imports"


def test_the_table_keeps_its_name():
    assert (ImportJob._meta.db_table, ImportJob._meta.app_label) == ("core_importjob", "imports")
