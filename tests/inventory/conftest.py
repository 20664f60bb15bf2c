"""Fixtures of the inventory tests: the demo data (every entity the spec's examples name) and the examples."""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "inventory" / "api" / "examples"
BASE = "/InventoryRSOpenAPI/serviceInventoryManagement"


def example(name: str) -> dict:
    """One of the spec's example bodies (the create request less its stray comma)."""
    return copy.deepcopy(json.loads((EXAMPLES / f"bundle-{name}.json").read_text()))


@pytest.fixture
def demo(db):
    from inventory import demo

    return demo.load(stdout=StringIO())


@pytest.fixture
def create_body():
    return example("create-request")


@pytest.fixture
def update_body():
    return example("update-request")
