"""The import contracts of `.importlinter` (run by `make test` as `lint-imports`) hold, and a deliberate violation of
each kind breaks them: the contracts are proven to bite, on a synthetic tree shaped like ours.

import-linter cannot forbid a sub-package of an external package (``django.contrib.admin``), so that one rule is
checked here on the source of every domain-layer module.
"""

import ast
import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import package_graph

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _module_names() -> set[str]:
    parser, roots = _contracts(), set(_roots())
    names: set[str] = set()
    for section in parser.sections():
        for key in ("source_modules", "forbidden_modules", "modules", "ancestors"):
            if parser.has_option(section, key):
                names.update(n for n in _lines(parser.get(section, key)) if n.split(".")[0] in roots)
    return names


def _roots() -> list[str]:
    return _lines(_contracts().get("importlinter", "root_packages"))


def _domain_modules() -> list[str]:
    parser = _contracts()
    return sorted(
        module
        for section in parser.sections()
        if section.endswith(("-domain", "-library"))
        for module in _lines(parser.get(section, "source_modules"))
    )


def _run(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_the_contracts_are_kept():
    result = _run(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.fixture
def synthetic_tree(tmp_path):
    """Empty packages and modules with every name the contracts mention, and the real `.importlinter`."""
    shutil.copy(CONFIG, tmp_path / ".importlinter")
    for name in _module_names() | set(_roots()):
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):
            package = tmp_path.joinpath(*parts[:depth])
            package.mkdir(exist_ok=True)
            (package / "__init__.py").touch()
    assert _run(tmp_path).returncode == 0, "the empty synthetic tree must satisfy the contracts"
    return tmp_path


def _write(tree: Path, module: str, source: str) -> None:
    path = tree.joinpath(*module.split(".")) / "__init__.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source)


VIOLATIONS = {
    "a domain service imports DRF": [("outages.services", "import rest_framework\n")],
    "a domain model imports core.wire": [("inventory.models", "import core.wire\n")],
    "a selector imports its app's api": [("contacts.selectors", "import contacts.api\n")],
    "a domain module imports its app's wire family": [("blackouts.policy_input", "import blackouts.api.bmc\n")],
    "a domain service imports its app's wire family": [("inventory.services", "from inventory.api import uim\n")],
    "the product imports jsonschema": [("blackouts.schema_validation", "import jsonschema\n")],
    "an app imports another app": [("blackouts.services", "import enrollments.models\n")],
    "core imports an app": [("core.services", "import outages.models\n")],
    "the change log imports an app": [("core.changes.recording", "import outages.events\n")],
    "the change log's domain imports its api": [("core.changes.delivery", "import core.changes.api\n")],
    "an app's events module reaches its api (a renderer)": [("outages.events", "import outages.api.events\n")],
    "the change log's write imports the renderers": [("core.changes.recording", "import core.changes.rendering\n")],
    "the change log's renderers import DRF": [("core.changes.rendering", "import rest_framework\n")],
    "the lists app imports an app": [("core.lists.jobs", "import outages.models\n")],
    "the export jobs import the analyst API": [("core.lists.jobs", "import core.lists.api\n")],
    "a domain service imports the Export buttons": [("contacts.services", "import core.lists.admin\n")],
    "the lists app's modules import each other in a cycle": [
        ("core.lists.specs", "import core.lists.jobs\n"),
        ("core.lists.jobs", "import core.lists.specs\n"),
    ],
    "the imports app imports an app": [("core.imports.engine", "import enrollments.models\n")],
    "the import engine imports the Import button": [("core.imports.jobs", "import core.imports.admin\n")],
    "the import modules import each other in a cycle": [
        ("core.imports.engine", "import core.imports.setbased\n"),
        ("core.imports.setbased", "import core.imports.engine\n"),
    ],
    "the change log's modules import each other in a cycle": [
        ("core.changes.recording", "import core.changes.delivery\n"),
        ("core.changes.delivery", "import core.changes.recording\n"),
    ],
    "the criteria library imports an app": [("core.criteria.compile", "import blackouts.models\n")],
    "the criteria library imports the change log": [("core.criteria.language", "import core.changes.models\n")],
    "the criteria library imports DRF": [("core.criteria.regex", "import rest_framework\n")],
    "the criteria library's modules import each other in a cycle": [
        ("core.criteria.language", "import core.criteria.regex\n"),
        ("core.criteria.regex", "import core.criteria.language\n"),
    ],
    "services import tasks (a cycle)": [
        ("enrollments.services", "import enrollments.tasks\n"),
        ("enrollments.tasks", "import enrollments.services\n"),
    ],
}


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_a_deliberate_violation_breaks_a_contract(synthetic_tree, case):
    for module, source in VIOLATIONS[case]:
        _write(synthetic_tree, module, source)
    result = _run(synthetic_tree)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


@pytest.mark.parametrize("module", _domain_modules())
def test_the_domain_layer_does_not_import_the_admin(module):
    """``django.contrib.admin`` (and DRF, for good measure) in a domain module's own imports."""
    base = ROOT.joinpath(*module.split("."))
    files = sorted(base.rglob("*.py")) if base.is_dir() else [base.with_suffix(".py")]
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert not name.startswith(("django.contrib.admin", "rest_framework")), f"{path}: imports {name}"


def test_no_package_holds_more_than_its_share_of_the_product():
    """Issue 22's goal: the kernel and every subsystem, app and library stays a piece one maintainer can carry."""
    lines = package_graph.lines_per_package()
    total = sum(lines.values())
    largest, count = lines.most_common(1)[0]
    assert 100 * count / total <= package_graph.LARGEST_SHARE, f"{largest}: {count} of {total} lines"


def test_the_packages_import_each_other_without_a_cycle():
    """Packages form layers: apps -> subsystems -> libraries -> the kernel, never back (the picture in the docs)."""
    imports: dict[str, set[str]] = {}
    for importer, imported in package_graph.edges():
        imports.setdefault(importer, set()).add(imported)

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for imported in imports.get(todo.pop(), ()):
                if imported not in seen:
                    seen.add(imported)
                    todo.append(imported)
        return seen

    cycles = sorted(package for package in imports if package in reachable(package))
    assert not cycles, f"packages on an import cycle: {cycles}"


def test_the_architecture_page_shows_the_current_package_picture():
    """`docs/architecture.md` holds `python -m tests.package_graph`'s output between its markers: regenerate it."""
    page = (ROOT / "docs" / "architecture.md").read_text()
    begin, end = page.index(package_graph.BEGIN) + len(package_graph.BEGIN), page.index(package_graph.END)
    assert page[begin:end].strip() == package_graph.render().strip()


def test_no_module_imports_another_modules_private_names():
    """A private helper (``_name``) stays in its module: one imported elsewhere is a split made on line count, or
    a public function under a private name (issue 22). Product modules only; names of external packages are theirs."""
    found = []
    for path in package_graph.product_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (
                node.level or (node.module or "").split(".")[0] in package_graph.ROOTS
            ):
                found += [
                    f"{path.relative_to(ROOT)}: {alias.name}" for alias in node.names if alias.name.startswith("_")
                ]
    assert not found, found
