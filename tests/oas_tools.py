"""``make oas-check``: the published OpenAPI document through the tools integrators use (issue 23).

Installs, from the registries the project already uses, into ``$VAR_DIR/oas-tools`` (``var/oas-tools``):
Redocly CLI, Spectral and openapi-typescript (npm), openapi-generator (PyPI's ``openapi-generator-cli``, which
bundles the jar; needs Java 11+) in a venv of its own; openapi-python-client is the one of the dev extra. Then,
against ``manage.py spectacular --format openapi-json --file``:

- openapi-python-client ``generate`` at its default settings: every operation generated; a warning fails the run
  except its one known limitation (no XML request body: one warning per operation declaring one beside JSON);
- openapi-generator ``generate -g python`` with its spec validation on (the default): exit 0, every operation;
- openapi-typescript: every operation in the generated ``operations``;
- Redocly ``lint`` with ``recommended``: 0 errors;
- Spectral ``lint`` with ``spectral:oas``: 0 errors.

Warnings left are printed by rule with their counts; docs/testing.md says why each is left. Not part of
``make test`` (it downloads tools); ``python -m tests.oas_tools --offline`` reuses what is installed.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NPM_PACKAGES = {"@redocly/cli": "2.77.0", "@stoplight/spectral-cli": "6.16.3", "openapi-typescript": "7.13.0"}
PYPI_PACKAGES = {"openapi-generator-cli": "7.26.0"}
METHODS = ("get", "put", "post", "delete", "patch")
XML_BODY_WARNING = "Unsupported content type application/xml"


def run(command, *, cwd=None, env=None, check=True, timeout=900) -> subprocess.CompletedProcess:
    shown = " ".join(str(part) for part in command)
    print(f"$ {shown}", flush=True)
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {shown}\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done


def install(home: Path, offline: bool) -> dict[str, Path]:
    npm_dir, venv = home / "npm", home / "venv"
    binaries = {
        "redocly": npm_dir / "node_modules" / ".bin" / "redocly",
        "spectral": npm_dir / "node_modules" / ".bin" / "spectral",
        "openapi-typescript": npm_dir / "node_modules" / ".bin" / "openapi-typescript",
        "openapi-generator-cli": venv / "bin" / "openapi-generator-cli",
        "openapi-python-client": Path(sys.executable).parent / "openapi-python-client",
    }
    if not offline:
        if shutil.which("npm") is None:
            sys.exit("npm is needed (Node.js 20+) for Redocly, Spectral and openapi-typescript")
        npm_dir.mkdir(parents=True, exist_ok=True)
        specs = [f"{name}@{version}" for name, version in NPM_PACKAGES.items()]
        run(["npm", "install", "--no-audit", "--no-fund", "--prefix", npm_dir, *specs])
        if not (venv / "bin" / "python").exists():
            run([sys.executable, "-m", "venv", venv])
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             *[f"{name}=={version}" for name, version in PYPI_PACKAGES.items()]])  # fmt: skip
    missing = [name for name, path in binaries.items() if not path.exists()]
    if missing:
        sys.exit(f"not installed: {', '.join(missing)} (run without --offline)")
    return binaries


def schema(home: Path) -> tuple[Path, dict]:
    path = home / "schema.json"
    env = {**os.environ, "TESTING": os.environ.get("TESTING", "1")}
    run(
        [
            sys.executable,
            ROOT / "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--format",
            "openapi-json",
            "--file",
            path,
        ],
        cwd=ROOT,
        env=env,
    )
    return path, json.loads(path.read_text())


def operations(document: dict) -> dict[str, str]:
    """operationId → "METHOD path"."""
    return {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def snake(operation_id: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", operation_id).lower()


def python_client(binaries, home: Path, spec: Path, document: dict) -> tuple[list[str], list[str]]:
    out = home / "openapi-python-client"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = run([binaries["openapi-python-client"], "generate", "--path", spec, "--output-path", out], env=env)
    output = done.stdout + done.stderr
    blocks = re.split(r"\n(?=WARNING |ERROR |Unable |Skipping )", output)
    warnings = [block.strip() for block in blocks if re.match(r"(WARNING|ERROR|Unable|Skipping)", block.strip())]
    errors = [block for block in warnings if XML_BODY_WARNING not in block]
    generated = {path.stem for path in out.glob("*/api/*/*.py") if path.stem != "__init__"}
    missing = [op for op in operations(document) if snake(op) not in generated]
    errors += [f"not generated: {operations(document)[op]} ({op})" for op in missing]
    known = [block.splitlines()[0] + f": {XML_BODY_WARNING}" for block in warnings if XML_BODY_WARNING in block]
    print(f"openapi-python-client: {len(generated)} of {len(operations(document))} operations generated")
    return errors, known


def openapi_generator(binaries, home: Path, spec: Path, document: dict) -> tuple[list[str], list[str]]:
    out = home / "openapi-generator-python"
    shutil.rmtree(out, ignore_errors=True)
    done = run(
        [
            binaries["openapi-generator-cli"],
            "generate",
            "-g",
            "python",
            "-i",
            spec,
            "-o",
            out,
            "--package-name",
            "oasclient",
        ],
        check=False,
    )
    output = done.stdout + done.stderr
    errors = [line for line in output.splitlines() if " ERROR " in line or line.startswith("Exception")]
    if done.returncode != 0:
        errors.append(f"exit {done.returncode}: {output[-2000:]}")
    generated = set()
    for module in (out / "oasclient" / "api").glob("*.py"):
        generated |= set(re.findall(r"^    def (\w+)_with_http_info\(", module.read_text(), flags=re.MULTILINE))
    expected = {snake(op) for op in operations(document)}
    errors += [f"not generated: {name}" for name in sorted(expected - generated)]
    warnings = [re.sub(r"^.*?WARN\s+", "", line) for line in output.splitlines() if " WARN " in line]
    print(f"openapi-generator (python, validation on): {len(generated & expected)} of {len(expected)} operations")
    return errors, warnings


def openapi_typescript(binaries, home: Path, spec: Path, document: dict) -> tuple[list[str], list[str]]:
    out = home / "openapi-typescript" / "schema.d.ts"
    out.parent.mkdir(parents=True, exist_ok=True)
    done = run([binaries["openapi-typescript"], spec, "-o", out], check=False)
    errors = [] if done.returncode == 0 else [f"exit {done.returncode}: {(done.stdout + done.stderr)[-2000:]}"]
    text = out.read_text() if out.exists() else ""
    block = text.split("export interface operations {", 1)[-1] if "export interface operations {" in text else ""
    found = set(re.findall(r"^    \"?([\w.-]+)\"?: \{", block, flags=re.MULTILINE))
    errors += [f"not generated: {op}" for op in operations(document) if op not in found]
    print(f"openapi-typescript: {len(found & set(operations(document)))} of {len(operations(document))} operations")
    warnings = [line for line in (done.stdout + done.stderr).splitlines() if "warn" in line.lower()]
    return errors, warnings


def redocly(binaries, home: Path, spec: Path, document: dict) -> tuple[list[str], list[str]]:
    done = run(
        [binaries["redocly"], "lint", "--extends", "recommended", "--format", "json", "--max-problems", "10000", spec],
        check=False,
    )
    start = done.stdout.find("{")
    problems = json.loads(done.stdout[start:])["problems"] if start >= 0 else []
    if start < 0:
        return [f"no report: {(done.stdout + done.stderr)[-2000:]}"], []
    errors = [f"{p['ruleId']}: {p['message']}" for p in problems if p["severity"] == "error"]
    warnings = [f"{p['ruleId']}: {p['message']}" for p in problems if p["severity"] != "error"]
    return errors, warnings


def spectral(binaries, home: Path, spec: Path, document: dict) -> tuple[list[str], list[str]]:
    ruleset = home / "spectral.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n')
    done = run([binaries["spectral"], "lint", "--ruleset", ruleset, "--format", "json", spec], check=False)
    start = done.stdout.find("[")
    if start < 0:
        return [f"no report: {(done.stdout + done.stderr)[-2000:]}"], []
    problems = json.loads(done.stdout[start:])
    where = lambda p: "/".join(map(str, p.get("path", [])))  # noqa: E731
    errors = [f"{p['code']}: {where(p)}: {p['message']}" for p in problems if p["severity"] == 0]
    warnings = [f"{p['code']}: {p['message']}" for p in problems if p["severity"] != 0]
    return errors, warnings


TOOLS = {
    "openapi-python-client": python_client,
    "openapi-generator": openapi_generator,
    "openapi-typescript": openapi_typescript,
    "redocly (recommended)": redocly,
    "spectral (spectral:oas)": spectral,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--offline", action="store_true", help="use the tools already installed")
    options = parser.parse_args(argv)
    home = Path(os.environ.get("VAR_DIR") or ROOT / "var") / "oas-tools"
    home.mkdir(parents=True, exist_ok=True)
    binaries = install(home, options.offline)
    spec, document = schema(home)
    failed = False
    report = []
    for name, tool in TOOLS.items():
        errors, warnings = tool(binaries, home, spec, document)
        failed |= bool(errors)
        report.append((name, errors, warnings))
    print("\n== OpenAPI tools ==")
    print(f"document: {len(operations(document))} operations")
    for name, errors, warnings in report:
        print(f"\n{name}: {len(errors)} errors, {len(warnings)} warnings")
        for line in errors:
            print(f"  ERROR {line}")
        for line, count in Counter(re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", "…", w)[:160] for w in warnings).items():
            print(f"  warning x{count}: {line}")
    print("\n" + ("FAILED" if failed else "OK: every tool built every operation; 0 lint errors"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
