"""The criteria language (``core.criteria``): parsing, errors naming position and token, what a slot reads
(``Slots``). The compilers' agreement is ``test_criteria_compilers.py``."""

import pytest

from blackouts.event_slots import EVENT_SLOTS
from core import criteria as lang
from core.errors import Invalid

EVENT = {
    "class": "EVENT",
    "msg": "Disk Test Message on db01",
    "severity": "MAJOR",
    "status": "OPEN",
    "_identifier": "123",
    "source_hostname": "db01.example.com",
    "source_identifier": "",
    "repeat_count": 3,
    "slots": {"location": "Lisbon"},
}


def matches(criteria: str, event: dict = EVENT) -> bool:
    return lang.to_predicate(lang.parse(criteria, EVENT_SLOTS), EVENT_SLOTS)(event)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ("( class equals 'EVENT' ) AND _identifier within '123'", True),
        ("( class equals 'EVENT' ) AND ( msg contains 'Test Message' )", True),
        ("msg contains 'test message'", True),  # contains is case-insensitive
        ("class equals 'event'", False),  # equals is not
        ("class not_equals 'EVENT'", False),
        ("severity within ['MINOR','MAJOR']", True),
        ("severity within 'MINOR','CRITICAL'", False),
        ("severity within [MINOR, MAJOR]", True),
        ("source_hostname has_prefix 'db01'", True),
        ("source_hostname starts with 'db02'", False),
        ("source_hostname ends with '.com'", True),
        ("source_hostname has_suffix 'example'", False),
        ("msg matches '^Disk .* db[0-9]+$'", True),
        ("repeat_count greater_than 2", True),
        ("repeat_count smaller_than 3", False),
        ("repeat_count greater_or_equals 3 AND repeat_count smaller_or_equals 3", True),
        ("repeat_count between [1,5]", True),
        ("repeat_count between [4,5]", False),
        ("location equals 'Lisbon'", True),  # a free slot
        ("missing_slot equals ''", True),  # a missing free slot reads as empty
        ("NOT class equals 'EVENT' OR location contains 'lis'", True),
        ("not (class equals 'EVENT' and severity equals 'MAJOR')", False),
        ("class equals 'A' OR class equals 'EVENT' AND severity equals 'MINOR'", False),  # AND binds tighter
        ("(class equals 'A' OR class equals 'EVENT') AND severity equals 'MAJOR'", True),
        ('msg contains "Test"', True),
        (r"msg equals 'it\'s'", False),
    ],
)
def test_operators(criteria, expected):
    assert matches(criteria) is expected


@pytest.mark.parametrize(
    ("criteria", "position", "token"),
    [
        ("class equals", 13, "end of input"),
        ("class foo 'x'", 7, "foo"),
        ("(class equals 'a'", 18, "end of input"),
        ("class equals 'a' AND AND msg equals 'b'", 22, "AND"),
        ("msg greater_than 3", 5, "greater_than"),
        ("repeat_count between [1]", 14, "between"),
        ("repeat_count greater_than 2.5", 14, "greater_than"),
        ("msg matches '('", 5, "matches"),
        ("msg matches '(?P<x>a)'", 5, "matches"),
        ("class equals 'a' )", 18, ")"),
        ("class equals 'a' # b", 18, "#"),
    ],
)
def test_invalid_criteria_name_position_and_token(criteria, position, token):
    with pytest.raises(Invalid) as info:
        lang.parse(criteria, EVENT_SLOTS)
    assert info.value.params["position"] == position
    assert info.value.params["token"] == token
    assert f"position {position}" in str(info.value)


def test_absurd_nesting_is_a_selector_error_not_a_crash():
    with pytest.raises(Invalid):
        lang.parse("NOT " * 900 + "class equals 'a'", EVENT_SLOTS)
    assert matches("(" * 100 + "class equals 'EVENT'" + ")" * 100)  # parentheses alone add no depth


def test_empty_criteria_is_refused():
    with pytest.raises(Invalid):
        lang.parse("   ", EVENT_SLOTS)


# --- Slots: what a slot name reads, declared by each user of the language ------------------------------------------
PAYLOAD = lang.Slots(free=None)  # as the change log's subscription filters: every slot a text key of the dict


def test_the_numeric_operators_need_a_slot_declared_numeric():
    assert lang.parse("repeat_count greater_than 2", EVENT_SLOTS)
    with pytest.raises(Invalid) as info:
        lang.parse("repeat_count greater_than 2", PAYLOAD)
    assert info.value.code == lang.CODE and info.value.params["token"] == "greater_than"


def test_without_a_free_field_every_slot_is_a_text_key_of_the_event():
    predicate = lang.to_predicate(
        lang.parse("data.state equals 'OPEN' AND type has_prefix 'outage.'", PAYLOAD), PAYLOAD
    )
    assert predicate({"data.state": "OPEN", "type": "outage.created"})
    assert not predicate({"data.state": "OPEN", "type": "contact.created", "slots": {"type": "outage.x"}})
    assert lang.to_predicate(lang.parse("missing equals ''", PAYLOAD), PAYLOAD)({})
    assert lang.to_predicate(lang.parse("n equals '0'", PAYLOAD), PAYLOAD)({"n": 0}) is False  # 0 reads as ''


def test_a_slot_with_no_column_and_no_free_field_has_no_sql_form():
    with pytest.raises(ValueError, match="no SQL form"):
        lang.to_q(lang.parse("type equals 'x'", PAYLOAD), PAYLOAD)


def test_one_text_is_parsed_once_per_declaration():
    other = lang.Slots(text=dict(EVENT_SLOTS.text), numeric={})
    assert lang.parse("msg equals 'a'", EVENT_SLOTS) is lang.parse("msg equals 'a'", EVENT_SLOTS)
    with pytest.raises(Invalid):  # the cache is keyed by the declaration too: another one judges afresh
        lang.parse("repeat_count between [1,2]", other)
    assert lang.parse("repeat_count between [1,2]", EVENT_SLOTS)
