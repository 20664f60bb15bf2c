"""tqdm is a development tool (the ``dev`` extra): the ``export`` and ``import_records`` commands run without it,
with a plain progress line (issue 22, "Dependencies and names")."""

import io
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from core.lists import specs
from core.progress import PlainProgress, progress_bar
from tests.lists.export_urls import USER_SPEC

COMMANDS = ("core.management.commands.export", "core.imports.management.commands.import_records")


@pytest.fixture
def without_tqdm(monkeypatch):
    """tqdm made unimportable, and the commands imported afresh (as in an installation without the dev extra)."""
    monkeypatch.setitem(sys.modules, "tqdm", None)
    for name in COMMANDS:
        monkeypatch.delitem(sys.modules, name, raising=False)


@pytest.fixture
def users_list():
    specs.register(USER_SPEC)
    yield
    specs.REGISTRY.pop(USER_SPEC.key, None)


def test_the_plain_bar_writes_a_line_per_tenth_and_at_the_end():
    out = io.StringIO()
    bar = PlainProgress(total=200, unit="rows", file=out)
    for _ in range(200):
        bar.update(1)
    bar.set_postfix_str("done")
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "1 / 200 rows (0%)"
    assert lines[-1] == "200 / 200 rows (100%)"
    assert len(lines) == 11  # 0%..100% in tenths, the end not written twice


def test_a_disabled_plain_bar_writes_nothing():
    out = io.StringIO()
    bar = PlainProgress(total=5, unit="rows", disable=True, file=out)
    bar.update(5)
    bar.close()
    assert out.getvalue() == ""


def test_without_tqdm_the_plain_bar_is_used(without_tqdm):
    assert isinstance(progress_bar(total=1, unit="rows"), PlainProgress)


@pytest.mark.django_db
def test_export_runs_without_tqdm(without_tqdm, users_list, tmp_path, capsys):
    get_user_model().objects.create(username="alice")
    target = tmp_path / "users.csv"
    call_command("export", "tests.users", "--fields", "username", "-o", str(target))
    assert target.read_text().splitlines() == ["Username", "alice"]
    assert "1 / 1 rows (100%)" in capsys.readouterr().err


@pytest.mark.django_db
def test_import_records_runs_without_tqdm(without_tqdm, tmp_path, capsys):
    from enrollments.models import Premise

    path = tmp_path / "premises.csv"
    path.write_text("cis_premise_id,address1,city,state\nP-1,1 Main St.,Springfield,CA\n")
    call_command("import_records", "enrollments.Premise", str(path), stdout=io.StringIO())
    assert Premise.objects.count() == 1
    assert "(100%), 1 rows" in capsys.readouterr().err
