"""Demo customer contacts: a few hundred notifications across channels and statuses, with their histories.

Outage notifications (origin ``NMS ``) go to the accounts the outages demo uses (1589809012, 1589809032 and
15898100NN), without a foreign key: the two apps only share account ids, as the real systems do.
Idempotent: contacts are keyed ``DEMO-CC-NNNN`` and only the missing ones are created.
"""

import random
from datetime import UTC, datetime, timedelta

from django.db.models import F

from .models import (
    ContactStatus,
    ContactStatusEvent,
    CustomerContact,
    CustomerContactIdentifier,
    DeliveryChannel,
    Origin,
    TemplateParameter,
)
from .services import cc_id_generate

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
    taken = set(CustomerContact.objects.values_list("cc_id", flat=True))
    plans = {}
    contacts = []
    for n, ext in enumerate(wanted, start=1):
        # Draw for every contact, created or not, so that each keeps the same data across runs.
        outage = rng.random() < 0.6
        channel, value = _delivery(rng, n)
        path = rng.choice(PATHS)
        steps = path[: rng.randint(1, len(path))]
        start = base + timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        late = len(steps) >= 3 and rng.random() < 0.2  # a "Sent" report that arrives after a later one
        if ext in existing:
            continue
        cc_id = cc_id_generate()
        while cc_id in taken:
            cc_id = cc_id_generate()
        taken.add(cc_id)
        times = [start + timedelta(minutes=2 * i) for i in range(len(steps))]
        plans[ext] = (steps, times, late)
        contacts.append(
            CustomerContact(
                external_cc_id=ext,
                cc_id=cc_id,
                account_id=rng.choice(OUTAGE_ACCOUNTS) if outage else f"{2200000000 + n * 7919}",
                person_id=f"{23939882 + n:010d}",
                contact_id=f"{23939882 + n:010d}",
                delivery_channel=channel,
                delivery_value=value,
                email_subject="Power outage in your area" if channel == DeliveryChannel.EMAIL and outage else "",
                notification_instance_id=f"NI-{n:06d}",
                notification_preference_id=f"CP-{100000 + n}",
                notification_type=rng.choice(OUTAGE_TYPES if outage else BILLING_TYPES),
                origin=Origin.NMS if outage else Origin.CCB,
                status=steps[-1],
                reason=REASONS.get(steps[-1], ""),
                event_captured_at=times[-1],
            )
        )
    CustomerContact.objects.bulk_create(contacts)
    ids = dict(CustomerContact.objects.filter(external_cc_id__in=plans).values_list("external_cc_id", "id"))
    events, identifiers, template = [], [], []
    for ext, (steps, times, late) in plans.items():
        contact_id = ids[ext]
        for status, at in zip(steps, times, strict=True):
            events.append(
                ContactStatusEvent(
                    contact_id=contact_id, status=status, reason=REASONS.get(status, ""), event_captured_at=at
                )
            )
        if late:
            events.append(
                ContactStatusEvent(
                    contact_id=contact_id,
                    status=S.SENT,
                    reason="late duplicate",
                    event_captured_at=times[1] - timedelta(seconds=30),
                    applied=False,
                )
            )
        identifiers += [
            CustomerContactIdentifier(contact_id=contact_id, position=0, external_ref_id=ext, identifier_type="C1EX"),
            CustomerContactIdentifier(
                contact_id=contact_id, position=1, external_ref_id=f"NP-{contact_id:08d}", identifier_type="C1NS"
            ),
        ]
        template += [
            TemplateParameter(contact_id=contact_id, position=0, key="firstName", value="Alex"),
            TemplateParameter(contact_id=contact_id, position=1, key="eta", value=times[0].strftime("%H:%M")),
        ]
    ContactStatusEvent.objects.bulk_create(events)
    CustomerContactIdentifier.objects.bulk_create(identifiers)
    TemplateParameter.objects.bulk_create(template)
    # Received a few seconds after capture, as a platform reports them (received_at is set on insert); the
    # late reports keep "now", after everything else.
    ContactStatusEvent.objects.filter(
        contact_id__in=ids.values(), event_captured_at__isnull=False, applied=True
    ).update(received_at=F("event_captured_at") + timedelta(seconds=7))
    return f"{len(contacts)} contacts created ({len(existing)} already there), {len(events)} status reports"
