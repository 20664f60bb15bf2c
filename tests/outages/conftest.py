import pytest

from outages.api.serializers import outage_notification
from tests.factories.outages import ExternalSystemFactory

NOTIFICATIONS = "/rest/apis/customer/service/outageEventNotifications/"
SEARCH = "/rest/apis/customer/service/outageEvent/search"


@pytest.fixture
def external_system(db):
    return ExternalSystemFactory(name="CCB-NMS integration")


def message(outage_id="200234", reference=None, customers=None, incremental=None, **details):
    """One outageMessages[] item."""
    event = {"externalOutageId": outage_id, **details}
    if reference is not None:
        event["messageReference"] = str(reference)
    item = {"eventDetails": event}
    if customers is not None or incremental is not None:
        info = {"customers": customers or []}
        if incremental is not None:
            info["incrementalUpdate"] = incremental
        item["customerInformation"] = info
    return item


def body(*messages, system="CCB-NMS integration"):
    return {"externalSystem": system, "outageMessages": list(messages)}


def customers(start, count):
    return [{"accountId": f"{n:010d}", "spId": f"{n + 5000000000:010d}"} for n in range(start, start + count)]


def notifications(*messages):
    """``outageMessages[]`` items as the services take them: translated by the wire door's own function."""
    return [outage_notification(m) for m in messages]
