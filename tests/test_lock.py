"""The locked install (issue #24): ``uv.lock`` is the resolution of ``pyproject.toml`` as it is (a dependency edited
without ``make lock`` fails here, as ``uv sync --locked`` would at the next install), and ``requirements.lock.txt``,
what ``make install PIP=1`` gives pip, pins exactly the versions of ``uv.lock``."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _lock() -> dict:
    return tomllib.loads((ROOT / "uv.lock").read_text())


def _project(lock: dict) -> dict:
    return next(p for p in lock["package"] if p["name"] == "backoffice")


def _declared(requirement: str, extra: str | None = None) -> tuple:
    parsed = Requirement(requirement)
    return canonicalize_name(parsed.name), tuple(sorted(parsed.extras)), SpecifierSet(str(parsed.specifier)), extra


def test_the_lock_resolves_pyproject_as_it_is():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_declared(r) for r in pyproject["dependencies"]}
    for extra, requirements in pyproject["optional-dependencies"].items():
        wanted |= {_declared(r, extra) for r in requirements}
    locked = set()
    for item in _project(_lock())["metadata"]["requires-dist"]:
        extra = None
        if "marker" in item:
            extra = re.fullmatch(r"extra == '([^']+)'", item["marker"]).group(1)
        name = canonicalize_name(item["name"])
        locked.add((name, tuple(sorted(item.get("extras", []))), SpecifierSet(item.get("specifier", "")), extra))
    assert wanted == locked, "pyproject.toml changed since uv.lock was made: run `make lock` and commit both"


def test_requirements_lock_pins_the_versions_of_uv_lock():
    lock = _lock()
    versions = {canonicalize_name(p["name"]): p["version"] for p in lock["package"] if p["name"] != "backoffice"}
    pinned = {}
    for line in (ROOT / "requirements.lock.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, version = line.split(";")[0].strip().split("==")
        pinned[canonicalize_name(name)] = version
    assert pinned == versions, "requirements.lock.txt is not uv.lock's: run `make lock`"


def test_the_makefile_installs_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "cksum < uv.lock" in makefile  # the stamp names the lock installed
    assert "sync --locked --extra dev" in makefile
    assert "-r requirements.lock.txt" in makefile  # the pip fallback, the same pins
    assert "make install" in (ROOT / ".ci" / "run").read_text()
