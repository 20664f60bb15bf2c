"""Schemathesis (CLI) with every check over every operation of the live ``/api/schema/``, as the superuser (a JWT
works in every family). Every check is on by default, and the run names none: ``--checks`` would override the
per-operation exclusions of its config file, which are ``EXCLUDED`` of ``tests/test_schema.py`` (the one list of
checks a published schema cannot make hold; docs/testing.md explains each). Bounded by examples and by time.

Counts come from its NDJSON event report: test cases, checks run, failures by check (each with one example).
"""

import ast
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def excluded_checks() -> dict[str, list[str]]:
    """``EXCLUDED`` of tests/test_schema.py, read without importing it: {"METHOD /path": [check names]}."""
    tree = ast.parse((BASE_DIR / "tests" / "test_schema.py").read_text())
    aliases = {"POSITIVE": "positive_data_acceptance"}
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "EXCLUDED" for t in node.targets):
            out = {}
            for key, value in zip(node.value.keys, node.value.values, strict=True):
                names = []
                for element in value.elts:
                    name = element.id if isinstance(element, ast.Name) else getattr(element, "attr", "")
                    names.append(aliases.get(name, name))
                out[key.value] = names
            return out
    return {}


def config_text() -> str:
    lines = []
    for label, checks in excluded_checks().items():
        method, path = label.split(" ", 1)
        lines += ["[[operations]]", f'include-method = "{method}"', f'include-path = "{path}"']
        lines += [f"checks.{check}.enabled = false" for check in checks]
        lines.append("")
    return "\n".join(lines)


def run(base_url: str, bearer: str, *, scale: float, until: float, run_dir: Path) -> dict:
    config = run_dir / "schemathesis.toml"
    config.write_text(config_text())
    events = run_dir / "schemathesis.ndjson"
    seconds = max(30, int(until - time.monotonic()))
    examples = max(2, round(6 * scale))
    cmd = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run", f"{base_url}/api/schema/"]
    cmd += ["-H", f"Authorization: Bearer {bearer}", "-n", str(examples), "--seed", "21"]
    cmd += ["--max-time", str(seconds), "--workers", "2", "--generation-allow-x00", "false", "--no-shrink"]
    cmd += ["--suppress-health-check", "all", "--request-timeout", "60", "--continue-on-failure"]
    cmd += ["--report", "ndjson", "--report-ndjson-path", str(events), "--no-color", "--output-truncate", "true"]
    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    log = run_dir / "schemathesis.log"
    try:
        with log.open("wb") as out:
            completed = subprocess.run(
                cmd, cwd=run_dir, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=seconds + 120, check=False
            )
        code = completed.returncode
    except subprocess.TimeoutExpired:
        code = "timeout"
    result = parse(events)
    result.update(examples_per_operation=examples, exit_code=code, max_time_s=seconds, excluded=excluded_checks())
    result["output_tail"] = log.read_text(errors="replace")[-3000:]
    return result


def parse(path: Path) -> dict:
    """Counts from the NDJSON events: cases, requests, checks by status, failures by check with an example."""
    cases: set = set()
    checks: Counter = Counter()
    failures: Counter = Counter()
    statuses: Counter = Counter()
    examples: dict[str, list] = {}
    errors: list[str] = []
    if not path.exists():
        return {"error": "no Schemathesis report"}
    for line in path.read_text(errors="replace").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        ((name, data),) = event.items() if isinstance(event, dict) and len(event) == 1 else (("", {}),)
        if name == "NonFatalError":
            errors.append(str(data.get("label", "")) + ": " + str(data.get("value", ""))[:300])
        if name != "ScenarioFinished":
            continue
        recorder = data.get("recorder") or {}
        label = recorder.get("label", "")
        cases.update(f"{label}:{cid}" for cid in (recorder.get("cases") or {}))
        for interaction in (recorder.get("interactions") or {}).values():
            response = (interaction or {}).get("response") or {}
            if response.get("status_code"):
                statuses[f"{response['status_code'] // 100}xx"] += 1
        for case_id, nodes in (recorder.get("checks") or {}).items():
            for node in nodes:
                status = str(node.get("status", "")).lower()
                checks[status] += 1
                if "fail" in status:
                    check = node.get("name", "?")
                    failures[check] += 1
                    bucket = examples.setdefault(check, [])
                    if len(bucket) < 5:
                        info = node.get("failure_info") or {}
                        failure = info.get("failure") or {}
                        case = (recorder.get("cases") or {}).get(case_id, {}).get("value") or {}
                        bucket.append(
                            {
                                "operation": label,
                                "title": failure.get("title") or failure.get("message", "")[:200],
                                "message": str(failure.get("message", ""))[:400],
                                "case": {
                                    k: str(v)[:300]
                                    for k, v in case.items()
                                    if k
                                    in ("method", "path", "path_parameters", "query", "body", "media_type", "headers")
                                },
                            }
                        )
    return {
        "cases": len(cases),
        "responses": dict(statuses),
        "checks_by_status": dict(checks),
        "failures_total": sum(failures.values()),
        "failures_by_check": dict(failures),
        "failure_examples": examples,
        "errors": errors[:30],
    }
