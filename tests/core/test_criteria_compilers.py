"""The three compilers of the criteria language (``core.criteria``) agree: for random criteria and random events,
the Django ``Q`` run by the database (SQLite, or PostgreSQL when ``DATABASE_URL`` names it), the Python predicate and
the batch evaluator select the same events. Run on both databases (docs/testing.md).

The ``Q`` runs over blackouts' ``Event`` with blackouts' declaration (``EVENT_SLOTS``): the one model the language
is compiled to SQL for, with text columns, a numeric column and a JSON field of free slots.
"""

from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from blackouts.event_slots import EVENT_SLOTS
from blackouts.models import Event
from core import criteria as lang
from core.criteria import batch as batch_module
from core.criteria import dispatch as dispatch_module

# --- Random criteria and events -----------------------------------------------------------------------------------
TEXT = st.text(alphabet="aAbB1 -.", max_size=6)
TEXT_SLOTS = ["class", "msg", "severity", "_identifier", "source_hostname", "location", "zone"]
REGEXES = ["^a", "b$", "a.b", "A", "1+", "^$", "[ab]1"]


def _quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@st.composite
def comparisons(draw):
    if draw(st.booleans()) and draw(st.booleans()):
        op = draw(
            st.sampled_from(
                [
                    "equals",
                    "not_equals",
                    "greater_than",
                    "smaller_than",
                    "greater_or_equals",
                    "smaller_or_equals",
                    "between",
                    "within",
                ]
            )
        )
        if op == "between":
            low, high = sorted(draw(st.lists(st.integers(-2, 12), min_size=2, max_size=2)))
            return f"repeat_count between [{low},{high}]"
        if op == "within":
            values = draw(st.lists(st.integers(-2, 12), min_size=1, max_size=3))
            return f"repeat_count within [{','.join(map(str, values))}]"
        return f"repeat_count {op} {draw(st.integers(-2, 12))}"
    slot = draw(st.sampled_from(TEXT_SLOTS))
    op = draw(
        st.sampled_from(
            [
                "equals",
                "not_equals",
                "contains",
                "has_prefix",
                "has_suffix",
                "starts with",
                "ends with",
                "within",
                "matches",
            ]
        )
    )
    if op == "within":
        values = draw(st.lists(TEXT, min_size=1, max_size=3))
        return f"{slot} within [{','.join(_quote(v) for v in values)}]"
    if op == "matches":
        return f"{slot} matches {_quote(draw(st.sampled_from(REGEXES)))}"
    return f"{slot} {op} {_quote(draw(TEXT))}"


expressions = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["AND", "OR", "and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda e: f"NOT {e}"),
    ),
    max_leaves=5,
)

events = st.fixed_dictionaries(
    {
        "class": st.sampled_from(["EVENT", "ALARM", "a", "Ab", ""]),
        "msg": TEXT,
        "severity": st.sampled_from(["MAJOR", "MINOR", "a", "A1"]),
        "_identifier": TEXT,
        "source_hostname": TEXT,
        "repeat_count": st.integers(-2, 12),
        "slots": st.dictionaries(st.sampled_from(["location", "zone"]), TEXT, max_size=2),
    }
)


def _stored(batch: list[dict]) -> list[Event]:
    Event.objects.all().delete()
    return Event.objects.bulk_create(
        Event(
            event_class=e["class"],
            msg=e["msg"],
            severity=e["severity"],
            identifier=e["_identifier"],
            source_hostname=e["source_hostname"],
            repeat_count=e["repeat_count"],
            slots=e["slots"],
        )
        for e in batch
    )


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(criteria=expressions, batch=st.lists(events, min_size=1, max_size=8))
def test_q_predicate_and_batch_agree(criteria, batch):
    node = lang.parse(criteria, EVENT_SLOTS)
    predicate, q, evaluate = lang.to_predicate(node, EVENT_SLOTS), lang.to_q(node, EVENT_SLOTS), lang.to_batch(node)
    created = _stored(batch)
    inputs = [obj.as_selector_input() for obj in Event.objects.filter(pk__in=[o.pk for o in created]).order_by("pk")]
    pks = sorted(obj.pk for obj in created)
    in_python = {pk for pk, event in zip(pks, inputs, strict=True) if predicate(event)}
    columns = lang.Batch(inputs, EVENT_SLOTS)
    mask = evaluate(columns, columns.all)
    in_batch = {pk for position, pk in enumerate(pks) if mask >> position & 1}
    with lang.bounded():
        in_database = set(Event.objects.filter(q).values_list("pk", flat=True))
    assert in_database == in_python == in_batch, criteria


