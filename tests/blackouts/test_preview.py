"""The blackout preview (before saving): the selector, the /api/ extension endpoint and the admin's Preview."""

from datetime import UTC, datetime

import pytest

from blackouts import selectors
from core.errors import Invalid
from tests.factories.blackouts import BlackoutPolicyFactory, EventFactory

pytestmark = pytest.mark.django_db

URL = "/api/blackouts/preview/"

# 01:00-02:00 in Paris every day from 27 March 2027: Europe's DST starts on 28 March 2027 at 02:00.
ACROSS_DST = {
    "startDate": "27032027",
    "startTime": "01:00",
    "endTime": "02:00",
    "endsOn": {"never": True},
    "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
    "timeZone": {"id": "Europe/Paris"},
}


def test_the_windows_are_shown_in_the_zone_and_in_utc_with_dst_applied():
    preview = selectors.policy_preview(
        fields={"selector_criteria": "class equals 'DB'", "timeframe": ACROSS_DST},
        now=datetime(2027, 3, 1, tzinfo=UTC),
        window_count=3,
    )
    assert preview.zone == "Europe/Paris"
    assert [(w.start_local.isoformat(), w.start.isoformat()) for w in preview.windows] == [
        ("2027-03-27T01:00:00+01:00", "2027-03-27T00:00:00+00:00"),
        ("2027-03-28T01:00:00+01:00", "2027-03-28T00:00:00+00:00"),
        ("2027-03-29T01:00:00+02:00", "2027-03-28T23:00:00+00:00"),  # summer time: an hour earlier in UTC
    ]
    assert not any(w.open_now for w in preview.windows)


def test_the_window_open_now_comes_first():
    preview = selectors.policy_preview(
        fields={"selector_criteria": "class equals 'DB'", "timeframe": ACROSS_DST},
        now=datetime(2027, 3, 27, 0, 30, tzinfo=UTC),
        window_count=2,
    )
    assert preview.windows[0].open_now and preview.windows[0].start == datetime(2027, 3, 27, tzinfo=UTC)


def test_matching_counts_current_events_and_samples_the_newest():
    EventFactory.create_batch(3, event_class="DB")
    EventFactory(event_class="DB", status="CLOSED")
    EventFactory(event_class="DB", status="ACK")
    EventFactory(event_class="WEB")
    newest = EventFactory(event_class="DB")
    preview = selectors.policy_preview(
        fields={"selector_criteria": "class equals 'DB'", "timeframe": ACROSS_DST},
        now=datetime(2027, 3, 1, tzinfo=UTC),
        sample_size=2,
    )
    assert (preview.matching_events, preview.open_matching_events) == (5, 4)
    assert preview.sample[0].pk == newest.pk and len(preview.sample) == 2


def test_bad_input_is_the_policy_validators_error():
    with pytest.raises(Invalid) as caught:
        selectors.policy_preview(fields={"selector_criteria": "class equal", "timeframe": "x"}, now=datetime.now(UTC))
    paths = {path.split(".")[0] for path, _ in caught.value.errors}
    assert paths == {"selector_criteria", "timeframe"}


def test_the_endpoint_previews_an_unsaved_policy(api_client, analyst_user):
    EventFactory(event_class="DB", identifier="db-1")
    api_client.force_authenticate(analyst_user)
    body = {"selector_criteria": "class equals 'DB'", "timeframe": ACROSS_DST, "windows": 3, "sample": 5}
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["time_zone"] == "Europe/Paris"
    assert [w["start"] for w in data["windows"]] == [
        "2027-03-27T00:00:00Z",
        "2027-03-28T00:00:00Z",
        "2027-03-28T23:00:00Z",
    ]
    assert data["windows"][2]["start_local"] == "2027-03-29T01:00:00+02:00"
    assert data["matching_events"] == 1 and data["sample"][0]["identifier"] == "db-1"


def test_the_endpoint_previews_a_saved_policy_with_overrides(api_client, analyst_user):
    policy = BlackoutPolicyFactory(selector_criteria="class equals 'WEB'", timeframe=ACROSS_DST)
    EventFactory(event_class="WEB")
    api_client.force_authenticate(analyst_user)
    saved = api_client.post(URL, {"policy": str(policy.pk)}, format="json").json()
    changed = api_client.post(URL, {"policy": str(policy.pk), "selector_criteria": "class equals 'X'"}, format="json")
    assert saved["matching_events"] == 1 and changed.json()["matching_events"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"selector_criteria": "class equalz 'DB'", "timeframe": ACROSS_DST}, "selector_criteria"),
        ({"selector_criteria": "class equals 'DB'", "timeframe": []}, "timeframe"),
        ({"selector_criteria": "class equals 'DB'", "timeframe": {**ACROSS_DST, "startTime": "25:00"}}, "timeframe"),
        ({"selector_criteria": "class equals 'DB'"}, "timeframe"),
        ({"selector_criteria": "class equals 'DB'", "timeframe": ACROSS_DST, "windows": 0}, "windows"),
        ({"selector_criteria": "class equals 'DB'", "timeframe": ACROSS_DST, "sample": "many"}, "sample"),
        ({"policy": "not-a-uuid"}, "policy"),
    ],
)
def test_bad_input_is_a_clear_400_naming_the_field(api_client, analyst_user, body, field):
    api_client.force_authenticate(analyst_user)
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert any(key.split(".")[0] == field for key in response.json()), response.json()


def test_unknown_policy_is_404_and_anonymous_is_401(api_client, analyst_user):
    assert api_client.post(URL, {}, format="json").status_code == 401
    api_client.force_authenticate(analyst_user)
    response = api_client.post(URL, {"policy": "00000000-0000-0000-0000-000000000000"}, format="json")
    assert response.status_code == 404


def test_without_the_view_permissions_it_is_403(api_client, plain_user):
    api_client.force_authenticate(plain_user)
    assert api_client.post(URL, {}, format="json").status_code == 403


ADMIN_URL = "/admin/blackouts/blackoutpolicy/preview/"


def _form(**overrides) -> dict:
    import json

    data = {"name": "unsaved", "selector_criteria": "class equals 'DB'", "timeframe": json.dumps(ACROSS_DST)}
    data.update(overrides)
    return data


def test_the_admin_preview_shows_an_unsaved_policys_windows_and_events(client, superuser):
    EventFactory(event_class="DB", identifier="db-admin")
    client.force_login(superuser)
    response = client.post(ADMIN_URL, {**_form(), "windows": "3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="preview-window"') == 3
    assert "Sun 2027-03-28 01:00 +0100" in html and "Mon 2027-03-29 01:00 +0200" in html
    assert "2027-03-28 23:00" in html  # the same window in UTC
    assert "db-admin" in html
    from blackouts.models import BlackoutPolicy

    assert not BlackoutPolicy.objects.exists()  # a preview saves nothing


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"timeframe": "{not json"}, "Enter valid JSON"),
        ({"selector_criteria": "class equalz 'DB'"}, "selector_criteria"),
        ({"windows": "0"}, "windows must be 1-50"),
    ],
)
def test_the_admin_preview_names_what_is_wrong(client, superuser, overrides, message):
    client.force_login(superuser)
    response = client.post(ADMIN_URL, _form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "must be an object" not in response.content.decode()


def test_the_policy_form_has_the_preview_button(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/blackouts/blackoutpolicy/add/").content.decode()
    assert 'id="policy-preview-button"' in html and "blackouts/policy_preview.js" in html
