"""The notification service: stale references, customer lists at scale, atomicity, the log, concurrency."""

import hashlib
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from core.errors import DomainError, Invalid, NotFound, Stale
from outages.models import ExternalSystem, MessageOutcome, OutageEvent, OutageMessage, OutageState
from outages.services import (
    external_system_save,
    external_systems_set_active,
    outage_event_save,
    outage_events_delete,
    outage_events_discard,
    outage_messages_log_refused,
    outage_messages_prune,
    outage_notifications_apply,
    reference_compare,
)
from tests.factories.outages import ExternalSystemFactory, OutageEventFactory

from .conftest import customers, message, notifications

SYSTEM = "CCB-NMS integration"


def apply(*messages, system=SYSTEM):
    return outage_notifications_apply(
        external_system=system, notifications=notifications(*messages), received_by="test"
    )


# --- reference comparison -------------------------------------------------------------------------------------


@given(st.integers(-(10**12), 10**12), st.integers(-(10**12), 10**12))
def test_integer_references_compare_numerically(a, b):
    assert reference_compare(str(a), str(b)) == (a > b) - (a < b)
    assert reference_compare(f" {a}", f"{b} ") == (a > b) - (a < b)


@given(st.text(min_size=1, max_size=20).filter(lambda s: s.strip()), st.text(max_size=20))
def test_text_references_compare_as_text_and_missing_means_no_check(a, b):
    if not b.strip():
        assert reference_compare(a, b) is None
        assert reference_compare(b, a) is None
    elif not (a.strip().lstrip("+-").isdigit() and b.strip().lstrip("+-").isdigit()):
        x, y = a.strip(), b.strip()
        assert reference_compare(a, b) == (x > y) - (x < y)


def test_reference_examples():
    assert reference_compare("9", "10") == -1  # numerically, not "9" > "10" as text
    assert reference_compare("12", "12") == 0
    assert reference_compare("B-2", "B-10") == 1  # text
    assert reference_compare(None, "3") is None


# --- applying -------------------------------------------------------------------------------------------------


@pytest.fixture
def system(db):
    return ExternalSystemFactory(name=SYSTEM)


def test_upsert_keyed_by_system_and_outage_id(system):
    other = ExternalSystemFactory(name="Other OMS")
    apply(message("1", reference=1))
    apply(message("1", reference=2))
    apply(message("1", reference=1), system="Other OMS")
    assert OutageEvent.objects.count() == 2
    assert OutageEvent.objects.get(external_system=system).message_reference == "2"
    assert OutageEvent.objects.get(external_system=other).message_reference == "1"


def test_absent_fields_keep_stored_values_null_clears(system):
    apply(message("1", outageType="C1UP", estimatedRestorationTime="2025-02-07T12:00:00Z", impactedCustomers=5))
    apply(message("1", impactedCustomers=9))
    event = OutageEvent.objects.get()
    assert (event.outage_type, event.impacted_customers) == ("C1UP", 9)
    assert event.estimated_restoration_time is not None
    apply(message("1", estimatedRestorationTime=None))
    assert OutageEvent.objects.get().estimated_restoration_time is None


def test_absent_customer_information_keeps_the_list(system):
    apply(message("1", customers=customers(0, 3)))
    apply(message("1", impactedCustomers=4))
    assert OutageEvent.objects.get().customers.count() == 3


def test_duplicates_in_one_message_are_stored_once(system):
    apply(message("1", customers=customers(0, 3) + customers(0, 3)))
    event = OutageEvent.objects.get()
    assert event.customer_count == 3 == event.customers.count()


def test_large_full_list_then_incremental(system):
    apply(message("storm", reference=1, customers=customers(0, 20000)))
    apply(message("storm", reference=2, customers=customers(19000, 2000), incremental=True))
    event = OutageEvent.objects.get()
    assert event.customer_count == 21000 == event.customers.count()
    apply(message("storm", reference=3, customers=customers(500, 10), incremental=False))
    event.refresh_from_db()
    assert event.customer_count == 10 == event.customers.count()


def test_copy_path_escapes_special_characters(system):
    odd = [{"accountId": "a\\b", "spId": "x\ty"}, {"accountId": "n\nl", "spId": "c\rr"}]
    apply(message("odd", customers=customers(0, 150) + odd))  # > 100 rows: COPY on PostgreSQL
    stored = set(OutageEvent.objects.get().customers.values_list("account_id", "sp_id"))
    assert {("a\\b", "x\ty"), ("n\nl", "c\rr")} <= stored
    assert len(stored) == 152


def test_refusal_applies_nothing_and_logs_every_message(system):
    apply(message("A", reference=5))
    with pytest.raises(Stale) as refused:
        apply(message("B", reference=1, customers=customers(0, 2)), message("A", reference=4))
    assert refused.value.code == "outages.stale_message"
    assert refused.value.params["index"] == 1
    assert not OutageEvent.objects.filter(external_outage_id="B").exists()
    rows = list(OutageMessage.objects.order_by("id").values_list("external_outage_id", "outcome", "event_id"))
    assert rows[0][:2] == ("A", MessageOutcome.APPLIED) and rows[0][2] is not None
    assert rows[1:] == [("B", MessageOutcome.REJECTED, None), ("A", MessageOutcome.STALE, None)]
    assert "Not applied" in OutageMessage.objects.get(external_outage_id="B").reason