GUARDED = st.one_of(
    expressions,
    st.tuples(
        st.sampled_from(["class", "severity", "location"]), st.lists(TEXT, min_size=1, max_size=2), expressions
    ).map(lambda t: f"{t[0]} within [{','.join(_quote(v) for v in t[1])}] AND {t[2]}"),
    st.tuples(st.sampled_from(["EVENT", "a", "Ab"]), expressions).map(
        lambda t: f"class equals {_quote(t[0])} AND {t[1]}"
    ),
)


# --- The batch compiler (ingest) agrees with the predicate ----------------------------------------------------------
# Wider text than the SQL tests: case folding that changes length (İ), a NUL, non-ASCII case pairs.
WIDE = st.text(alphabet="aAbB1 -.İißΣ\u03c3\x00", max_size=6)
wide_events = st.fixed_dictionaries(
    {
        "class": st.sampled_from(["EVENT", "ALARM", "a", "Ab", "", "İa"]),
        "msg": st.one_of(TEXT, WIDE),
        "severity": st.sampled_from(["MAJOR", "MINOR", "a", "A1"]),
        "status": st.sampled_from(["OPEN", "ACK", "CLOSED"]),
        "_identifier": st.one_of(TEXT, WIDE),
        "source_hostname": TEXT,
        "repeat_count": st.integers(-2, 12),
        "slots": st.dictionaries(st.sampled_from(["location", "zone"]), st.one_of(TEXT, WIDE), max_size=2),
    }
)
WIDE_CRITERIA = st.one_of(
    expressions,
    st.tuples(
        st.sampled_from(["msg", "_identifier", "location"]),
        st.sampled_from(["contains", "has_prefix", "has_suffix", "equals"]),
        WIDE,
    ).map(lambda t: f"{t[0]} {t[1]} {_quote(t[2])}"),
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(criteria=WIDE_CRITERIA, batch=st.lists(wide_events, max_size=12), within=st.integers(min_value=0))
def test_batch_evaluation_and_predicate_agree(criteria, batch, within):
    node = lang.parse(criteria, EVENT_SLOTS)
    predicate, evaluate = lang.to_predicate(node, EVENT_SLOTS), lang.to_batch(node)
    columns = lang.Batch(batch, EVENT_SLOTS)
    expected = sum(1 << i for i, event in enumerate(batch) if predicate(event))
    within &= columns.all
    assert evaluate(columns, columns.all) & columns.all == expected, criteria
    assert evaluate(columns, within) & within == expected & within, criteria


def _linear_first_match(policies: list[str], event: dict) -> int | None:
    """The old ingest, one event at a time: the first policy (in order) whose predicate accepts the event."""
    return next(
        (n for n, c in enumerate(policies) if lang.to_predicate(lang.parse(c, EVENT_SLOTS), EVENT_SLOTS)(event)), None
    )


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    criteria=st.lists(st.one_of(GUARDED, WIDE_CRITERIA), min_size=1, max_size=8),
    batch=st.lists(wide_events, min_size=1, max_size=10),
    eligible=st.integers(min_value=0),
)
def test_first_matches_picks_what_a_linear_scan_picks(criteria, batch, eligible):
    columns = lang.Batch(batch, EVENT_SLOTS)
    evaluators = [(n, lang.to_batch(lang.parse(c, EVENT_SLOTS))) for n, c in enumerate(criteria)]
    found = lang.first_matches(columns, evaluators, eligible)
    expected = [_linear_first_match(criteria, e) if eligible >> i & 1 else None for i, e in enumerate(batch)]
    assert found == expected


# --- Many criteria dispatched by guards (FirstMatch) pick what the plain loop picks ------------------------------
# Policies that share values and substrings with the events (so guards are met and missed), OR/NOT criteria that
# have no guard, and criteria whose guard is an OR of keys.
SHARED = st.sampled_from(["a", "A", "ab", "b1", "İ", "\u03c3", "Σ", "a\u03c3", "ß", ""])
DISPATCHED = st.one_of(
    GUARDED,
    WIDE_CRITERIA,
    st.tuples(st.sampled_from(["msg", "_identifier", "location", "class"]), SHARED, SHARED).map(
        lambda t: f"{t[0]} has_prefix {_quote(t[1])} OR msg contains {_quote(t[2])}"
    ),
    st.tuples(SHARED, SHARED, expressions).map(
        lambda t: f"( msg contains {_quote(t[0])} OR location has_suffix {_quote(t[1])} ) AND {t[2]}"
    ),
    st.tuples(SHARED, expressions).map(lambda t: f"NOT msg contains {_quote(t[0])} AND {t[1]}"),
)


