"""``python -m bench``: a scenario that fails is reported and the run goes on, so the others' figures are kept."""

import subprocess

import bench.__main__ as bench_main
from bench import harness
from bench.harness import FAILED, Result


def test_a_failed_scenario_becomes_a_row_instead_of_ending_the_run(monkeypatch, capsys):
    def run(cmd, **kwargs):
        return subprocess.CompletedProcess(cmd, 1, stdout="", stderr="Traceback: boom\n")

    monkeypatch.setattr(harness.subprocess, "run", run)
    assert harness.run_in_subprocess("wire-overhead") == [Result("wire-overhead", FAILED, 0, 0.0)]
    assert "boom" in capsys.readouterr().err


def test_the_run_prints_every_figure_and_exits_non_zero_when_one_scenario_failed(monkeypatch, capsys):
    outcomes = {
        "wire-overhead": [Result("wire-overhead", FAILED, 0, 0.0)],
        "auth-basic": [Result("auth-basic", "jwt", 100, 2.0, baseline=True)],
    }
    monkeypatch.setattr(bench_main, "run_in_subprocess", lambda name: outcomes[name])
    assert bench_main.main(["wire-overhead", "auth-basic"]) == 1
    out = capsys.readouterr().out
    assert "| auth-basic | jwt | 100 |" in out and FAILED in out


def test_a_run_with_no_failure_exits_zero(monkeypatch, capsys):
    monkeypatch.setattr(bench_main, "run_in_subprocess", lambda name: [Result(name, "jwt", 100, 2.0, baseline=True)])
    assert bench_main.main(["auth-basic"]) == 0


def test_loading_the_scenarios_leaves_production_password_hashing():
    """config/settings.py hashes passwords with MD5 when pytest is imported; a scenario module that imported it
    (tests.query_budget does) made every bench child measure MD5 instead of PBKDF2 (auth-basic's full check)."""
    import sys

    code = "import sys; from bench.__main__ import load_scenarios; load_scenarios(); print('pytest' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
