"""Run by ``test_no_drf_in_domain.py`` in a process of its own (``python -m tests.changes.no_drf_domain``): a
service of each app is called with DRF and its companions made unreachable, and what happened is printed as one
line of JSON.

Unreachable means two things, during the service call only (Django and every app, doors included, are set up as in
production before it):

- not importable: their modules are taken out of ``sys.modules`` and an import hook refuses them, so a lazy import
  (``from .api.serializers import …`` inside a function) fails;
- not callable: a profile hook notes every call into code of theirs, so a function or class imported earlier (a
  renderer a door registered at start-up) is caught when the domain call runs it.

The broker is a list here (the messages the write sends are kept, never run): the delivery worker, which renders
the events with the apps' renderers (DRF for outages), runs elsewhere. The last scenario is the control: the same
write with the events rendered inside it, as ``record()`` did before; the hooks must catch it.
"""

import importlib.abc
import json
import os
import sys
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402

BLOCKED = ("rest_framework", "rest_framework_simplejwt", "drf_spectacular", "django_filters")


def _blocked(name: str) -> bool:
    return name.split(".")[0] in BLOCKED


class _Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if _blocked(name):
            raise ImportError(f"{name} is not reachable from the domain (tests/changes/no_drf_domain.py)")
        return None


@contextmanager
def drf_unreachable():
    """DRF and its companions cannot be imported, and any call into their code is noted in the list yielded."""
    calls: list[str] = []
    saved = {name: module for name, module in sys.modules.items() if _blocked(name)}
    for name in saved:
        del sys.modules[name]
    finder = _Refuse()
    sys.meta_path.insert(0, finder)

    def profile(frame, event, _arg):
        if event == "call":
            module = frame.f_globals.get("__name__") or ""
            if _blocked(module) and len(calls) < 20:
                calls.append(f"{module}.{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        yield calls
    finally:
        sys.setprofile(None)
        sys.meta_path.remove(finder)
        sys.modules.update(saved)


SENT: list[tuple] = []


def _broker(task_name, *args, **kwargs) -> bool:
    SENT.append((task_name, args))
    return True


def scenario(name, setup, call) -> dict:
    """Run ``call(state)`` (the domain call) with DRF unreachable, in a transaction as a door would, its commit
    included; report the error if any, the DRF calls seen, and the changes and deliveries it wrote."""
    from django.db import transaction

    from core.changes.models import Change, Delivery

    state = setup()
    first_change = Change.objects.order_by("-id").values_list("id", flat=True).first() or 0
    first_delivery = Delivery.objects.order_by("-id").values_list("id", flat=True).first() or 0
    error = ""
    with drf_unreachable() as calls:
        try:
            with transaction.atomic():
                call(state)
        except Exception as exc:  # reported, judged by the test
            error = f"{type(exc).__name__}: {exc}"
    changes = Change.objects.filter(id__gt=first_change)
    deliveries = Delivery.objects.filter(id__gt=first_delivery)
    return {
        "error": error,
        "drf_calls": calls,
        "changes": sorted({f"{c.object_type} {c.action}" for c in changes}),
        "events": sorted({e for c in changes for e in c.events}),
        "deliveries": deliveries.count(),
        "unrendered": deliveries.filter(payload={}).count(),
    }


def main() -> None:
    call_command("migrate", verbosity=0)

    from io import StringIO

    from blackouts import services as blackouts
    from contacts import services as contacts
    from core import jobs
    from core.changes import recording, subscriptions
    from core.changes.models import Subscription
    from enrollments import services as enrollments
    from inventory import demo as inventory_demo
    from inventory import services as inventory
    from outages import services as outages
    from outages.domain import OutageNotification
    from tests.factories.enrollments import jane_doe_enrollment
    from tests.factories.inventory import new_items
    from tests.factories.outages import ExternalSystemFactory

    recording.send = jobs.send = _broker  # the broker: messages kept, never run here
    inventory_demo.load(stdout=StringIO())  # reference data (parties, resources, specifications)
    subscriptions.subscription_create(target_url="https://hooks.example.com/all", event_types=["*"])
    Subscription.objects.create(
        target_url="https://listener.example.com/tmf", event_types=["*"], secret="whsec_" + "A" * 32, format="tmf638"
    )
    recording._invalidate()
    now = datetime.now(UTC)
    window = {
        "startDate": (now - timedelta(days=1)).strftime("%d%m%Y"),
        "startTime": "00:00",
        "endTime": "23:59",
        "endsOn": {"never": True},
        "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
    }

    def outage(_state):
        message = OutageNotification(outage_id="NODRF-1", message_reference="1")
        outages.outage_notifications_apply(external_system="OMS-NODRF", notifications=[message])

    def contact(_state):
        contacts.contact_upsert(external_cc_id="NODRF-1", fields={"status": "C1PN", "event_captured_at": now})

    def unenroll(enrollment):
        assert enrollments.enrollment_unenroll_now(enrollments=[enrollment], reason="CUSTOMEROPTOUT") == 1

    def policy(_state):
        fields = {
            "name": "nodrf",
            "selector_criteria": "class equals 'DB'",
            "enabled": True,
            "execution_order": 100,
            "timeframe": window,
        }
        created = blackouts.policy_create(fields=fields, now=now - timedelta(minutes=1))
        blackouts.policy_reconcile(policy_id=created.pk, now=now)  # its window opens: blackout.window_opened

    def bundle(_state):
        inventory.bundle_create(items=new_items(1), design_only=True)

    report = {
        "outages": scenario("outages", lambda: ExternalSystemFactory(name="OMS-NODRF"), outage),
        "contacts": scenario("contacts", lambda: None, contact),
        "enrollments": scenario("enrollments", jane_doe_enrollment, unenroll),
        "blackouts": scenario("blackouts", lambda: None, policy),
        "inventory": scenario("inventory", lambda: None, bundle),
    }

    # The control: the outage write with its events rendered inside it (what record() did before), so the hooks
    # are shown to catch a domain write that reaches DRF.
    from core.changes import rendering
    from core.changes.models import Change

    def render_inside(change, spec, listeners):
        try:  # as the outages app did: a lazy import of its serializer inside the write
            __import__("outages.api.serializers")
            del sys.modules["outages.api.serializers"]
            __import__("outages.api.serializers")
        except ImportError:
            report_control["import_refused"] = True
        for sub in listeners:
            for event_type in change.events:
                rendering.Rendering([change]).payload(change, sub, event_type, "evt_control")
        return real_outbox(change, spec, listeners)

    report_control = {"import_refused": False}
    real_outbox = recording._outbox
    recording._outbox = render_inside

    def outage_again(_state):
        message = OutageNotification(outage_id="NODRF-2", message_reference="1")
        outages.outage_notifications_apply(external_system="OMS-NODRF", notifications=[message])

    report["control"] = scenario("control", lambda: None, outage_again)
    recording._outbox = real_outbox
    report["control"]["recorded"] = Change.objects.filter(natural_key="OMS-NODRF/NODRF-2").exists()
    report["control"].update(report_control)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
