"""``GET /api/outages/reliability/``: the worked example of docs/outages.md (computed by hand there), the
parameters' 400s in the analyst envelope, the permission, the files; and the 2.5β threshold by hand."""

import csv
import io
import json
import math
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from outages.domain import Customer, CustomerList, OutageNotification
from outages.models import ExternalSystem
from outages.reliability.major_events import major_event_days, med_threshold
from outages.services import outage_notifications_apply

URL = "/api/outages/reliability/"
DAY = {"start": "2025-06-01", "end": "2025-06-02", "zone": "UTC", "customers_served": "10"}


def _at(hhmm: str) -> datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return datetime(2025, 6, 1, hours, minutes, tzinfo=UTC)


def _send(outage_id, received, *, customers=None, incremental=False, **fields):
    listed = None if customers is None else CustomerList([Customer(c, f"SP-{c}") for c in customers], incremental)
    outage_notifications_apply(
        external_system="OMS",
        notifications=[OutageNotification(outage_id=outage_id, fields=fields, customers=listed)],
        received_at=_at(received),
    )


@pytest.fixture
def worked_example(db):
    """docs/outages.md, "Worked example": five outages on 1 June 2025 (UTC), ten customers served."""
    ExternalSystem.objects.create(name="OMS")
    _send("O1", "08:05", start_date_time=_at("08:00"), outage_type="C1UP", customers="ABC")
    _send("O1", "09:00", customers="AB")  # full list: C restored at 09:00 (step restoration)
    _send("O1", "09:30", customers="D", incremental=True)  # D out from 09:30
    _send("O1", "10:00", completion_date_time=_at("10:00"))
    _send("O2", "09:31", start_date_time=_at("09:30"), outage_type="C1UP", customers="A")
    _send("O2", "11:00", completion_date_time=_at("11:00"))  # A: 08:00-11:00, one interruption
    _send("O3", "13:01", start_date_time=_at("13:00"), outage_type="C1UP", customers="E")
    _send("O3", "13:03", completion_date_time=_at("13:03"))  # momentary: 3 minutes
    _send("O4", "13:00", start_date_time=_at("14:00"), outage_type="C1PL", customers="F")
    _send("O4", "16:00", completion_date_time=_at("16:00"))  # planned: 120 minutes
    _send("O5", "15:00", start_date_time=_at("15:00"), outage_type="C1UP", customers="G")
    _send("O5", "17:00", completion_date_time=_at("17:00"), discarded=True)  # never counted


@pytest.fixture
def analyst(analyst_user):
    client = APIClient()
    client.force_authenticate(analyst_user)
    return client


def test_worked_example(worked_example, analyst):
    body = analyst.get(URL, DAY).json()
    assert body["saifi"] == pytest.approx(0.4)
    assert body["saidi"] == pytest.approx(39.0)
    assert body["caidi"] == pytest.approx(97.5)
    assert body["caifi"] == pytest.approx(1.0)
    assert body["asai"] == pytest.approx(1 - 390 / 14400)
    assert body["maifi"] == pytest.approx(0.1)
    assert body["customers_served"] == 10
    assert body["customers_interrupted"] == 4
    assert body["customer_interruptions"] == 4
    assert body["customer_minutes_interrupted"] == pytest.approx(390.0)
    assert body["major_event_days"] == []
    assert (body["cemi"], body["celid_single"], body["celid_total"]) == (0.0, 0.0, 0.0)  # n = 3, t = 8 h
    assert "groups" not in body


def test_worked_example_cemi_celid(worked_example, analyst):
    body = analyst.get(URL, {**DAY, "cemi_n": "0", "celid_hours": "2"}).json()
    assert body["cemi"] == pytest.approx(0.4)  # A, B, C, D have more than 0 interruptions
    assert body["celid_single"] == pytest.approx(0.1)  # only A's 180 minutes exceed 2 hours
    assert body["celid_total"] == pytest.approx(0.1)


def test_worked_example_with_planned_grouped_by_type(worked_example, analyst):
    body = analyst.get(URL, {**DAY, "include_planned": "true", "group_by": "outage_type"}).json()
    assert (body["customer_interruptions"], body["customer_minutes_interrupted"]) == (5, pytest.approx(510.0))
    assert body["saidi"] == pytest.approx(51.0)
    groups = {g["group"]: g for g in body["groups"]}
    assert set(groups) == {"C1PL", "C1UP"}
    assert (groups["C1PL"]["customer_interruptions"], groups["C1PL"]["saidi"]) == (1, pytest.approx(12.0))
    assert (groups["C1UP"]["customer_interruptions"], groups["C1UP"]["saidi"]) == (4, pytest.approx(39.0))


def test_grouped_by_month_and_city(worked_example, analyst):
    body = analyst.get(URL, {**DAY, "group_by": "month"}).json()
    assert [(g["group"], g["customer_interruptions"]) for g in body["groups"]] == [("2025-06", 4)]
    body = analyst.get(URL, {**DAY, "group_by": "city"}).json()  # no premises in the master data: unknown ('')
    assert [(g["group"], g["customer_interruptions"], g["customers_served"]) for g in body["groups"]] == [("", 4, 0)]


