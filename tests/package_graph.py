"""The package picture of `docs/architecture.md`: product code lines per package and the imports between packages.

A *package* here is what a maintainer carries as one piece: each Django app of ours (a directory with ``apps.py``:
``outages``, ``core``, ``core.changes``, ...), each library package listed in ``LIBRARIES`` (plain code several
apps import, with no models of its own), and ``config``. A module belongs to the innermost package holding it; a
sub-package that is neither (``blackouts/api``, ``inventory/services``) counts in its app. Product code is every
``.py`` file under the roots, migrations excepted (tests, ``bench/`` and ``deploy/`` are not product code).

``python -m tests.package_graph`` prints the table and the Mermaid graph that `docs/architecture.md` holds between
its ``package-graph`` markers (``--write`` puts them there); `tests/test_architecture.py` keeps the page equal to
it and the largest package at or under ``LARGEST_SHARE`` of the product.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROOTS = ("config", "core", "outages", "contacts", "enrollments", "blackouts", "inventory")
# Library packages: imported by several apps, no models, no AppConfig. Each has its own import contract.
LIBRARIES = ("core.criteria", "core.wire")
LARGEST_SHARE = 15.0
BEGIN, END = "<!-- package-graph:begin -->", "<!-- package-graph:end -->"


def packages(root: Path = ROOT) -> list[str]:
    """Every package name, longest first (so the innermost one matches a module first)."""
    names = set(ROOTS)
    for top in ROOTS:
        for apps in (root / top).rglob("apps.py"):
            names.add(".".join(apps.parent.relative_to(root).parts))
    names.update(name for name in LIBRARIES if (root / name.replace(".", "/")).is_dir())
    return sorted(names, key=lambda name: (-name.count("."), name))


def package_of(module: str, names: list[str]) -> str:
    return next(name for name in names if module == name or module.startswith(name + "."))


def _module(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def product_files(root: Path = ROOT):
    for top in ROOTS:
        for path in sorted((root / top).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                yield path


def lines_per_package(root: Path = ROOT) -> Counter:
    names, lines = packages(root), Counter()
    for path in product_files(root):
        lines[package_of(_module(path, root), names)] += len(path.read_text().splitlines())
    return lines


def edges(root: Path = ROOT) -> Counter:
    """(importer package, imported package) -> how many module-level imports cross between them."""
    import grimp

    sys.path.insert(0, str(root))
    try:
        graph = grimp.build_graph(*ROOTS, cache_dir=None)
    finally:
        sys.path.remove(str(root))
    names, found = packages(root), Counter()
    for importer in graph.modules:
        if ".migrations" in importer:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            if ".migrations" in imported or imported.split(".")[0] not in ROOTS:
                continue
            pair = (package_of(importer, names), package_of(imported, names))
            if pair[0] != pair[1]:
                found[pair] += 1
    return found


def render(root: Path = ROOT) -> str:
    lines = lines_per_package(root)
    total = sum(lines.values())
    table = ["| package | kind | lines | share |", "| --- | --- | ---: | ---: |"]
    for name, count in sorted(lines.items(), key=lambda item: (-item[1], item[0])):
        kind = "library" if name in LIBRARIES else "project" if name == "config" else "app"
        table.append(f"| `{name}` | {kind} | {count:,} | {100 * count / total:.1f}% |")
    table.append(f"| **product** | | **{total:,}** | |")
    graph = ["```mermaid", "flowchart TD"]
    for (importer, imported), count in sorted(edges(root).items()):
        source, target = importer.replace(".", "_"), imported.replace(".", "_")
        graph.append(f"    {source}[{importer}] -->|{count}| {target}[{imported}]")
    graph.append("```")
    return "\n".join([*table, "", *graph])


def write_page(root: Path = ROOT) -> None:
    """Put the current picture between the markers of ``docs/architecture.md``."""
    page = root / "docs" / "architecture.md"
    text = page.read_text()
    begin, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    page.write_text(f"{text[:begin]}\n{render(root)}\n{text[end:]}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write_page()
    else:
        print(render(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT))
