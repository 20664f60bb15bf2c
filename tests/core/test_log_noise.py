"""Issue 14's log noise, each failing before its fix: django.request warnings printed twice, admin 403s with
tracebacks, kombu's "No hostname was supplied" on every start, and the file broker's ``control/`` folder appearing
in the working directory (the repository root under ``make run``)."""

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.log_helpers import console

ROOT = Path(__file__).resolve().parents[2]


def test_a_django_request_warning_is_printed_once(settings):
    settings.DEBUG = True  # Django's own console handler only speaks with DEBUG on (make run)
    with console() as stream:
        logging.getLogger("django.request").warning("Not Found: /nowhere")
    assert stream.getvalue().count("Not Found: /nowhere") == 1, stream.getvalue()


@pytest.mark.django_db
def test_an_admin_403_is_one_line_without_a_traceback(client, django_user_model, settings):
    settings.DEBUG = True
    staff = django_user_model.objects.create_user("staff", password="staff-password", is_staff=True)
    client.force_login(staff)
    with console() as stream:
        response = client.get("/admin/outages/outageevent/")
    assert response.status_code == 403
    output = stream.getvalue()
    assert "Traceback" not in output, output
    assert output.count("Forbidden") == 1, output  # django.request's warning, once
    assert "GET /admin/outages/outageevent/ 403" in output  # and the request's own line


def test_the_file_broker_keeps_its_control_folder_under_var_and_names_a_host(tmp_path):
    """Before: kombu's ``control/`` appeared in the working directory (the repository root under ``make run``) and
    every start warned "No hostname was supplied"."""
    var = tmp_path / "var"
    script = (
        "import django, logging; django.setup()\n"
        "logging.config.dictConfig(__import__('django.conf').conf.settings.LOGGING)\n"
        "from celery import current_app\n"
        "from kombu import Exchange, Queue\n"
        "with current_app.connection_for_write() as conn:\n"
        "    conn.ensure_connection(max_retries=1)\n"
        "    Queue('probe', Exchange('probe', type='fanout'))(conn.default_channel).declare()\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "VAR_DIR": str(var),
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import logging.config\n" + script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "control").exists()
    assert (var / "broker" / "control" / "probe.exchange").exists()
    assert "No hostname was supplied" not in result.stderr