def test_a_day_later_in_another_zone_sees_nothing(worked_example, analyst):
    body = analyst.get(URL, {**DAY, "start": "2025-06-02", "end": "2025-06-03", "zone": "Asia/Tokyo"}).json()
    assert body["customer_interruptions"] == 0 and body["saifi"] == 0.0


def test_customers_served_from_the_master_data(worked_example, analyst):
    from tests.factories.enrollments import ServiceAgreementFactory

    ServiceAgreementFactory.create_batch(4)
    body = analyst.get(URL, {k: v for k, v in DAY.items() if k != "customers_served"}).json()
    assert body["customers_served"] == 4 and body["saifi"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"end": "2025-06-02"}, "start"),
        ({**DAY, "start": "2025-13-01"}, "start"),
        ({**DAY, "end": "2025-06-01"}, "end"),
        ({**DAY, "start": "0001-01-01"}, "start"),
        ({**DAY, "zone": "Mars/Olympus"}, "zone"),
        ({**DAY, "group_by": "planet"}, "group_by"),
        ({**DAY, "customers_served": "-1"}, "customers_served"),
        ({**DAY, "include_planned": "maybe"}, "include_planned"),
        ({**DAY, "format": "pdf"}, "format"),
    ],
)
def test_bad_parameters_are_400_naming_them(db, analyst, params, name):
    response = analyst.get(URL, params)
    assert response.status_code == 400, response.content
    assert name in response.json()


def test_permissions(db, plain_user):
    assert APIClient().get(URL, DAY).status_code in (401, 403)
    client = APIClient()
    client.force_authenticate(plain_user)
    assert client.get(URL, DAY).status_code == 403


def test_csv_and_xlsx_files(worked_example, analyst):
    response = analyst.get(URL, {**DAY, "format": "csv", "group_by": "outage_type"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["group", "saifi", "saidi", "caidi"]
    assert rows[1][0] == "" and float(rows[1][2]) == pytest.approx(39.0)
    assert rows[2][0] == "C1UP"
    response = analyst.get(URL, {**DAY, "format": "xlsx"})
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    response = analyst.get(URL, {**DAY, "format": "json"})
    assert response.status_code == 200 and response.json()["saidi"] == pytest.approx(39.0)


def test_med_threshold_by_hand():
    # ln of the daily SAIDI: 0, 1, 2 -> alpha 1, beta 1 (sample deviation): T_MED = e^(1 + 2.5)
    threshold = med_threshold([1.0, math.e, math.e**2, 0.0])  # the zero day is left out
    assert threshold == pytest.approx(math.exp(3.5))
    assert major_event_days({"d1": 33.0, "d2": 34.0}, threshold) == ["d2"]
    assert med_threshold([5.0]) is None


CUSTOMERS_URL = "/api/outages/reliability/customers/"


def test_worst_served_customers_lists(worked_example, analyst):
    rows = json.loads(b"".join(analyst.get(CUSTOMERS_URL, {**DAY, "list": "cemi", "cemi_n": "0"}).streaming_content))
    assert [(r["account_id"], r["sustained_interruptions"]) for r in rows] == [("A", 1), ("B", 1), ("C", 1), ("D", 1)]
    rows = json.loads(
        b"".join(analyst.get(CUSTOMERS_URL, {**DAY, "list": "celid_single", "celid_hours": "2"}).streaming_content)
    )
    assert rows == [
        {
            "account_id": "A",
            "sp_id": "SP-A",
            "sustained_interruptions": 1,
            "sustained_minutes": 180.0,
            "longest_minutes": 180.0,
            "momentary": 0,
        }
    ]
    response = analyst.get(CUSTOMERS_URL, {**DAY, "list": "celid_total", "celid_hours": "1", "format": "csv"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("account_id,sp_id") and [line.split(",")[0] for line in lines[1:]] == ["A", "B"]
    assert analyst.get(CUSTOMERS_URL, {**DAY, "list": "worst"}).status_code == 400
    assert analyst.get(CUSTOMERS_URL, DAY).status_code == 400  # list is required
    response = analyst.get(CUSTOMERS_URL, {**DAY, "list": "cemi", "cemi_n": "0", "format": "xlsx"})
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_touching_outages_are_one_interruption(db, analyst):
    """One outage restored at 10:30 and another starting at 10:30 on the same customer: one interruption of an
    hour (IEEE 1366 counts what the customer lived, not the records)."""
    ExternalSystem.objects.create(name="OMS")
    _send("T1", "10:00", start_date_time=_at("10:00"), outage_type="C1UP", customers="X")
    _send("T1", "10:30", completion_date_time=_at("10:30"))
    _send("T2", "10:30", start_date_time=_at("10:30"), outage_type="C1UP", customers="X")
    _send("T2", "11:00", completion_date_time=_at("11:00"))
    body = analyst.get(URL, DAY).json()
    assert (body["customer_interruptions"], body["customer_minutes_interrupted"]) == (1, pytest.approx(60.0))
