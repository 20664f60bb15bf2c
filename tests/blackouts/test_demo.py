"""The demo data: the spec's example policies carry the spec's ids (docs/blackouts.md's curls rely on it)."""

import io

import pytest

from blackouts import demo
from blackouts.models import BlackoutPolicy


@pytest.mark.django_db
def test_demo_gives_the_spec_examples_the_spec_ids_and_loads_once():
    demo.load(stdout=io.StringIO())
    for name, policy_id in demo.SPEC_IDS.items():
        assert str(BlackoutPolicy.objects.get(name=name).pk) == policy_id
    count = BlackoutPolicy.objects.count()
    demo.load(stdout=io.StringIO())
    assert BlackoutPolicy.objects.count() == count
