"""Bounded work for user-supplied criteria (issue #21, finding 4): a ``matches`` pattern whose expanded repetition
is over the budget is refused at every door, and every query that evaluates criteria runs under a statement
timeout, a timeout being a clear refusal (a 400, or the policy marked in error by the tick), never a 500."""

import io
import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from blackouts import selectors, services
from blackouts import spec_examples as spec
from blackouts.event_slots import EVENT_SLOTS
from blackouts.metrics import blackout_policies_in_error
from blackouts.models import BlackoutPolicy, Event
from core import criteria
from core.criteria import regex
from core.errors import Invalid
from core.imports import specs
from core.imports.engine import run_import
from tests.factories.blackouts import BlackoutPolicyFactory, EventFactory, timeframe

pytestmark = pytest.mark.django_db

BASE = "/events-service/api/v1.0/blackout_policies"
PREVIEW = "/api/blackouts/preview/"
# The pattern (7-13 s in PostgreSQL over 3,003 events) and two of its kind: all pass the portability rules.
SLOW = [
    "((([a-z0-9]{0,5}){0,5}){0,5}){0,8}zq",
    "(([a-z]{0,9}){0,9}){0,9}qz",
    "(([0-9a-f]{0,6}){0,6}){0,6}xy",
]
UNDER_BUDGET = "(([a-z0-9]{0,2}){0,5}){0,10}zq"  # 100: the most the budget lets through
THREE = " OR ".join(f"msg matches '{p}'" for p in SLOW)
ALWAYS = timeframe(startTime="00:00", endTime="00:00", startDate="01012020")


def _event_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "blackouts_event" in q["sql"]]


# --- The budget ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("pattern", "cost"),
    [
        ("plain text, no repetition", 0),
        ("^Disk .* db[0-9]+$", 4),  # * and + count 2 each
        ("a{100}", 100),
        ("a{255}", 255),
        ("(ab){0,5}", 10),
        ("(x?){0,50}", 100),  # ? counts 2
        ("(?:ab|cd)*", 8),
        ("[[:alpha:]]{0,10}x", 10),
        ("x{2,}", 3),  # an unbounded repetition: its minimum and the fixed cost
        ("((([a-z0-9]{0,5}){0,5}){0,5}){0,8}zq", 1000),  # every nesting level multiplies
    ],
)
def test_the_expanded_repetition_multiplies_nested_bounds(pattern, cost):
    assert regex.repetition(pattern) == cost


@pytest.mark.parametrize("pattern", SLOW)
def test_a_pattern_over_the_budget_is_refused_naming_its_count_and_the_limit(pattern):
    assert regex._portability_problem(pattern) is None  # the portability rules alone accept it
    assert regex.repetition(pattern) > regex.MAX_REPETITION
    with pytest.raises(Invalid) as info:
        criteria.parse(f"msg matches '{pattern}'", EVENT_SLOTS)
    assert info.value.code == "blackouts.pattern_too_complex"
    assert f"limit is {regex.MAX_REPETITION}" in info.value.message and pattern in info.value.message


def test_the_budget_is_summed_over_every_matches_of_one_criteria():
    under = "([a-z]{0,6}){0,10}"  # 60: accepted alone
    criteria.parse(f"msg matches '{under}'", EVENT_SLOTS)
    with pytest.raises(Invalid) as info:
        criteria.parse(f"msg matches '{under}' OR NOT source_hostname matches '{under}'", EVENT_SLOTS)
    assert info.value.code == "blackouts.pattern_too_complex"
    assert "120" in info.value.message and f"limit is {regex.MAX_REPETITION}" in info.value.message


def test_the_preview_with_the_three_patterns_is_a_400_that_runs_no_query_on_events(api_client, analyst_user):
    EventFactory.create_batch(3)
    api_client.force_authenticate(analyst_user)
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post(PREVIEW, {"selector_criteria": THREE, "timeframe": ALWAYS}, format="json")
    assert response.status_code == 400, response.content
    (message,) = response.json()["selector_criteria"]
    assert "repetition" in message and f"limit is {regex.MAX_REPETITION}" in message
    assert _event_queries(queries) == []


def test_bmc_create_and_update_refuse_it_with_a_400(bmc_client):
    body = spec.body(spec.CREATE_DAILY, eventSelectorCriteria=f"msg matches '{SLOW[0]}'")
    response = bmc_client.post(BASE, data=body, format="json")
    assert response.status_code == 400, response.content
    (item,) = response.json()
    assert item["key"] == "400" and "repetition" in item["message"] and SLOW[0] in item["message"]
    assert not BlackoutPolicy.objects.exists()
    created = bmc_client.post(BASE, data=spec.body(spec.CREATE_DAILY), format="json").json()["resourceId"][0]
    update = spec.body(spec.CREATE_DAILY, eventSelectorCriteria=THREE)
    response = bmc_client.put(f"{BASE}/{created}", data=update, format="json")
    assert response.status_code == 400 and "repetition" in response.json()[0]["message"]


