"""TMF630 filter queries (``core.criteria.tmf``): what they select in a JSON document, and what they refuse."""

import pytest

from core.criteria import tmf
from core.errors import Invalid

EVENT = {
    "eventId": "evt_1",
    "eventTime": "2026-05-02T10:00:00+00:00",
    "eventType": "ServiceStateChangeEvent",
    "event": {
        "service": {
            "state": "active",
            "hasStarted": True,
            "relatedParty": [{"role": "Customer", "@referredType": "Party"}, {"role": "Owner"}],
            "serviceCharacteristic": [{"name": "MaxUpstream", "value": 20}],
        }
    },
}


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ("", True),
        ("  ?  ", True),
        ("eventType=ServiceStateChangeEvent", True),
        ("eventType=ServiceCreateEvent", False),
        ("eventType=ServiceCreateEvent,ServiceStateChangeEvent", True),
        ("eventType=ServiceStateChangeEvent&event.service.state=active", True),
        ("eventType=ServiceStateChangeEvent&event.service.state=designed", False),
        ("eventType=ServiceCreateEvent;event.service.state=active", True),  # ; is or, & binds tighter
        ("eventType=ServiceCreateEvent&event.service.state=active;eventId=nope", False),
        ("eventType = ServiceStateChangeEvent & event.service.state = active", True),
        ("event.service.state.ne=designed", True),
        ("event.service.state!=active", False),
        ("event.service.missing.ne=x", True),  # a field the event lacks is not equal to anything
        ("event.service.missing=x", False),
        ("event.service.hasStarted=true", True),
        ("event.service.relatedParty.role=Owner", True),  # through a list: any element
        ("event.service.relatedParty.@referredType=Party", True),
        ("event.service.serviceCharacteristic.value.gt=9", True),  # numbers as numbers (20 > 9)
        ("event.service.serviceCharacteristic.value>=21", False),
        ("eventTime.gt=2026-05-01T00:00:00", True),  # timestamps as text
        ("eventTime%3C2026-05-01", False),  # percent-encoded
        ("event.service=active", False),  # an object is no value
    ],
)
def test_a_query_selects_what_tmf630_says(query, matches):
    assert tmf.matches(query, EVENT) is matches


@pytest.mark.parametrize(
    "query",
    ["state", "a=", "a=1,", "a&&b=1", "a=1;", "a.gt=1,2", "a.gt>1", "=1", "a[0]=1", "x" * (tmf.MAX_LENGTH + 1)],
)
def test_a_malformed_query_is_invalid_on_the_query_field(query):
    with pytest.raises(Invalid) as caught:
        tmf.parse(query)
    assert caught.value.code == tmf.CODE and caught.value.errors[0][0] == "query"


def test_the_values_a_field_must_equal():
    assert tmf.equal_values(tmf.parse(""), "eventType") is None
    assert tmf.equal_values(tmf.parse("eventType=A,B&x=1"), "eventType") == {"A", "B"}
    assert tmf.equal_values(tmf.parse("eventType=A,B&eventType=B,C"), "eventType") == {"B"}
    assert tmf.equal_values(tmf.parse("eventType=A;eventType=C"), "eventType") == {"A", "C"}
    assert tmf.equal_values(tmf.parse("eventType=A;x=1"), "eventType") is None
    assert tmf.equal_values(tmf.parse("eventType.ne=A"), "eventType") is None