def _dispatch(criteria: list[str]):
    nodes = [lang.parse(c, EVENT_SLOTS) for c in criteria]
    plain = [(n, lang.to_batch(node)) for n, node in enumerate(nodes)]
    return plain, lang.FirstMatch([(n, lang.to_batch(node), node) for n, node in enumerate(nodes)])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    criteria=st.lists(DISPATCHED, min_size=1, max_size=10),
    batch=st.lists(wide_events, max_size=12),
    eligible=st.integers(min_value=0),
    span=st.sampled_from([1, 3, dispatch_module.SPAN]),
)
def test_first_match_dispatch_picks_what_the_plain_loop_picks(criteria, batch, eligible, span):
    plain, dispatch = _dispatch(criteria)
    with _span(span):  # substrings searched in spans of that many events
        _assert_dispatch_agrees(criteria, batch, eligible, plain, dispatch)


@contextmanager
def _span(events: int):
    kept = dispatch_module.SPAN
    dispatch_module.SPAN = events
    try:
        yield
    finally:
        dispatch_module.SPAN = kept


def _assert_dispatch_agrees(criteria, batch, eligible, plain, dispatch):
    expected = lang.first_matches(lang.Batch(batch, EVENT_SLOTS), plain, eligible)
    dispatched = lang.Batch(batch, EVENT_SLOTS)
    assert dispatch(dispatched, eligible) == expected, criteria
    # What the dispatch recorded in the batch (where the substrings are, the tests' answers) changes no answer.
    assert lang.first_matches(dispatched, plain, eligible) == expected, criteria


def _meets(event: dict, key: tuple) -> bool:
    slot, cut, value = key
    read = EVENT_SLOTS.reader(slot)(event)
    if cut is None:
        return value in read.lower()
    return (read[:cut] if cut > 0 else read[cut:] if cut < 0 else read) == value


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(criteria=DISPATCHED, event=wide_events)
def test_an_event_a_criteria_matches_meets_its_guard(criteria, event):
    node = lang.parse(criteria, EVENT_SLOTS)
    keys = lang.guard(node)
    if keys is not None and lang.to_predicate(node, EVENT_SLOTS)(event):
        assert any(_meets(event, key) for key in keys), (criteria, keys)


@pytest.mark.parametrize(
    ("criteria", "guarded"),
    [
        ("class equals 'DB' AND msg matches 'x'", True),
        ("class equals 'DB' OR msg contains 'x'", True),
        ("class equals 'DB' OR msg matches 'x'", False),  # an OR is guarded only when each operand is
        ("NOT class equals 'DB'", False),
        ("msg contains ''", False),  # every event holds the empty text
        ("repeat_count greater_than 2", False),
        ("class within ['A','B'] AND repeat_count smaller_than 2", True),
    ],
)
def test_which_criteria_have_a_guard(criteria, guarded):
    assert (lang.guard(lang.parse(criteria, EVENT_SLOTS)) is not None) == guarded


def test_the_dispatch_evaluates_only_the_criteria_whose_guard_the_batch_meets():
    criteria = [
        "class equals 'DB'",
        "msg contains 'disk'",
        "class equals 'WEB' OR msg contains 'cpu'",
        "NOT msg contains 'x'",
    ]
    _, dispatch = _dispatch(criteria)
    batch = lang.Batch([{"class": "DB", "msg": "CPU high"}, {"class": "APP", "msg": "ok"}], EVENT_SLOTS)
    assert dispatch.candidates(batch) == [0, 2, 3]  # 'disk' is in no message; the NOT has no guard
    # Where the search found each text, for the evaluators: nowhere for 'disk' and 'x'.
    assert batch.spans == {"msg": {"disk": (), "cpu": ((0, 11),), "x": (), None: ((0, 11),)}}
    assert dispatch(batch, batch.all) == [0, 3]


def test_a_substring_is_searched_only_in_the_spans_that_hold_it():
    events = [{"msg": f"m{n}"} for n in range(7)] + [{"msg": "disk full"}, {"msg": "DISK"}]
    plain, dispatch = _dispatch(["msg contains 'disk'", "msg contains 'm1'"])
    with _span(3):
        batch = lang.Batch(events, EVENT_SLOTS)
        assert dispatch(batch, batch.all) == [None, 1, None, None, None, None, None, 0, 0]
    text = batch.joined_lower("msg")[0]
    assert [text[begin:end] for begin, end in batch.spans["msg"]["disk"]] == ["m6\x00disk full\x00disk"]
    assert [text[begin:end] for begin, end in batch.spans["msg"]["m1"]] == ["m0\x00m1\x00m2"]
    assert dispatch(batch, batch.all) == lang.first_matches(lang.Batch(events, EVENT_SLOTS), plain, batch.all)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    values=st.lists(SHARED, max_size=12),
    cut=st.sampled_from([0, 1, 2, -1, -2]),
    present=st.sets(SHARED),
)
def test_an_index_of_some_values_is_the_index_restricted_to_them(values, cut, present):
    batch = lang.Batch([{"msg": value} for value in values], EVENT_SLOTS)
    whole = lang.Batch([{"msg": value} for value in values], EVENT_SLOTS).index("msg", cut)
    assert batch.index_of("msg", cut, present) == {key: mask for key, mask in whole.items() if key in present}