def test_unknown_system_is_logged_rejected(db):
    with pytest.raises(NotFound, match="Nobody") as refused:
        apply(message("A"), system="Nobody")
    assert refused.value.code == "outages.unknown_external_system"
    assert OutageMessage.objects.get().outcome == MessageOutcome.REJECTED


def test_staff_actions(system):
    event = OutageEventFactory(external_system=system)
    assert outage_events_discard(event_ids=[event.pk]) == 1
    assert outage_events_discard(event_ids=[event.pk]) == 0  # idempotent
    event.refresh_from_db()
    assert (event.state, event.discarded) == (OutageState.DISCARDED, True)
    assert external_systems_set_active(system_ids=[system.pk], active=False) == 1
    with pytest.raises(NotFound):
        apply(message("A"))


def test_prune_message_log(system):
    apply(message("A"))
    assert outage_messages_prune(older_than_days=30) == 0
    assert outage_messages_prune(older_than_days=-1) == 1


# --- concurrency (PostgreSQL row locks) -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_one_outage_serialize_and_highest_reference_wins():
    ExternalSystemFactory(name=SYSTEM)
    references = list(range(1, 13))
    random.Random(7).shuffle(references)
    barrier = threading.Barrier(len(references))

    def post(reference):
        barrier.wait()
        try:
            apply(message("race", reference=reference, customers=customers(reference * 100, 50)))
            return reference, MessageOutcome.APPLIED
        except DomainError:
            return reference, MessageOutcome.STALE
        finally:
            connection.close()

    with ThreadPoolExecutor(len(references)) as pool:
        outcomes = dict(pool.map(post, references))

    event = OutageEvent.objects.get(external_outage_id="race")  # created once despite the race
    assert event.message_reference == "12"
    assert outcomes[12] == MessageOutcome.APPLIED
    assert sorted(event.customers.values_list("account_id", flat=True)) == [c["accountId"] for c in customers(1200, 50)]
    assert event.customer_count == 50
    log = list(OutageMessage.objects.order_by("id").values_list("message_reference", "outcome"))
    assert len(log) == len(references)
    assert {int(ref): outcome for ref, outcome in log} == outcomes
    applied = [int(ref) for ref, outcome in log if outcome == MessageOutcome.APPLIED]
    assert applied == sorted(applied)  # under the lock each applied reference is above the previous one


# --- staff doors (admin) ---------------------------------------------------------------------------------------


def test_staff_save_derives_state_and_refuses_an_etr_before_the_start(system):
    start = datetime(2025, 2, 6, 10, tzinfo=UTC)
    event = OutageEvent(external_system=system, external_outage_id="S", start_date_time=start, discarded=True)
    assert outage_event_save(event=event).state == OutageState.DISCARDED
    event.estimated_restoration_time = start - timedelta(seconds=1)
    with pytest.raises(Invalid) as refused:
        outage_event_save(event=event)
    assert (refused.value.code, refused.value.field) == ("outages.etr_before_start", "estimated_restoration_time")
    assert OutageEvent.objects.get().estimated_restoration_time is None


def test_staff_delete_removes_customers_and_keeps_the_log(system):
    apply(message("D", customers=customers(0, 150)))
    assert outage_events_delete(event_ids=[OutageEvent.objects.get().pk]) == 1
    assert not OutageEvent.objects.exists()
    assert OutageMessage.objects.get().event is None


def test_external_system_save_refuses_a_duplicate_name_as_a_domain_error(system):
    with pytest.raises(Invalid) as refused:
        external_system_save(system=ExternalSystem(name=SYSTEM))
    assert refused.value.code == "outages.invalid_external_system"
    assert [path for path, _ in refused.value.errors] == ["name"]


def test_refused_raw_body_is_bounded_by_the_setting(db, settings):
    settings.OUTAGES_LOG_BODY_LIMIT = 10
    raw = "é".encode() * 8  # 16 bytes; the 10-byte cut falls between two bytes of nothing: 5 characters
    outage_messages_log_refused(external_system="", messages=[], reason="bad", raw_body=raw)
    logged = OutageMessage.objects.get()
    assert (logged.payload, logged.payload_bytes, logged.payload_truncated) == ("ééééé", 16, True)
    assert logged.payload_sha256 == hashlib.sha256(raw).hexdigest()


# --- replays record nothing (issue 21, finding 8) ----------------------------------------------------------------


@pytest.fixture
def listener(db):
    """An enabled subscription to every event, so each recorded change also makes a delivery."""
    from core.changes import recording
    from core.changes.models import Subscription

    subscription = Subscription.objects.create(
        name="replays", target_url="https://receiver.example.com/hook", event_types=["*"], secret="whsec_" + "A" * 32
    )
    recording._invalidate()
    yield subscription
    recording._invalidate()


