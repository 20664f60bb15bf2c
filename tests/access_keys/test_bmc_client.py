"""The "Done when" of issue #23: a BMC client, sending exactly what BMC's documentation shows (and what published
clients send: the headers of a Control-M → BMC Helix script), logs in with an access key at
``/ims/api/v1/access_keys/login``, then creates, searches and deletes a blackout policy and posts events — over real
HTTP against the live server, with ``requests``."""

import json

import pytest
import requests

from .conftest import LOGIN, REFRESH

pytestmark = pytest.mark.django_db(transaction=True)

POLICY = {
    "name": "bmc-client-nightly",
    "description": "Nightly DB maintenance",
    "executionOrder": 10,
    "eventSelectorCriteria": "( class equals 'EVENT' ) AND ( msg contains 'backup' )",
    "enabled": "false",
    "configurations": {
        "definition": {
            "timeframeDetails": {
                "startDate": "01012030",
                "startTime": "01:00",
                "endTime": "03:30",
                "endsOn": {"never": True},
                "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
                "timeZone": {"id": "Europe/Lisbon", "offset": "+00:00"},
            },
            "processing_action": {"blackoutExistingEvents": "true", "resetStatusOnBlackoutEnd": "true"},
        }
    },
}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never a proxy between the test and the live server
    return session


def test_a_bmc_client_logs_in_and_manages_policies_and_events(live_server, key_and_secret):
    key, secret = key_and_secret
    http = _session()
    base = live_server.url
    # The login, as the published script builds it: json.dumps of the three fields, its two headers.
    headers = {"content-type": "application/json", "cache-control": "no-cache"}
    body = json.dumps({"access_key": key.access_key, "access_secret_key": secret, "tenant_id": "1234567890"})
    login = http.post(base + LOGIN, data=body, headers=headers)
    assert login.status_code == 200, login.text
    token = login.json()["json_web_token"]
    assert token.count(".") == 2 and login.json()["token"].count(".") == 2

    auth = {"content-type": "application/json", "cache-control": "no-cache", "Authorization": "Bearer " + token}
    created = http.post(base + "/events-service/api/v1.0/blackout_policies", data=json.dumps(POLICY), headers=auth)
    assert created.status_code == 200, created.text
    policy_id = created.json()["resourceId"][0]

    search = {
        "searchString": "bmc-client",
        "pageIndex": 1,
        "recordsPerPage": 25,
        "sortCriteria": {"attribute": "modificationTime", "order": "ASC"},
    }
    found = http.post(base + "/events-service/api/v1.0/blackout_policies/search", json=search, headers=auth)
    assert found.status_code == 200, found.text
    assert [p["name"] for p in found.json()["policies"]] == ["bmc-client-nightly"]

    events = [{"class": "EVENT", "msg": "backup started", "severity": "MAJOR", "source_hostname": "db01"}]
    posted = http.post(base + "/events-service/api/v1.0/events", data=json.dumps(events), headers=auth)
    assert posted.status_code == 200, posted.text
    assert len(posted.json()["resourceId"]) == 1

    deleted = http.delete(base + f"/events-service/api/v1.0/blackout_policies/{policy_id}", headers=auth)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["resourceId"] == [policy_id]
    gone = http.get(base + f"/events-service/api/v1.0/blackout_policies/{policy_id}", headers=auth)
    assert gone.status_code == 404


def test_the_two_step_flow_and_the_api_key_header(live_server, key_and_secret):
    """BMC's recommended flow (refresh token, then a JWT from it at /ims/api/v1/auth/tokens, as published clients do)
    and the ``Authorization: apiKey <token>`` header of ingestion clients."""
    key, secret = key_and_secret
    http = _session()
    base = live_server.url
    login = http.post(
        base + LOGIN,
        json={"access_key": key.access_key, "access_secret_key": secret, "tenant_id": "1"},
        headers={"content-type": "application/json", "cache-control": "no-cache", "Connection": "keep-alive"},
    )
    assert login.status_code == 200, login.text
    refresh = login.json()["token"]
    for _ in range(2):  # the refresh token is kept and used again until it expires
        jwt = http.post(base + REFRESH, json={"token": refresh}, headers={"content-type": "application/json"})
        assert jwt.status_code == 200, jwt.text
    token = jwt.json()["json_web_token"]
    events = [{"class": "EVENT", "msg": "from an ingestion client", "severity": "MINOR"}]
    posted = http.post(
        base + "/events-service/api/v1.0/events",
        json=events,
        headers={"Content-Type": "application/json", "Authorization": "apiKey " + token},
    )
    assert posted.status_code == 200, posted.text
