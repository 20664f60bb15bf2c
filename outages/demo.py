"""Demo data: the spec's external system and a few dozen outages in every state, applied through the service."""

import random
from datetime import timedelta

from django.utils import timezone

from .domain import Characteristic, Customer, CustomerList, Detail, OutageNotification
from .models import OutageEvent, OutageType
from .services import external_system_ensure, outage_notifications_apply

SYSTEM = "CCB-NMS integration"
SPEC_ACCOUNT, SPEC_SP = "1589809032", "2486945183"
CAUSES = ["storm", "tree contact", "equipment failure", "vehicle accident", "animal contact", "planned maintenance"]


def _customers(rng: random.Random, count: int) -> list[Customer]:
    return [Customer(str(rng.randrange(10**9, 10**10)), str(rng.randrange(10**9, 10**10))) for _ in range(count)]


def _notification(rng: random.Random, index: int, now, state: str) -> OutageNotification:
    planned = state != "discarded" and index % 5 == 0
    start = now - timedelta(hours=rng.randint(1, 40), minutes=rng.randint(0, 59))
    size = 3000 if index == 1 else rng.randint(5, 600)
    listed = _customers(rng, size)
    reference = str(rng.randint(1, 30))
    fields = {
        "outage_type": OutageType.PLANNED if planned else OutageType.UNPLANNED,
        "start_date_time": start,
        "estimated_restoration_time": start + timedelta(hours=rng.randint(2, 12)),
        "discarded": state == "discarded",
        "impacted_customers": size + rng.randint(0, size // 4),
    }
    details = [
        Detail(name="cause", value="planned maintenance" if planned else rng.choice(CAUSES[:-1])),
        Detail(name="feeder", value=f"FDR-{rng.randint(100, 999)}"),
    ]
    if state == "restored":
        recent = index % 2 == 0
        fields["completion_date_time"] = now - timedelta(hours=rng.randint(1, 20) if recent else 30)
    if index == 0:
        listed[0] = Customer(SPEC_ACCOUNT, SPEC_SP)
    crew = Characteristic(
        characteristic_type="CM-CREW",
        type_of_characteristic_value="ADV ",
        sequence=10,
        value=f"Crew {rng.randint(1, 40)}",
    )
    return OutageNotification(
        outage_id="200234" if index == 0 else str(300000 + index),
        message_reference=reference,
        fields=fields,
        details=details,
        characteristics=[crew],
        customers=CustomerList(customers=listed, incremental=False),
    )


def load(*, stdout) -> str:
    """Idempotent: once the demo system has outages, nothing more is posted."""
    system = external_system_ensure(name=SYSTEM, description="Oracle Utilities Network Management System (demo)")
    if OutageEvent.objects.filter(external_system=system).exists():
        return "already loaded"
    rng = random.Random(2025)
    now = timezone.now()
    states = ["active"] * 18 + ["restored"] * 12 + ["discarded"] * 6
    notifications = [_notification(rng, index, now, state) for index, state in enumerate(states)]
    outage_notifications_apply(external_system=SYSTEM, notifications=notifications, received_by="demo")
    # Later, crews reassessed two active outages: their ETRs moved (the change log's ``outage.etr_changed``, which
    # docs/events.md lists from the demo data).
    reassessed = [
        OutageNotification(
            outage_id=n.outage_id,
            message_reference=str(int(n.message_reference) + 1),
            fields={"estimated_restoration_time": n.fields["estimated_restoration_time"] + timedelta(hours=2)},
        )
        for n in notifications[2:4]
    ]
    outage_notifications_apply(external_system=SYSTEM, notifications=reassessed, received_by="demo")
    total = sum(len(n.customers.customers) for n in notifications if n.customers)
    return f"{len(notifications)} outages ({total} customers) from {SYSTEM}"