def _changes_and_deliveries() -> tuple[int, int]:
    from core.changes.models import Change, Delivery

    return (
        Change.objects.filter(object_type="outages.outageevent").count(),
        Delivery.objects.filter(change__object_type="outages.outageevent").count(),
    )


FULL_MESSAGE = {
    "eventDetails": {
        "externalOutageId": "RP1",
        "messageReference": "12",
        "outageType": "C1PL",
        "startDateTime": datetime(2025, 2, 6, 10, tzinfo=UTC),
        "estimatedRestorationTime": datetime(2025, 2, 7, 20, tzinfo=UTC),
        "discarded": False,
        "impactedCustomers": 259,
        "additionalDetails": [{"name": "power outage", "value": "feeder 12 tripped"}],
    },
    "customerInformation": {"incrementalUpdate": True, "customers": customers(0, 3)},
    "characteristics": [
        {
            "characteristicType": "CM-CAUSE",
            "typeOfCharacteristicValue": "ADV ",
            "sequence": 10,
            "characteristicValue": {"value": "storm"},
        },
    ],
}


def _variant(**changes) -> dict:
    """FULL_MESSAGE with parts replaced (``eventDetails`` keys merged, other keys replaced)."""
    import copy

    out = copy.deepcopy(FULL_MESSAGE)
    out["eventDetails"].update(changes.pop("eventDetails", {}))
    out.update(changes)
    return out


@pytest.mark.parametrize("incremental", [True, False])
def test_an_identical_replay_records_no_change_and_sends_nothing(system, listener, incremental):
    """200 identical notifications gave 199 empty ``outage.updated`` changes and deliveries (finding 8)."""
    message = _variant(customerInformation={"incrementalUpdate": incremental, "customers": customers(0, 3)})
    for _ in range(5):
        apply(message)
    assert _changes_and_deliveries() == (1, 1)
    assert OutageMessage.objects.filter(outcome=MessageOutcome.APPLIED).count() == 5  # each one is still logged
    apply(_variant(eventDetails={"impactedCustomers": 260}))
    assert _changes_and_deliveries() == (2, 2)


@pytest.mark.parametrize(
    ("difference", "recorded"),
    [
        ({"customerInformation": {"incrementalUpdate": False, "customers": customers(1, 3)}}, "customers"),
        ({"customerInformation": {"incrementalUpdate": True, "customers": customers(3, 1)}}, "customer_count"),
        ({"characteristics": []}, "characteristics"),
        ({"eventDetails": {"additionalDetails": [{"name": "power outage", "value": "feeder 13"}]}}, "details"),
        ({"eventDetails": {"messageReference": "13"}}, "message_reference"),
    ],
)
def test_a_real_difference_is_one_more_change_naming_what_moved(system, listener, difference, recorded):
    """Lists are no fields of the event: a list that changed is named in the change even when nothing else did."""
    from core.changes.models import Change

    apply(FULL_MESSAGE)
    apply(FULL_MESSAGE)
    apply(_variant(**difference))
    apply(_variant(**difference))
    assert _changes_and_deliveries() == (2, 2)
    update = Change.objects.get(action="updated")
    assert recorded in update.changes, update.changes


# --- domain arguments (outages/domain.py) ---------------------------------------------------------------------


def test_a_notification_built_without_a_document_is_applied_and_logged_as_its_arguments(system):
    from outages.domain import Characteristic, Customer, CustomerList, Detail, OutageNotification

    start = datetime(2025, 2, 6, 10, tzinfo=UTC)
    notification = OutageNotification(
        outage_id="DOM-1",
        message_reference="3",
        fields={"outage_type": "C1UP", "start_date_time": start, "impacted_customers": 2},
        details=[Detail(name="cause", value="storm")],
        characteristics=[Characteristic(characteristic_type="CM-CREW", sequence=1, value="crew 7")],
        customers=CustomerList(customers=[Customer("1", "2"), Customer("1", "2"), Customer(sp_id="3")]),
    )
    outage_notifications_apply(external_system=SYSTEM, notifications=[notification], received_by="staff")
    event = OutageEvent.objects.get(external_outage_id="DOM-1")
    assert (event.outage_type, event.start_date_time, event.customer_count) == ("C1UP", start, 2)
    assert list(event.details.values_list("name", "value")) == [("cause", "storm")]
    assert event.characteristics.get().value == "crew 7"
    logged = OutageMessage.objects.get()
    assert (logged.external_outage_id, logged.message_reference) == ("DOM-1", "3")
    assert '"outage_id": "DOM-1"' in logged.payload and "2025-02-06T10:00:00+00:00" in logged.payload


def test_a_notification_refuses_a_field_that_is_not_an_event_field():
    from outages.domain import OutageNotification

    with pytest.raises(ValueError, match="state"):
        OutageNotification(outage_id="X", fields={"state": "active"})
