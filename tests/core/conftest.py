import pytest
from celery import current_app


@pytest.fixture
def file_queue(tmp_path, monkeypatch):
    """The file broker, in a folder of this test's own (no task left over from another run counts)."""
    folder = tmp_path / "broker"
    for sub in ("in", "processed", "control"):
        (folder / sub).mkdir(parents=True)
    options = {
        "data_folder_in": str(folder / "in"),
        "data_folder_out": str(folder / "in"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
    }
    monkeypatch.setattr(current_app.conf, "broker_url", "filesystem://localhost/")
    monkeypatch.setattr(current_app.conf, "broker_transport_options", options)
    return folder / "in"
