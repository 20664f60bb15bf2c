"""The storm path (outages/api/storm.py): customer lists read from the body's bytes answer, store and log exactly
what the ordinary parse and validation do, and every list it does not take is left to them (same errors)."""

import json

import pytest

from outages.api import storm
from outages.models import OutageCustomer, OutageEvent, OutageMessage

from .conftest import NOTIFICATIONS, body, customers, message

pytestmark = pytest.mark.django_db


# json.dumps's own layout (rewritten by bytes.replace), and two others (read item by item)
LAYOUTS = {"default": {}, "compact": {"separators": (",", ":")}, "indented": {"indent": 1}}
LAYOUT = {"name": "default"}


def _post(client, data, **extra):
    raw = data if isinstance(data, bytes) else json.dumps(data, **LAYOUTS[LAYOUT["name"]]).encode()
    return client.post(NOTIFICATIONS, data=raw, content_type="application/json", **extra)


def _outcome(client, data, **extra) -> dict:
    """Everything a request leaves behind: the answer, the stored lists and the log; then the tables emptied."""
    response = _post(client, data, **extra)
    seen = {
        "status": response.status_code,
        "answer": response.content if response.status_code == 200 else json.loads(response.content)["detail"],
        "customers": sorted(OutageCustomer.objects.values_list("event__external_outage_id", "account_id", "sp_id")),
        "counts": sorted(OutageEvent.objects.values_list("external_outage_id", "customer_count")),
        "log": sorted(OutageMessage.objects.values_list("index", "outcome", "payload", "reason")),
    }
    OutageEvent.objects.all().delete()
    OutageMessage.objects.all().delete()
    return seen


@pytest.fixture
def client(admin_user, external_system):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.fixture
def lifted(monkeypatch):
    """The lists the storm path took, request by request."""
    taken = []
    lift = storm.lift_customers

    def spy(raw):
        out, found = lift(raw)
        taken.append(sorted(len(c) for c in found.values()))
        return out, found

    monkeypatch.setattr(storm, "lift_customers", spy)
    return taken


def _ordinary(monkeypatch):
    monkeypatch.setattr(storm, "lift_customers", lambda raw: (raw, {}))


PLAIN = [
    customers(0, 3),
    [{"accountId": " 12 ", "spId": ""}, {"accountId": "", "spId": "  x y "}],  # trimmed; one blank of two
    [*customers(0, 150), *customers(10, 5)],  # duplicates, over the COPY size (PostgreSQL retries without them)
    [{"accountId": "a{b}[c],d:", "spId": "'~!#$%&*"}],  # JSON punctuation in values
]
NOT_PLAIN = [
    [{"spId": "1", "accountId": "2"}],  # another key order (valid)
    [{"accountId": "1"}],  # one key (valid)
    [{"accountId": "1", "spId": "2", "other": "x"}],  # another key (ignored, valid)
    [{"accountId": "12345678901", "spId": "1"}],  # too long
    [{"accountId": "1234567890 ", "spId": "1"}],  # too long as sent
    [{"accountId": 1234, "spId": "1"}],  # not a string
    [{"accountId": None, "spId": "1"}],  # null
    [{"accountId": "", "spId": " "}],  # a blank customer
    [{"accountId": "1", "spId": "2"}, {"accountId": "", "spId": ""}],  # a blank customer, as json.dumps lays it out
    [{"accountId": "é", "spId": "1"}],  # not ASCII (valid)
    [{"accountId": "a\\b", "spId": "1"}],  # an escape (valid)
    [{"accountId": "a\u0007", "spId": "1"}],  # a control character
    ["1"],  # not an object
]


@pytest.mark.parametrize("listed", PLAIN)
@pytest.mark.parametrize("incremental", [None, True])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_plain_lists_take_the_storm_path_with_the_ordinary_outcome(
    client, monkeypatch, lifted, listed, incremental, layout
):
    monkeypatch.setitem(LAYOUT, "name", layout)
    data = body(message("P1", 1, customers=listed, incremental=incremental), message("P2", 1))
    fast = _outcome(client, data)
    assert lifted == [[len(listed)]]
    assert fast["status"] == 200
    _ordinary(monkeypatch)
    assert fast == _outcome(client, data)


@pytest.mark.parametrize("listed", NOT_PLAIN)
def test_other_lists_are_left_to_the_ordinary_validation(client, monkeypatch, lifted, listed):
    data = body(message("P1", 1, customers=listed), message("P2", 1, customers=customers(0, 2)))
    fast = _outcome(client, data)
    assert lifted == [[2]]  # only the plain list of the second message
    _ordinary(monkeypatch)
    assert fast == _outcome(client, data)


def test_a_refused_request_logs_the_lists_as_sent(client, monkeypatch, lifted):
    listed = [{"accountId": " 1 ", "spId": "2"}]
    data = body(message("P1", 1, customers=listed, outageType="NOPE"))
    fast = _outcome(client, data)
    assert (lifted, fast["status"]) == ([[1]], 400)
    assert json.loads(fast["log"][0][2])["customerInformation"]["customers"] == listed
    _ordinary(monkeypatch)
    assert fast == _outcome(client, data)


