"""Demo data: the spec's external system and a few dozen outages in every state, posted through the service."""

import random
from datetime import timedelta

from django.utils import timezone

from .models import OutageEvent
from .services import external_system_ensure, outage_notifications_apply

SYSTEM = "CCB-NMS integration"
SPEC_ACCOUNT, SPEC_SP = "1589809032", "2486945183"
CAUSES = ["storm", "tree contact", "equipment failure", "vehicle accident", "animal contact", "planned maintenance"]


def _customers(rng: random.Random, count: int) -> list[dict]:
    return [
        {"accountId": str(rng.randrange(10**9, 10**10)), "spId": str(rng.randrange(10**9, 10**10))}
        for _ in range(count)
    ]


def _message(rng: random.Random, index: int, now, state: str) -> dict:
    planned = state != "discarded" and index % 5 == 0
    start = now - timedelta(hours=rng.randint(1, 40), minutes=rng.randint(0, 59))
    size = 3000 if index == 1 else rng.randint(5, 600)
    listed = _customers(rng, size)
    details = {
        "externalOutageId": "200234" if index == 0 else str(300000 + index),
        "messageReference": str(rng.randint(1, 30)),
        "outageType": "C1PL" if planned else "C1UP",
        "startDateTime": start.isoformat(),
        "estimatedRestorationTime": (start + timedelta(hours=rng.randint(2, 12))).isoformat(),
        "discarded": state == "discarded",
        "impactedCustomers": size + rng.randint(0, size // 4),
        "additionalDetails": [
            {"name": "cause", "value": "planned maintenance" if planned else rng.choice(CAUSES[:-1])},
            {"name": "feeder", "value": f"FDR-{rng.randint(100, 999)}"},
        ],
    }
    if state == "restored":
        recent = index % 2 == 0
        details["completionDateTime"] = (now - timedelta(hours=rng.randint(1, 20) if recent else 30)).isoformat()
    if index == 0:
        listed[0] = {"accountId": SPEC_ACCOUNT, "spId": SPEC_SP}
    return {
        "eventDetails": details,
        "customerInformation": {"incrementalUpdate": False, "customers": listed},
        "characteristics": [
            {
                "characteristicType": "CM-CREW",
                "typeOfCharacteristicValue": "ADV ",
                "sequence": 10,
                "characteristicValue": {"value": f"Crew {rng.randint(1, 40)}"},
            }
        ],
    }


def load(*, stdout) -> str:
    """Idempotent: once the demo system has outages, nothing more is posted."""
    system = external_system_ensure(name=SYSTEM, description="Oracle Utilities Network Management System (demo)")
    if OutageEvent.objects.filter(external_system=system).exists():
        return "already loaded"
    rng = random.Random(2025)
    now = timezone.now()
    states = ["active"] * 18 + ["restored"] * 12 + ["discarded"] * 6
    messages = [_message(rng, index, now, state) for index, state in enumerate(states)]
    outage_notifications_apply(external_system=SYSTEM, messages=messages, received_by="demo")
    total = sum(len(m["customerInformation"]["customers"]) for m in messages)
    return f"{len(messages)} outages ({total} customers) from {SYSTEM}"
