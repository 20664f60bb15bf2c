"""The outages refusals are domain errors (core.errors) with stable codes; the wire answers them exactly as before:
status, message number, title, detail. The numbers live in one table, outages/api/errors.py."""

import json

import pytest

from outages.api.errors import DOMAIN_ERROR_CODES
from outages.api.views import OutageEventDetailView, OutageEventNotificationsView, OutageEventSearchView

from .conftest import NOTIFICATIONS, body, message

pytestmark = pytest.mark.django_db


def post(client, data):
    return client.post(NOTIFICATIONS, data=json.dumps(data), content_type="application/json")


def answer(response) -> tuple:
    problem = response.json()
    server = problem["serverMessage"]
    assert (server["messageText"], server["longDescription"]) == (problem["title"], problem["detail"])
    return response.status_code, server["messageNbr"], problem["title"], problem["detail"]


def test_every_outages_endpoint_uses_the_one_table():
    for view in (OutageEventNotificationsView, OutageEventSearchView, OutageEventDetailView):
        assert view.domain_error_codes is DOMAIN_ERROR_CODES
    assert all(code.startswith("outages.") for code in DOMAIN_ERROR_CODES)


def test_stale_message_answer_is_unchanged(integration_client, external_system):
    assert post(integration_client, body(message("S1", reference=10))).status_code == 200
    assert answer(post(integration_client, body(message("S1", reference=9)))) == (
        400,
        4003,
        "outageMessages[0]: outage S1 message reference 9 is lower...",
        "outageMessages[0]: outage S1 message reference 9 is lower than the stored 10; stale, not applied.",
    )


@pytest.mark.parametrize(
    ("system", "title"),
    [
        ("Nobody OMS", 'externalSystem "Nobody OMS" is not an active External Sys...'),
        ("A very long name of an OMS", 'externalSystem "A very long name of an OMS" is not an act...'),
    ],
)
def test_unknown_external_system_answer_is_unchanged(integration_client, external_system, system, title):
    assert answer(post(integration_client, body(message("U1"), system=system))) == (
        400,
        4002,
        title,
        f'externalSystem "{system}" is not an active External System.',
    )


def test_unknown_event_answer_is_unchanged(integration_client, analyst_user):
    integration_client.force_authenticate(analyst_user)
    long = integration_client.get(f"{NOTIFICATIONS}CCB-NMS%20integration/nope")
    assert answer(long) == (
        404,
        4040,
        'No outage event "nope" from external system "CCB-NMS inte...',
        'No outage event "nope" from external system "CCB-NMS integration".',
    )
    short = integration_client.get(f"{NOTIFICATIONS}X/y")
    text = 'No outage event "y" from external system "X".'
    assert answer(short) == (404, 4040, text, text)