def test_the_rules_of_a_customer_keep_their_paths_and_messages(client, lifted):
    """Issue #25's rules, each answered as before (tests/outages/test_api.py holds the messages themselves)."""
    cases = {
        "accountId": ("Ensure this field has no more than 10 characters.", {"accountId": "12345678901"}),
        "spId": ("Not a valid string.", {"spId": 5}),
        "non_field_errors": ("A customer needs an accountId or an spId.", {"accountId": " "}),
    }
    for name, (text, bad) in cases.items():
        listed = [*customers(0, 2), bad]
        detail = _outcome(client, body(message("P1", 1, customers=listed)))["answer"]
        assert f"outageMessages[0].customerInformation.customers[2].{name}" in detail or (
            name == "non_field_errors" and "outageMessages[0].customerInformation.customers[2]" in detail
        )
        assert text in detail


@pytest.mark.parametrize(
    "raw",
    [
        # a list elsewhere: its token is not where customers go, the body is parsed the ordinary way
        b'{"externalSystem": "CCB-NMS integration", "customers": [{"accountId": "1", "spId": "2"}], '
        b'"outageMessages": [{"eventDetails": {"externalOutageId": "X"}}]}',
        # the second key wins: the first list's token is lost
        b'{"externalSystem": "CCB-NMS integration", "outageMessages": [{"eventDetails": {"externalOutageId": "X"},'
        b' "customerInformation": {"customers": [{"accountId": "1", "spId": "2"}], "customers": []}}]}',
        # a broken document: the error names the place in the body as sent
        b'{"externalSystem": "CCB-NMS integration", "outageMessages": [{"eventDetails": {"externalOutageId": "X"},'
        b' "customerInformation": {"customers": [{"accountId": "1", "spId": "2"}]}}]',
        # a list inside a string
        b'{"externalSystem": "CCB-NMS integration", "outageMessages": [{"eventDetails": {"externalOutageId": "X",'
        b' "messageReference": "\\"customers\\": [{\\"accountId\\": \\"1\\", \\"spId\\": \\"2\\"}]"}}]}',
    ],
)
def test_odd_documents_are_answered_as_before(client, monkeypatch, raw):
    fast = _outcome(client, raw)
    _ordinary(monkeypatch)
    assert fast == _outcome(client, raw)


def test_an_xml_answer_lists_the_customers(client, lifted):
    listed = customers(0, 3)
    response = _post(client, body(message("P1", 1, customers=listed)), HTTP_ACCEPT="application/xml")
    assert (response.status_code, lifted) == (200, [[3]])
    text = response.content.decode()
    assert text.count("<customers>") == 3 and "<accountId>0000000002</accountId>" in text


def test_an_indented_answer_is_the_ordinary_one(client, monkeypatch, lifted):
    data = body(message("P1", 1, customers=customers(0, 3)))
    fast = _outcome(client, data, HTTP_ACCEPT="application/json; indent=2")
    assert lifted == [[3]] and b"\n  " in fast["answer"]
    _ordinary(monkeypatch)
    assert fast == _outcome(client, data, HTTP_ACCEPT="application/json; indent=2")


def test_xml_customer_rules_are_those_of_json(client):
    """XML bodies are parsed as before (no storm path): a customer's error reads as in JSON."""
    from tests.contract import to_xml

    listed = [{"accountId": "12345678901", "spId": "1"}]
    data = body(message("P1", 1, customers=listed))
    as_json = _outcome(client, data)["answer"]
    xml = to_xml(data, "C1OutEvtsUpd")
    response = client.post(NOTIFICATIONS, data=xml, content_type="application/xml", HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert json.loads(response.content)["detail"] == as_json


@pytest.mark.parametrize("layout", LAYOUTS)
def test_blocks_cut_between_customers(client, monkeypatch, lifted, layout):
    """The body is read in blocks (1 MiB); here of a few customers each, cut anywhere."""
    monkeypatch.setitem(LAYOUT, "name", layout)
    listed = [{"accountId": f"a}}, {{{n}", "spId": f"{n}"} for n in range(250)]
    data = body(message("P1", 1, customers=listed))
    fast = {}
    for chunk in (37, 100, 1000):
        monkeypatch.setattr(storm, "_CHUNK", chunk)
        fast[chunk] = _outcome(client, data)
    assert lifted == [[250]] * 3
    _ordinary(monkeypatch)
    assert all(seen == _outcome(client, data) for seen in fast.values())


def test_a_large_payload_is_logged_whole(client, monkeypatch):
    """On PostgreSQL an entry over COPY_PAYLOAD_OVER is written by COPY: the same row as bulk_create writes."""
    from outages.services import log

    data = body(message("P1", 1, customers=customers(0, 40)), message("P2", 2, customers=customers(5, 3)))
    ordinary = _outcome(client, data)
    monkeypatch.setattr(log, "COPY_PAYLOAD_OVER", 100)
    assert _outcome(client, data) == ordinary
    _post(client, data)
    entry = OutageMessage.objects.get(index=0)
    assert (entry.outcome, entry.payload_bytes, entry.payload_truncated, entry.reason) == ("applied", None, False, "")
    assert entry.event.external_outage_id == "P1" and entry.request_id == OutageMessage.objects.get(index=1).request_id