def test_the_admin_form_and_the_admin_preview_refuse_it(client, superuser):
    client.force_login(superuser)
    data = {
        "name": "slow",
        "description": "",
        "execution_order": 1,
        "selector_criteria": THREE,
        "timeframe": json.dumps(ALWAYS),
    }
    response = client.post(reverse("admin:blackouts_blackoutpolicy_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "repetition" in " ".join(errors["selector_criteria"])
    assert not BlackoutPolicy.objects.exists()
    preview = client.post(reverse("admin:blackouts_blackoutpolicy_preview"), data)
    assert preview.status_code == 400 and "repetition" in preview.content.decode()


def test_the_policy_import_refuses_the_row():
    row = {
        "name": "slow",
        "execution_order": 1,
        "selector_criteria": f"msg matches '{SLOW[1]}'",
        "timeframe": ALWAYS,
        "enabled": False,
    }
    report = run_import(specs.get_spec("blackouts.BlackoutPolicy"), io.BytesIO(json.dumps([row]).encode()), fmt="json")
    assert report.refused == 1 and report.refusals[0].column == "selector_criteria"
    assert "repetition" in report.refusals[0].reason
    assert not BlackoutPolicy.objects.exists()


def test_the_webhook_filter_refuses_it(api_client, superuser):
    api_client.force_authenticate(superuser)
    response = api_client.post(
        "/api/webhooks/subscriptions/",
        {"target_url": "https://hooks.example.com/x", "event_types": ["*"], "filter": f"type matches '{SLOW[2]}'"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "repetition" in " ".join(response.json()["filter"])


def test_the_webhook_filter_has_the_length_bound_of_a_policys_criteria(api_client, client, superuser):
    long_filter = "type equals '" + "x" * criteria.MAX_LENGTH + "'"
    api_client.force_authenticate(superuser)
    response = api_client.post(
        "/api/webhooks/subscriptions/",
        {"target_url": "https://hooks.example.com/x", "event_types": ["*"], "filter": long_filter},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert f"longer than {criteria.MAX_LENGTH:,} characters" in " ".join(response.json()["filter"])
    client.force_login(superuser)
    form = {"name": "long", "target_url": "https://hooks.example.com/x", "event_types": '["*"]', "filter": long_filter}
    page = client.post(reverse("admin:changes_subscription_add"), {**form, "enabled": "on", "format": "standard"})
    assert page.status_code == 200
    assert f"longer than {criteria.MAX_LENGTH:,} characters" in " ".join(
        page.context["adminform"].form.errors["filter"]
    )


# --- A legacy row (stored before the budget) never stalls the tick -----------------------------------------------
def test_a_stored_policy_over_the_budget_is_marked_in_error_without_querying_events(client, superuser):
    now = timezone.now()
    slow = BlackoutPolicyFactory(name="slow", selector_criteria="class equals 'A'", timeframe=ALWAYS)
    good = BlackoutPolicyFactory(name="good", selector_criteria="class equals 'B'", timeframe=ALWAYS)
    EventFactory(event_class="A", msg="zq")
    EventFactory(event_class="B")
    BlackoutPolicy.objects.filter(pk=slow.pk).update(selector_criteria=THREE, enabled=True)  # behind the validator
    BlackoutPolicy.objects.filter(pk=good.pk).update(enabled=True)

    with CaptureQueriesContext(connection) as queries:
        results = services.policies_tick(now=now)

    assert results == {str(slow.pk): "error", str(good.pk): "blacked out 1"}
    slow_updates = [sql for sql in _event_queries(queries) if "zq" in sql or "~" in sql or "re2" in sql]
    assert slow_updates == []  # refused before any query ran its patterns
    slow.refresh_from_db()
    assert "repetition" in slow.apply_error
    assert Event.objects.get(event_class="B").status == "BLACKOUT"
    client.force_login(superuser)
    page = client.get(reverse("admin:blackouts_blackoutpolicy_change", args=[slow.pk])).content.decode()
    assert "Window tick error" in page and "repetition" in page


# --- The statement timeout -----------------------------------------------------------------------------------------
@pytest.fixture
def budget_lifted(monkeypatch):
    """The patterns as if the budget did not exist (a row from before it, a pattern under it that is slow on a
    larger table): what the statement timeout alone must bound."""
    monkeypatch.setattr(regex, "MAX_REPETITION", 10**9)
    criteria.parse.cache_clear()
    yield
    criteria.parse.cache_clear()


@pytest.fixture
def many_events():
    Event.objects.bulk_create(
        Event(identifier=f"e{n}", msg=f"{n:x} some text of an event message {n * 7919 % 104729:x}") for n in range(3000)
    )


def test_a_preview_that_takes_too_long_is_a_400(api_client, analyst_user, settings, budget_lifted, many_events):
    settings.CRITERIA_STATEMENT_TIMEOUT_MS = 1
    api_client.force_authenticate(analyst_user)
    response = api_client.post(PREVIEW, {"selector_criteria": THREE, "timeframe": ALWAYS}, format="json")
    assert response.status_code == 400, response.content
    (message,) = response.json()["selector_criteria"]
    assert "took longer than 1 ms" in message
    assert Event.objects.count() == 3000  # the connection is still usable


def test_the_selector_raises_the_timeout_as_a_domain_error(settings, budget_lifted, many_events):
    settings.CRITERIA_STATEMENT_TIMEOUT_MS = 1
    with pytest.raises(Invalid) as info:
        selectors.policy_preview(fields={"selector_criteria": THREE, "timeframe": ALWAYS}, now=timezone.now())
    assert info.value.code == "blackouts.criteria_timeout" and info.value.field == "selector_criteria"


def test_the_tick_marks_a_policy_whose_query_times_out_in_error_and_goes_on(
    settings, budget_lifted, many_events, caplog
):
    now = timezone.now()
    slow = BlackoutPolicyFactory(name="slow", selector_criteria="class equals 'A'", timeframe=ALWAYS)
    good = BlackoutPolicyFactory(name="good", selector_criteria="_identifier equals 'e1'", timeframe=ALWAYS)
    BlackoutPolicy.objects.filter(pk=slow.pk).update(selector_criteria=THREE, enabled=True)
    BlackoutPolicy.objects.filter(pk=good.pk).update(enabled=True)
    settings.CRITERIA_WINDOW_TIMEOUT_MS = 10  # the slow one takes seconds on PostgreSQL, 60 ms on SQLite

    results = services.policies_tick(now=now)

    assert results == {str(slow.pk): "error", str(good.pk): "blacked out 1"}
    slow.refresh_from_db()
    assert "took longer than 10 ms" in slow.apply_error
    assert "marked in error" in caplog.text
    assert blackout_policies_in_error() == 1
    assert str(slow.pk) not in services.policies_tick(now=now + timedelta(seconds=15))  # waits for staff
    assert Event.objects.get(identifier="e1").status == "BLACKOUT"  # the other policy was applied


def test_a_window_edge_is_bounded_by_the_window_timeout_not_the_preview_timeout(settings, budget_lifted, many_events):
    """A window start over millions of events takes longer than a person should wait for a preview: the tick's
    statements have their own, longer bound (``CRITERIA_WINDOW_TIMEOUT_MS``)."""
    now = timezone.now()
    policy = BlackoutPolicyFactory(name="wide", selector_criteria="class equals 'A'", timeframe=ALWAYS)
    BlackoutPolicy.objects.filter(pk=policy.pk).update(selector_criteria=f"msg matches '{UNDER_BUDGET}'", enabled=True)
    settings.CRITERIA_STATEMENT_TIMEOUT_MS = 1  # would stop the UPDATE (see the test above)
    settings.CRITERIA_WINDOW_TIMEOUT_MS = 60_000

    results = services.policies_tick(now=now)

    assert results == {str(policy.pk): "blacked out 0"}
    policy.refresh_from_db()
    assert policy.apply_error == ""
    with pytest.raises(Invalid):  # the preview of the same criteria is still held to its own bound
        selectors.policy_preview(
            fields={"selector_criteria": f"msg matches '{UNDER_BUDGET}'", "timeframe": ALWAYS}, now=now
        )


def test_the_timeout_does_not_outlive_the_bounded_block(settings, many_events):
    settings.CRITERIA_STATEMENT_TIMEOUT_MS = 5000
    with criteria.bounded():
        assert (
            Event.objects.filter(criteria.to_q(criteria.parse("msg matches 'some'", EVENT_SLOTS), EVENT_SLOTS)).count()
            == 3000
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"
    settings.CRITERIA_STATEMENT_TIMEOUT_MS = 1
    heavy = criteria.to_q(
        criteria.parse(f"msg matches '{UNDER_BUDGET}'", EVENT_SLOTS), EVENT_SLOTS
    )  # within the budget, not instant
    with pytest.raises(Invalid), criteria.bounded():
        list(Event.objects.filter(heavy).values_list("pk"))
    # Outside the block nothing is bounded any more (the deadline of SQLite's matches function is gone too).
    assert Event.objects.filter(heavy).count() == 0
