"""Bounded criteria (issue #21, finding 4): the window tick with a costly ``matches`` policy among normal ones, and
the analyst preview of the issue's three patterns, over 3,003 events (the issue's table).

``BENCH_CRITERIA_POLICIES`` (5) normal policies (``class equals ... OR msg contains ...``) and one of the issue's
three nested patterns, stored behind the validator's back (a legacy row), all enabled in an open window:

- baseline: a tick with nothing due (the issue's 6 ms);
- a tick where the legacy policy's window start is due: refused by the repetition budget before any query runs,
  marked in error (the issue's 6.6 s);
- the same with the patterns let through (the budget lifted, as for a pattern under the budget that is slow on a
  much larger table) and ``CRITERIA_STATEMENT_TIMEOUT_MS`` = 100: what the statement timeout bounds;
- a tick applying the normal policies' starts with the legacy one due too;
- ``POST /api/blackouts/preview/`` with the three patterns (a 400).

Goal (PostgreSQL): the tick under 100 ms with the legacy policy due. Each tick is timed ``BENCH_CRITERIA_RUNS`` (5)
times, the policies put back as due between runs; the notes give the median in ms.
"""

import os
import statistics
import uuid
from datetime import timedelta

from bench.harness import Result, scenario, timed
from bench.scenarios.blackouts import ALWAYS
from bench.support import fresh_database

EVENTS = 3003
POLICIES = int(os.environ.get("BENCH_CRITERIA_POLICIES", "5"))
RUNS = int(os.environ.get("BENCH_CRITERIA_RUNS", "5"))
PATTERNS = [
    "((([a-z0-9]{0,5}){0,5}){0,5}){0,8}zq",
    "(([a-z]{0,9}){0,9}){0,9}qz",
    "(([0-9a-f]{0,6}){0,6}){0,6}xy",
]
SLOW = " OR ".join(f"msg matches '{p}'" for p in PATTERNS)


def _events() -> None:
    from blackouts.models import Event

    Event.objects.bulk_create(
        Event(
            identifier=f"e{n}",
            event_class=f"C{n % 100}",  # about 30 events a class
            msg=f"{uuid.UUID(int=n * 7919).hex} host db-{n} abcdefgh xyz {uuid.UUID(int=n * 104729).hex}",
        )
        for n in range(EVENTS)
    )


def _policy(name: str, criteria: str, now):
    from blackouts.models import BlackoutPolicy

    return BlackoutPolicy.objects.create(
        name=name,
        selector_criteria=criteria,
        enabled=True,
        timeframe=ALWAYS,
        blackout_existing_events=True,
        reset_status_on_blackout_end=True,
        window_start=now - timedelta(hours=1),
        window_end=now + timedelta(hours=23),
        applied_edge=now - timedelta(hours=2),
    )


def _make_due(due) -> None:
    """The policies of ``due`` as before their window's start was applied, the others applied (nothing to do for
    them), every event OPEN again."""
    from django.db.models import F

    from blackouts.models import BlackoutPolicy, Event

    Event.objects.update(status="OPEN", previous_status="", blackout_policy=None, blacked_out_at=None)
    BlackoutPolicy.objects.update(
        applied_start=F("window_start"), applied_end=F("window_end"), apply_error="", apply_error_at=None
    )
    BlackoutPolicy.objects.filter(name__in=due).update(applied_start=None, applied_end=None)


def _ticks(now, due=()) -> tuple[float, list[float], dict]:
    from blackouts import services

    seconds, results = [], {}
    for _ in range(RUNS):
        _make_due(due)
        with timed() as tick:
            results = services.policies_tick(now=now)
        seconds.append(tick["seconds"])
    return sum(seconds), seconds, results


def _result(variant: str, total: float, seconds: list[float], *, baseline=False, **notes) -> Result:
    median_ms = round(statistics.median(seconds) * 1000, 1)
    return Result(
        "criteria-tick", variant, len(seconds), total, "ticks/s", baseline, extra={"median_ms": median_ms, **notes}
    )


@scenario("criteria-tick")
def tick() -> list[Result]:
    connection = fresh_database()
    from django.test import override_settings
    from django.utils import timezone

    from blackouts.models import BlackoutPolicy
    from core import criteria
    from core.criteria import regex

    _events()
    now = timezone.now()
    normal = [f"normal-{n}" for n in range(POLICIES)]
    for n, name in enumerate(normal):
        _policy(name, f"class equals 'C{n}' OR msg contains 'db-{n}7'", now)
    slow = _policy("legacy-slow", "class equals 'none'", now)
    BlackoutPolicy.objects.filter(pk=slow.pk).update(selector_criteria=SLOW)  # behind the validator's back
    notes = {"db": connection.vendor, "events": EVENTS, "policies": POLICIES + 1}
    results = []

    total, seconds, _ = _ticks(now)
    results.append(_result("nothing due (steady state)", total, seconds, baseline=True, **notes))

    total, seconds, outcome = _ticks(now, due=["legacy-slow"])
    assert outcome == {str(slow.pk): "error"}, outcome
    results.append(_result("legacy policy of the 3 patterns due (budget)", total, seconds, outcome="error"))

    original = regex.MAX_REPETITION
    regex.MAX_REPETITION = 10**9  # as if the budget let them through: the statement timeout alone bounds them
    criteria.parse.cache_clear()
    try:
        with override_settings(CRITERIA_WINDOW_TIMEOUT_MS=100):
            total, seconds, outcome = _ticks(now, due=["legacy-slow"])
    finally:
        regex.MAX_REPETITION = original
        criteria.parse.cache_clear()
    results.append(_result("the same, budget lifted, timeout 100 ms", total, seconds, outcome=outcome[str(slow.pk)]))

    total, seconds, outcome = _ticks(now, due=[*normal, "legacy-slow"])
    assert outcome[str(slow.pk)] == "error", outcome
    applied = sum(1 for value in outcome.values() if value.startswith("blacked out"))
    results.append(_result(f"{POLICIES} normal + the legacy policy due", total, seconds, applied=applied))

    from django.contrib.auth.models import Group, User
    from rest_framework.test import APIClient

    analyst = User.objects.create_user("bench-analyst")
    analyst.groups.add(Group.objects.get(name="analyst"))
    client = APIClient()
    client.force_authenticate(analyst)
    seconds = []
    for _ in range(RUNS):
        with timed() as preview:
            response = client.post(
                "/api/blackouts/preview/", {"selector_criteria": SLOW, "timeframe": ALWAYS}, format="json"
            )
        assert response.status_code == 400, response.content
        seconds.append(preview["seconds"])
    median_ms = round(statistics.median(seconds) * 1000, 1)
    results.append(
        Result(
            "criteria-preview",
            "3 patterns: 400",
            len(seconds),
            sum(seconds),
            "req/s",
            True,
            extra={"median_ms": median_ms},
        )
    )
    return results
