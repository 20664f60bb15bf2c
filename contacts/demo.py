"""Demo customer contacts: a few hundred notifications across channels and statuses, with their histories.

Outage notifications (origin ``NMS ``) go to the accounts the outages demo uses (1589809012, 1589809032 and
15898100NN), without a foreign key: the two apps only share account ids, as the real systems do.
Idempotent: contacts are keyed ``DEMO-CC-NNNN`` and only the missing ones are created. They are created by
``services.contacts_import`` as if each contact's reports had been PUT in order (ccIds, out-of-order rule, history):
the demo assigns no ``ccId`` and writes no history of its own.
"""

import random
from datetime import UTC, datetime, timedelta

from . import services
from .models import ContactStatus, CustomerContact, DeliveryChannel, IdentifierType, Origin

COUNT = 300
OUTAGE_ACCOUNTS = ["1589809012", "1589809032", *[f"15898100{n:02d}" for n in range(40)]]
S = ContactStatus
# How a notification's delivery status moves; each demo contact stops somewhere along one of these.
PATHS = [
    [S.PENDING, S.SENT, S.DELIVERED, S.OPENED, S.CLICKED],
    [S.PENDING, S.SENT, S.DELIVERED, S.AUTO_OPENED],
    [S.PENDING, S.SENT, S.BOUNCED],
    [S.PENDING, S.ERROR_SENDING],
    [S.PENDING, S.FAILED],
    [S.NOT_SENT],
    [S.SKIPPED],
]
OUTAGE_TYPES = ["OUTAGE_START", "OUTAGE_ETR_UPDATE", "OUTAGE_RESTORED"]
BILLING_TYPES = ["BILL_READY", "PAYMENT_DUE", "PLANNED_MAINTENANCE"]
REASONS = {
    S.BOUNCED: "Mailbox unavailable (550)",
    S.ERROR_SENDING: "Gateway timeout",
    S.FAILED: "Carrier rejected the message",
    S.NOT_SENT: "Customer opted out of this notification type",
    S.SKIPPED: "Quiet hours",
}


def _delivery(rng: random.Random, n: int) -> tuple[str, str]:
    channel = rng.choice(list(DeliveryChannel))
    if channel == DeliveryChannel.EMAIL:
        return channel, f"customer{n:04d}@example.com"
    return channel, f"+1415555{n:04d}"


def load(*, stdout) -> str:
    rng = random.Random(4)
    base = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    wanted = [f"DEMO-CC-{n:04d}" for n in range(1, COUNT + 1)]
    existing = set(CustomerContact.objects.filter(external_cc_id__in=wanted).values_list("external_cc_id", flat=True))
    records = []
    for n, ext in enumerate(wanted, start=1):
        # Draw for every contact, created or not, so that each keeps the same data across runs.
        outage = rng.random() < 0.6
        channel, value = _delivery(rng, n)
        path = rng.choice(PATHS)
        steps = path[: rng.randint(1, len(path))]
        start = base + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        late = len(steps) >= 3 and rng.random() < 0.2  # a "Sent" report that arrives after a later one
        account = rng.choice(OUTAGE_ACCOUNTS) if outage else f"{2200000000 + n * 7919}"
        notification_type = rng.choice(OUTAGE_TYPES if outage else BILLING_TYPES)
        if ext in existing:
            continue
        times = [start + timedelta(minutes=2 * i) for i in range(len(steps))]
        reports = [(status, REASONS.get(status, ""), at) for status, at in zip(steps, times, strict=True)]
        if late:
            reports.append((S.SENT, "late duplicate", times[1] - timedelta(seconds=30)))
        records.append(
            services.ContactImport(
                external_cc_id=ext,
                fields={
                    "account_id": account,
                    "person_id": f"{23939882 + n:010d}",
                    "contact_id": f"{23939882 + n:010d}",
                    "delivery_channel": channel,
                    "delivery_value": value,
                    "email_subject": "Power outage in your area" if channel == DeliveryChannel.EMAIL and outage else "",
                    "notification_instance_id": f"NI-{n:06d}",
                    "notification_preference_id": f"CP-{100000 + n}",
                    "notification_type": notification_type,
                    "origin": Origin.NMS if outage else Origin.CCB,
                },
                reports=reports,
                identifiers=[
                    {"external_ref_id": ext, "identifier_type": IdentifierType.EXTERNAL},
                    {"external_ref_id": f"NP-{n:08d}", "identifier_type": IdentifierType.NOTIFICATION_SYSTEM},
                ],
                template_data=[
                    {"key": "firstName", "value": "Alex"},
                    {"key": "eta", "value": times[0].strftime("%H:%M")},
                ],
            )
        )
    created = services.contacts_import(records=records)
    reports = sum(len(r.reports) for r in records)
    return f"{created} contacts created ({len(existing)} already there), {reports} status reports"