def test_the_dispatch_indexes_only_the_looked_up_values_the_batch_holds():
    criteria = ["class equals 'DB'", "class equals 'WEB'", "_identifier has_prefix 'par'", "msg contains 'x'"]
    _, dispatch = _dispatch(criteria)
    events = [{"class": "DB", "_identifier": "paris"}, {"class": "APP", "_identifier": "lyon"}, {"class": "DB"}]
    batch = lang.Batch(events, EVENT_SLOTS)
    assert dispatch(batch, batch.all) == [0, None, 0]
    assert batch.indexes == {}  # no index of every value was built
    assert batch.known == {
        ("class", 0): (frozenset({"DB", "WEB"}), {"DB": 0b101}),
        ("_identifier", 3): (frozenset({"par"}), {"par": 0b001}),
    }


@pytest.mark.parametrize("surrogate", ["\ud800x", "x\udfff"])
def test_a_lone_surrogate_is_searched_the_slow_way(surrogate):
    """RE2 reads UTF-8: a value it cannot be given makes the dispatch evaluate every criteria with a substring, and
    a target it cannot be given has no guard; the answers are the plain loop's."""
    criteria = ["msg contains 'x'", f"msg contains '{surrogate}'", "msg contains 'y'"]
    plain, dispatch = _dispatch(criteria)
    assert lang.guard(lang.parse(criteria[1], EVENT_SLOTS)) is None
    events = [{"msg": surrogate}, {"msg": "y"}]
    batch = lang.Batch(events, EVENT_SLOTS)
    assert dispatch.candidates(batch) == [0, 1, 2]
    assert dispatch(batch, batch.all) == lang.first_matches(lang.Batch(events, EVENT_SLOTS), plain, 0b11) == [0, 2]


def test_a_search_re2_gives_up_on_is_taken_as_finding_everything():
    """The set search has the empty text first: an answer without it is RE2 giving up (out of memory), and then
    every criteria with a substring is evaluated."""

    class GivesUp:
        def Match(self, text):
            return None

    criteria = ["msg contains 'disk'", "msg contains 'cpu'"]
    _, dispatch = _dispatch(criteria)
    dispatch.by_text = {slot: (GivesUp(), *rest) for slot, (_, *rest) in dispatch.by_text.items()}
    batch = lang.Batch([{"msg": "cpu"}], EVENT_SLOTS)
    assert dispatch.candidates(batch) == [0, 1]
    assert batch.spans == {}
    assert dispatch(batch, batch.all) == [1]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        (
            f"msg contains '{'İ'.lower()}'",
            [0],
        ),  # "İ".lower() is two characters: the joined column keeps the offsets right
        ("msg contains 'Σ'", [1]),
        ("msg contains 'a\u03c3'", []),  # never across two events' values
        ("msg contains ''", [0, 1, 2]),
        ("msg has_prefix 'x' OR msg has_suffix 'b'", [2]),
        ("repeat_count between [2,3] AND NOT repeat_count equals 3", [1]),
        ("repeat_count greater_than 2 OR repeat_count smaller_than 1", [0, 2]),
        ("location equals '' AND msg matches '^[^a]'", [0, 1]),
    ],
)
def test_batch_evaluation_edges(criteria, expected):
    batch = [
        {"msg": "İa", "repeat_count": 0},
        {"msg": "\u03c3", "repeat_count": 2},
        {"msg": "b", "repeat_count": 3, "slots": {"location": "x"}},
    ]
    node = lang.parse(criteria, EVENT_SLOTS)
    mask = lang.to_batch(node)(lang.Batch(batch, EVENT_SLOTS), 0b111)
    assert [i for i in range(3) if mask >> i & 1] == expected
    assert expected == [i for i, e in enumerate(batch) if lang.to_predicate(node, EVENT_SLOTS)(e)]


def test_a_prefix_and_a_suffix_that_share_an_end_text_are_both_looked_up():
    """A prefix ``'a\\x00'`` and a suffix ``'\\x00a'`` make the same end text in the search (the separator is
    ``'\\x00'``): the dispatch keeps both keys it stands for, so each policy finds its events through the index of
    the looked-up values, with no index of every value built."""
    separator = batch_module.SEPARATOR
    criteria = [f"msg has_prefix {_quote('a' + separator)}", f"msg has_suffix {_quote(separator + 'a')}"]
    plain, dispatch = _dispatch(criteria)
    events = [{"msg": separator + "a"}, {"msg": "a" + separator + "b"}, {"msg": "b"}]
    expected = lang.first_matches(lang.Batch(events, EVENT_SLOTS), plain, 0b111)
    assert expected == [1, 0, None]
    batch = lang.Batch(events, EVENT_SLOTS)
    assert dispatch(batch, 0b111) == expected
    assert batch.indexes == {}
