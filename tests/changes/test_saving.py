"""validate_save_record (issue 22, "every rule once"): the full_clean -> save -> record sequence of staff services,
written once and used by all four (reference rows, inventory services, external systems, webhook subscriptions)."""

import pytest

from core.changes import saving
from core.changes.models import Change
from core.errors import Invalid
from enrollments.models import Program

pytestmark = pytest.mark.django_db


def _changes(obj):
    return list(
        Change.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).values_list("action", "changes")
    )


def test_a_new_object_is_saved_and_recorded_as_created():
    program = saving.validate_save_record(Program(program_id="P-1", name="one"), code="x.invalid")
    assert Program.objects.get().name == "one"
    ((action, _),) = _changes(program)
    assert action == "created"


def test_a_changed_object_is_recorded_as_updated_with_what_changed():
    program = Program.objects.create(program_id="P-1", name="one")
    program.name = "two"
    assert saving.validate_save_record(program, code="x.invalid") is program
    assert _changes(program) == [("updated", {"name": ["one", "two"]})]
    assert Program.objects.get().name == "two"


def test_a_broken_model_rule_is_invalid_with_the_code_and_nothing_is_written():
    Program.objects.create(program_id="P-1")
    duplicate = Program(program_id="P-1", name="x" * 500)
    with pytest.raises(Invalid) as caught:
        saving.validate_save_record(duplicate, code="x.invalid")
    assert caught.value.code == "x.invalid"
    assert {path for path, _ in caught.value.errors} == {"program_id", "name"}
    assert Program.objects.count() == 1
    assert (
        not Change.objects.filter(action__in=["created", "updated"], object_type="enrollments.program")
        .exclude(object_id=str(Program.objects.get().pk))
        .exists()
    )


def _reference():
    from enrollments.services import reference_save

    return lambda: reference_save(obj=Program(program_id="P-9"))


def _service():
    from inventory.services import ServiceDetails, service_create
    from tests.factories.inventory import SpecificationFactory

    return lambda: service_create(specification_id=SpecificationFactory().pk, details=ServiceDetails(name="svc"))


def _external_system():
    from outages.models import ExternalSystem
    from outages.services import external_system_save

    return lambda: external_system_save(system=ExternalSystem(name="OMS-9"))


def _subscription():
    from core.changes.models import Subscription
    from core.changes.subscriptions import subscription_save

    sub = Subscription(name="s", target_url="https://hooks.example.com/x", event_types=["outage.created"])
    return lambda: subscription_save(subscription=sub)


@pytest.mark.parametrize(
    ("module", "make", "code"),
    [
        ("enrollments.services.reference", _reference, "enrollments.invalid_program"),
        ("inventory.services.service_records", _service, "inventory.invalid_service"),
        ("outages.services.staff", _external_system, "outages.invalid_external_system"),
        ("core.changes.subscriptions", _subscription, "webhooks.invalid_subscription"),
    ],
)
def test_each_staff_service_writes_through_the_helper(monkeypatch, module, make, code):
    import importlib

    calls = []
    real = saving.validate_save_record

    def spy(obj, *, code):
        calls.append(code)
        return real(obj, code=code)

    monkeypatch.setattr(importlib.import_module(module), "validate_save_record", spy)
    obj = make()()
    assert calls == [code]
    assert [action for action, _ in _changes(obj)] == ["created"]
