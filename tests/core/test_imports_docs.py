"""The example files of docs/staff.md ("One example file per model") import, in the table's order, on an empty
database: the docs cannot show a file the import would refuse."""

import io
import re
from pathlib import Path

import pytest

from core.imports import specs
from core.imports.engine import run_import

DOC = Path(__file__).resolve().parents[2] / "docs" / "staff.md"


def _examples() -> list[tuple[str, str, str]]:
    text = DOC.read_text()
    section = text[text.index("### One example file per model") :]
    out = []
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| model") or line.startswith("| ---"):
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        label = re.search(r"\(`([a-z]+\.[A-Za-z]+)`\)", cells[0]).group(1)
        example = cells[2]
        fmt = "jsonl" if example.startswith("JSON Lines") else "csv"
        parts = [part.strip().strip("`") for part in example.split("<br>")]
        if fmt == "jsonl":
            parts = parts[1:]
        out.append((label, fmt, "\n".join(parts) + "\n"))
    return out


EXAMPLES = _examples()


def test_the_table_has_one_example_per_importable_model():
    assert sorted(label for label, _, _ in EXAMPLES) == sorted(s.label for s in specs.REGISTRY.values())


@pytest.mark.django_db
def test_every_example_file_imports_in_the_tables_order():
    for label, fmt, content in EXAMPLES:
        report = run_import(specs.get_spec(label), io.BytesIO(content.encode()), fmt=fmt)
        assert report.ok and report.created == content.count("\n") - (fmt == "csv"), (label, list(report.lines()))
