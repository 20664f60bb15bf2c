"""Demo data: the spec's example policies, a few live policies, and a few thousand events. Idempotent."""

import random
from datetime import timedelta

from django.utils import timezone

from . import services, spec_examples
from .api.serializers import policy_fields
from .models import BlackoutPolicy, Event

EVENT_COUNT = 3000
CLASSES = ["EVENT", "DB", "WEB", "NETWORK", "STORAGE"]
SEVERITIES = ["CRITICAL", "MAJOR", "MINOR", "WARNING", "INFO"]
HOSTS = ["db01.example.com", "db02.example.com", "web01.example.com", "sw-core-1", "nas-7"]


def _live_bodies(now) -> list[dict]:
    def body(name, order, criteria, details, *, reset="true"):
        return {
            "name": name,
            "description": "Demo policy",
            "executionOrder": order,
            "eventSelectorCriteria": criteria,
            "enabled": True,
            "configurations": {
                "definition": {
                    "timeframeDetails": details,
                    "processing_action": {"blackoutExistingEvents": "true", "resetStatusOnBlackoutEnd": reset},
                }
            },
        }

    start = now - timedelta(minutes=10)
    end = now + timedelta(minutes=50)
    return [
        body(
            "demo-network-now",
            10,
            "class equals 'NETWORK' AND severity within ['MINOR','WARNING','INFO']",
            {
                "startDate": start.strftime("%d%m%Y"),
                "startTime": start.strftime("%H:%M"),
                "endTime": end.strftime("%H:%M"),
                "endsOn": {"never": True},
                "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
                "timeZone": {"id": "UTC", "offset": "+00:00"},
            },
        ),
        body(
            "demo-db-nightly",
            20,
            "class equals 'DB' AND ( msg contains 'backup' OR source_hostname has_prefix 'db0' )",
            {
                "startDate": now.strftime("%d%m%Y"),
                "startTime": "01:00",
                "endTime": "03:30",
                "endsOn": {"never": True},
                "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
                "timeZone": {"id": "Europe/Lisbon", "offset": "+00:00"},
            },
        ),
        body(
            "demo-web-weekday-lunch",
            30,
            "class equals 'WEB' AND NOT severity equals 'CRITICAL'",
            {
                "startDate": now.strftime("%d%m%Y"),
                "startTime": "12:00",
                "endTime": "13:00",
                "endsOn": {"occurrences": 30},
                "recurrencePattern": {"recurrence": "daily", "details": {"days": "excludeWeekends"}},
                "timeZone": {"id": "America/New_York", "offset": "-05:00"},
            },
        ),
        body(
            "demo-storage-weekend",
            40,
            "class equals 'STORAGE' AND repeat_count greater_than 3",
            {
                "startDate": now.strftime("%d%m%Y"),
                "startTime": "22:00",
                "endTime": "06:00",
                "endsOn": {"never": True},
                "recurrencePattern": {"recurrence": "weekly", "details": {"daysOfWeek": [7, 1]}},
                "timeZone": {"id": "Australia/Sydney", "offset": "+10:00"},
            },
            reset="false",
        ),
    ]


# The spec's example policies get the ids the spec's own examples use, so docs/blackouts.md's curls (the spec's
# bodies verbatim) find them: testpolicy3's GET answer, the enable/disable body, the bulk-delete body.
SPEC_IDS = {
    "testpolicy3": "6898e009-7b19-11eb-b21b-f1af2da78f15",
    "abcd": spec_examples.ENABLE_BODY["ids"][0],
    "testpolicy11": spec_examples.ENABLE_BODY["ids"][1],
    "testpolicy12": spec_examples.BULK_DELETE_BODY["ids"][0],
    "testpolicy14": spec_examples.BULK_DELETE_BODY["ids"][1],
}


def load(*, stdout) -> str:
    now = timezone.now()
    created = 0
    spec_bodies = [*spec_examples.CREATE_BODIES, spec_examples.UPDATE_BODY]
    for body in [*spec_bodies, *_live_bodies(now)]:
        if BlackoutPolicy.objects.filter(name=body["name"]).exists():
            continue
        fields = policy_fields(body)
        if body in spec_bodies:
            fields["enabled"] = True  # the spec's examples, switched on so the calendar shows them
        services.policy_create(fields=fields, owner="demo", now=now, policy_id=SPEC_IDS.get(body["name"]))
        created += 1
    events = 0
    if not Event.objects.filter(slots__demo="1").exists():
        rng = random.Random(6)
        batch = []
        for n in range(EVENT_COUNT):
            event_class = rng.choice(CLASSES)
            batch.append(
                {
                    "class": event_class,
                    "msg": rng.choice(["Test Message", "backup running", "disk usage high", "link flap", "timeout"])
                    + f" #{n}",
                    "severity": rng.choice(SEVERITIES),
                    "_identifier": rng.choice(["123", "456", f"{event_class.lower()}-{n}"]),
                    "source_hostname": rng.choice(HOSTS),
                    "repeat_count": rng.randint(0, 9),
                    "slots": {"demo": "1", "location": rng.choice(["Lisbon", "Azores", "Sydney"])},
                }
            )
        events = len(services.events_ingest(events=batch, now=now))
    return f"{created} policies, {events} events"
