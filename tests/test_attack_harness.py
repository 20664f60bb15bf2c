"""The attack harness (``make attack``, bench/attack/) at a tiny scale through Django's test client, so that its
generators and its judge keep working as the product changes. It asserts the harness, not the product: the
findings are the live run's (docs/testing.md, "The attack run")."""

import pytest

from bench.attack import corpus, matrix
from bench.attack.expected import ALLOW, DENY, Target, expected
from bench.attack.hostile import RAW_SURROGATE, Raw, encode_json
from bench.attack.roles import ROLES, create_users
from bench.attack.sending import ClientSender, run_all
from bench.attack.surface import read_surface


def test_raw_values_go_into_json_verbatim():
    body = encode_json({"a": Raw(b"1e309"), "b": [RAW_SURROGATE], "c": "\ud800"})
    assert body == b'{"a": 1e309, "b": ["\xed\xa0\x80x"], "c": "\\ud800"}'


@pytest.fixture
def harness(db, settings):
    settings.AUTH_FAILURE_USER_LIMIT = 0
    settings.AUTH_FAILURE_ADDRESS_LIMIT = 0
    credentials = create_users(prefix="t")
    return read_surface(), credentials, ClientSender(credentials)


def test_the_corpus_reaches_every_door_and_every_request_is_answered(harness):
    surface, _, send = harness
    doors = {"oracle", "bmc", "uim", "tmf-hub", "analyst", "webhooks", "auth", "admin", "other"}
    assert doors <= set(corpus.candidate_counts(surface))
    records = []
    run_all(send, corpus.corpus(surface, scale=0.0005), concurrency=1, on_result=lambda q, r: records.append((q, r)))
    assert {q.door for q, _ in records} >= doors
    assert all(r.status for _, r in records), [(q.describe(), r.error) for q, r in records if not r.status]


def test_the_matrix_judges_every_role_at_every_kind_of_door(harness, django_user_model):
    surface, credentials, send = harness
    requests = matrix.build(surface)
    assert {q.role for q in requests} == set(ROLES)
    assert {q.meta["target"].kind for q in requests} == {"api", "admin-page", "admin-action", "admin-extra"}
    sample = requests[:: max(1, len(requests) // 150)]
    records = []
    run_all(send, sample, concurrency=1, on_result=lambda q, r: records.append((q, r)))
    users = {role: django_user_model.objects.filter(pk=c.user_id).first() for role, c in credentials.items()}
    result = matrix.judge(records, users)
    assert result["requests"] == len(sample) and result["judged"] > 0


def test_the_expectation_denies_the_anonymous_and_lets_a_superuser_in(harness, django_user_model):
    _, credentials, _ = harness
    superuser = django_user_model.objects.get(pk=credentials["superuser"].user_id)
    api = Target(
        "api", "GET", "/api/outages/events/", template="/api/outages/events/", required=("outages.view_outageevent",)
    )
    page = Target("admin-page", "GET", "/admin/outages/outageevent/", model="outages.outageevent", page="changelist")
    assert expected("anonymous", None, api) == DENY
    assert expected("superuser", superuser, api) == ALLOW
    assert expected("anonymous", None, page) == DENY
    assert expected("superuser", superuser, page) == ALLOW


def test_the_expectation_is_the_role_table_not_the_database():
    from core import roles

    hub = "/InventoryRSOpenAPI/serviceInventoryManagement/{version}/hub"
    register = Target("api", "POST", hub, template=hub, required=tuple(roles.needs("use_hub")))
    assert expected("analyst", None, register) == DENY
    assert expected("analyst_staff", None, register) == DENY
    assert expected("integration", None, register) == ALLOW
    activate = Target(
        "admin-action",
        "POST",
        "/admin/inventory/businessinteraction/",
        model="inventory.businessinteraction",
        page="activate_in_background",
        action_permissions=tuple(roles.needs("run_bundle_tasks")),
    )
    assert expected("analyst_staff", None, activate) == DENY
    assert expected("operator", None, activate) == ALLOW
    assert expected("integration", None, activate) == DENY  # not staff: no admin at all
    calendar = Target(
        "admin-extra",
        "GET",
        "/admin/blackouts/blackoutpolicy/calendar/",
        model="blackouts.blackoutpolicy",
        action_permissions=tuple(roles.needs("view_calendar")),
    )
    assert expected("analyst_staff", None, calendar) == ALLOW
    assert expected("staff", None, calendar) == DENY


def test_another_integrations_hub_listener_answers_404(harness):
    _, credentials, send = harness
    requests = matrix.ownership(credentials)
    assert [q.method for q in requests] == ["GET", "DELETE"]
    records = []
    run_all(send, requests, concurrency=1, on_result=lambda q, r: records.append((q, r)))
    result = matrix.judge(records, {})
    assert [r.status for _, r in records] == [404, 404]
    assert result["outside_expected"] == [] and result["judged"] == 2
