"""``matches`` cannot hang (RE2), patterns are those RE2 and PostgreSQL read alike, and a policy the window tick
cannot apply is marked in error while the other policies' windows go on."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from blackouts import services
from blackouts import spec_examples as spec
from blackouts.event_slots import EVENT_SLOTS
from blackouts.models import BlackoutPolicy, Event
from core import criteria
from core.criteria import regex
from core.errors import Invalid
from tests.factories.blackouts import BlackoutPolicyFactory, EventFactory, timeframe

BASE = "/events-service/api/v1.0/blackout_policies"
REFUSED = ["a{256}", "a++", "[[:foo:]]", "(?i)abc", "(?P<x>a)", r"\bword", "(a)\\1", "a{,3}", "(?=a)", "[[:ascii:]]"]
ACCEPTED = ["^(a+)+$", "a{100}", "[[:alpha:]]+", r"\d{3}-\w+", "(?:ab|cd)*", "[.]", "x{1,5}y", r"\.\(\[", "{}", "a|"]


def matches(pattern: str) -> str:
    """Criteria ``msg matches '<pattern>'`` (a backslash is escaped inside a quoted value)."""
    return "msg matches '" + pattern.replace("\\", "\\\\").replace("'", "\\'") + "'"


@pytest.mark.timeout(30)
def test_a_catastrophic_pattern_returns_on_a_long_subject():
    """``^(a+)+$`` doubles its time with every character in a backtracking engine; RE2 is linear."""
    predicate = criteria.to_predicate(criteria.parse("msg matches '^(a+)+$'", EVENT_SLOTS), EVENT_SLOTS)
    assert predicate({"msg": "a" * 34 + "!"}) is False
    assert predicate({"msg": "a" * 34}) is True


@pytest.mark.timeout(30)
@pytest.mark.django_db
def test_a_catastrophic_pattern_returns_in_the_database_too():
    EventFactory(msg="a" * 34 + "!")
    EventFactory(msg="a" * 34)
    q = criteria.to_q(criteria.parse("msg matches '^(a+)+$'", EVENT_SLOTS), EVENT_SLOTS)
    assert Event.objects.filter(q).count() == 1


@pytest.mark.parametrize("pattern", REFUSED)
def test_patterns_another_engine_reads_differently_are_refused(pattern):
    with pytest.raises(Invalid) as info:
        criteria.parse(matches(pattern), EVENT_SLOTS)
    assert info.value.code == "blackouts.invalid_pattern"
    assert info.value.params["pattern"] == pattern


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_common_patterns_are_accepted(pattern):
    criteria.parse(matches(pattern), EVENT_SLOTS)


def test_pattern_length_is_bounded():
    with pytest.raises(Invalid, match="longer than 512"):
        criteria.parse(f"msg matches '{'a' * 513}'", EVENT_SLOTS)


def test_only_the_first_4000_characters_are_searched():
    predicate = criteria.to_predicate(criteria.parse("msg matches 'needle'", EVENT_SLOTS), EVENT_SLOTS)
    assert predicate({"msg": "x" * 3990 + "needle"}) is True
    assert predicate({"msg": "x" * 4000 + "needle"}) is False


@pytest.mark.django_db
def test_sql_and_python_agree_on_newlines_and_the_subject_bound():
    for msg in ["a\nb", "x" * 4000 + "needle", "ab"]:
        EventFactory(msg=msg)
    for text in ["a.b", "^b", "a$", "needle", "[^x]b"]:
        node = criteria.parse(f"msg matches '{text}'", EVENT_SLOTS)
        predicate = criteria.to_predicate(node, EVENT_SLOTS)
        in_sql = {e.msg for e in Event.objects.filter(criteria.to_q(node, EVENT_SLOTS))}
        in_python = {e.msg for e in Event.objects.all() if predicate(e.as_selector_input())}
        assert in_sql == in_python, text


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", ["a{256}", "a++", "[[:foo:]]"])
def test_create_refuses_the_pattern_with_a_400_naming_it(bmc_client, pattern):
    body = spec.body(spec.CREATE_DAILY, eventSelectorCriteria=f"msg matches '{pattern}'")
    response = bmc_client.post(BASE, data=body, format="json")
    assert response.status_code == 400
    (item,) = response.json()
    assert item["key"] == "400" and f"'{pattern}'" in item["message"]
    assert not BlackoutPolicy.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", ["a{256}", "a++", "[[:foo:]]"])
def test_enable_refuses_a_stored_pattern_with_a_400_naming_it(bmc_client, pattern):
    policy = BlackoutPolicyFactory(enabled=False)
    BlackoutPolicy.objects.filter(pk=policy.pk).update(selector_criteria=f"msg matches '{pattern}'")  # legacy row
    response = bmc_client.post(f"{BASE}/enable", data={"ids": [str(policy.pk)]}, format="json")
    assert response.status_code == 400
    assert f"'{pattern}'" in response.json()[0]["message"] and policy.name in response.json()[0]["message"]
    policy.refresh_from_db()
    assert policy.enabled is False


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("pattern", ["a{256}", "[[:foo:]]", "a{2,1}"])
def test_postgresql_itself_judges_patterns_in_a_savepoint(pattern):
    with pytest.raises(Invalid) as info:
        regex.check_in_database(pattern)
    assert info.value.params["pattern"] == pattern
    with connection.cursor() as cursor:  # the transaction is still usable
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize("pattern", ACCEPTED)
def test_postgresql_accepts_what_the_portable_dialect_accepts(pattern):
    regex.check_in_database(pattern)


# --- The window tick goes on -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_policy_that_cannot_be_applied_is_marked_in_error_and_the_others_go_on(client, superuser):
    now = timezone.now()
    always = timeframe(startTime="00:00", endTime="00:00", startDate=(now - timedelta(days=2)).strftime("%d%m%Y"))
    broken = BlackoutPolicyFactory(name="broken", selector_criteria="class equals 'A'", timeframe=always)
    good = BlackoutPolicyFactory(name="good", selector_criteria="class equals 'B'", timeframe=always)
    EventFactory(event_class="A")
    EventFactory(event_class="B")
    # Made unappliable behind the validator's back (a row from before a rule tightened), then both enabled.
    BlackoutPolicy.objects.filter(pk=broken.pk).update(selector_criteria="class equals", enabled=True)
    BlackoutPolicy.objects.filter(pk=good.pk).update(enabled=True)

    results = services.policies_tick(now=now)

    assert results[str(broken.pk)] == "error"
    broken.refresh_from_db()
    assert "position 13" in broken.apply_error and broken.apply_error_at == now
    assert Event.objects.get(event_class="B").status == "BLACKOUT"  # the other window was applied
    assert Event.objects.get(event_class="A").status == "OPEN"
    assert str(broken.pk) not in services.policies_tick(now=now + timedelta(seconds=15))  # waits for staff

    client.force_login(superuser)
    changelist = client.get(reverse("admin:blackouts_blackoutpolicy_changelist")).content.decode()
    assert "position 13" in changelist
    page = client.get(reverse("admin:blackouts_blackoutpolicy_change", args=[broken.pk])).content.decode()
    assert "Window tick error" in page and "position 13" in page

    BlackoutPolicy.objects.filter(pk=broken.pk).update(selector_criteria="class equals 'A'")  # staff fix it
    services.policies_set_enabled(ids=[broken.pk], enabled=True, now=now)
    broken.refresh_from_db()
    assert broken.apply_error == ""
    services.policies_tick(now=now + timedelta(seconds=30))
    assert Event.objects.get(event_class="A").status == "BLACKOUT"
