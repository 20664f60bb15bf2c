"""A client generated from the live OpenAPI document works against the live server (issue 23).

openapi-python-client (pinned in the dev extra), at its default settings, generates a client from
``/api/schema/``; the test fails on any skipped operation and on any warning but one: openapi-python-client
supports no XML request body, and says so once for each operation that declares one beside its JSON body (the
Oracle family's five). That client then drives, over real HTTP against ``live_server``, at least one operation of
every family: outage POST and search, contact PUT and GET, enroll and unenroll, a blackout policy created, updated,
searched and deleted with the JWT of the BMC access-key login, a bundle created then updated with the UIM spec's own
update example then a task then read, a hub listener registered with an empty query then deleted, an analyst list
ordered on two columns (``ordering`` repeated, as the generated client sends an array) and the webhook
subscriptions list.

The client is generated once per module (a few seconds); the operations share one live server and one demo load.
"""

import copy
import importlib
import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db(transaction=True)]

PACKAGE = "utility_telecom_back_office_api_client"  # from the document's title
# The one warning openapi-python-client gives for a declared XML request body; the operation keeps its JSON body.
XML_BODY_WARNING = "Unsupported content type application/xml"
EXAMPLES = Path(__file__).resolve().parents[1] / "inventory" / "api" / "examples"
METHODS = ("get", "put", "post", "delete", "patch")


def _warning_blocks(output: str) -> list[str]:
    """openapi-python-client's warnings: each starts with a line ``WARNING parsing <METHOD> <path> ...`` (or any
    other line naming a warning or an error) and runs to the next one."""
    blocks, current = [], None
    for line in output.splitlines():
        if re.match(r"^(WARNING|ERROR|Unable|Skipping|Error)", line):
            current = [line]
            blocks.append(current)
        elif current is not None:
            current.append(line)
    return ["\n".join(block) for block in blocks]


@pytest.fixture(scope="module")
def document(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


@pytest.fixture(scope="module")
def generated(document, tmp_path_factory):
    """The generated package, imported: (package, generator output)."""
    root = tmp_path_factory.mktemp("generated-client")
    schema = root / "schema.json"
    schema.write_text(json.dumps(document))
    binaries = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{binaries}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff post-hooks
    run = subprocess.run(
        [str(binaries / "openapi-python-client"), "generate", "--path", str(schema), "--output-path", "client"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    sys.path.insert(0, str(root / "client"))
    try:
        yield importlib.import_module(PACKAGE), output
    finally:
        sys.path.remove(str(root / "client"))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _api(package, tag_module: str, operation: str):
    return importlib.import_module(f"{package.__name__}.api.{tag_module}.{operation}")


def _model(package, name: str):
    return getattr(importlib.import_module(f"{package.__name__}.models"), name)


def _snake(operation_id: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", operation_id).lower()


def test_every_operation_is_generated_and_the_only_warnings_are_xml_bodies(document, generated):
    package, output = generated
    operations = {
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in METHODS
    }
    modules = {path.stem for path in Path(package.__file__).parent.glob("api/*/*.py") if path.stem != "__init__"}
    assert len(operations) >= 84
    assert {_snake(operation_id) for operation_id in operations} == modules, output
    xml_bodies = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS and "application/xml" in (operation.get("requestBody") or {}).get("content", {})
    }
    warnings = _warning_blocks(output)
    unexpected = [block for block in warnings if XML_BODY_WARNING not in block]
    assert not unexpected, "\n\n".join(unexpected)
    warned = {re.match(r"WARNING parsing (\S+ \S+)", block).group(1) for block in warnings}
    assert warned == xml_bodies, (warned, xml_bodies)
    assert len(xml_bodies) == 5  # outage POST and search, contact PUT, enroll, unenroll


@pytest.fixture
def demo(transactional_db, settings):
    from django.core.management import call_command

    # The hub's listener is a local test receiver: loopback is allowed for it (the SSRF rule's test switch).
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    settings.WEBHOOKS_LOOPBACK_PORTS = ((1024, 65535),)
    call_command("load_demo", stdout=StringIO())


@pytest.fixture
def users(demo, django_user_model):
    from django.contrib.auth.models import Group

    made = {}
    for role in ("integration", "analyst", "operator"):
        user = django_user_model.objects.create_user(f"generated-{role}", f"{role}@example.com", f"{role}-password1")
        user.groups.add(Group.objects.get(name=role))
        made[role] = user
    return made


def _ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.content[:1500])
    return response


def test_the_generated_client_drives_every_family(generated, users, live_server, httpserver):
    from contacts.api.views import REQUEST_EXAMPLE as CONTACT
    from core.access_keys import services as access_keys
    from enrollments.api.views import ENROLL_EXAMPLE, UNENROLL_EXAMPLE
    from outages.api.serializers import SPEC_EXAMPLE as OUTAGE

    package, _output = generated
    client_module = importlib.import_module(f"{package.__name__}.client")
    base = live_server.url
    anonymous = client_module.Client(base_url=base, raise_on_unexpected_status=False)

    # Auth family: the JWT pair of the integration user and of the analyst.
    token_create = _api(package, "auth", "api_auth_token_create")
    tokens = {}
    for role in ("integration", "analyst", "operator"):
        body = _model(package, "TokenObtainPairRequest")(username=f"generated-{role}", password=f"{role}-password1")
        tokens[role] = json.loads(_ok(token_create.sync_detailed(client=anonymous, body=body)).content)["access"]

    def authenticated(token):
        return client_module.AuthenticatedClient(base_url=base, token=token, raise_on_unexpected_status=False)

    integration, analyst = authenticated(tokens["integration"]), authenticated(tokens["analyst"])

    # Oracle: outage notification POST, then the search.
    outages = "outages"
    outage = copy.deepcopy(OUTAGE)
    details = outage["outageMessages"][0]["eventDetails"]
    details["externalOutageId"] = "GEN-OUTAGE-1"  # the demo holds the spec's own
    del details["completionDateTime"]  # active: the search shows it
    notification = _model(package, "OutageEventNotificationsRequest").from_dict(outage)
    _ok(
        _api(package, outages, "outage_event_notifications_create").sync_detailed(client=integration, body=notification)
    )
    account = OUTAGE["outageMessages"][0]["customerInformation"]["customers"][0]["accountId"]
    search = _model(package, "OutageEventSearchRequest").from_dict(
        {"accountId": account, "includeRecentlyRestored": True}
    )
    found = _ok(_api(package, outages, "outage_event_search").sync_detailed(client=integration, body=search))
    assert "GEN-OUTAGE-1" in [event.external_outage_id for event in found.parsed.outage_events]

    # Oracle: contact PUT and GET.
    contact_id = "GEN-CC-1"
    contact = _model(package, "C1CreUpdCCRequest").from_dict({**copy.deepcopy(CONTACT), "externalCCId": contact_id})
    put = _api(package, "contacts", "customer_contact_create_update")
    _ok(put.sync_detailed(contact_id, client=integration, body=contact))
    read = _ok(_api(package, "contacts", "customer_contact_read").sync_detailed(contact_id, client=integration))
    assert read.parsed.external_cc_id == contact_id and read.parsed.cc_id

    # Oracle Digital Asset: enroll and unenroll (a 200 either way: ERROR is an answer of the spec, not a failure).
    enrollments = "enrollments_oracle_utilities_digital_asset"
    enroll = _model(package, "DAEnrollRequestRequest").from_dict(copy.deepcopy(ENROLL_EXAMPLE))
    enrolled = _ok(
        _api(package, enrollments, "create_program_enrollment").sync_detailed(client=integration, body=enroll)
    )
    assert enrolled.parsed.status in ("ENROLLED", "PENDING", "ERROR")
    unenroll = _model(package, "DAUnenrollRequestRequest").from_dict(copy.deepcopy(UNENROLL_EXAMPLE))
    unenrolled = _ok(
        _api(package, enrollments, "create_program_unenrollment").sync_detailed(client=integration, body=unenroll)
    )
    assert unenrolled.parsed.status in ("PENDING", "COMPLETED", "ERROR")

    # BMC: the access-key login, then a policy created, updated, searched and deleted with its JWT.
    _key, secret = access_keys.access_key_create(user=users["integration"], name="generated client")
    login = _model(package, "AccessKeyLoginRequest")(
        access_key=_key.access_key, access_secret_key=secret, tenant_id="1234567890"
    )
    jwt = _ok(
        _api(package, "bmc_auth", "ims_api_v1_access_keys_login_create").sync_detailed(client=anonymous, body=login)
    )
    bmc = authenticated(jwt.parsed.json_web_token)
    from tests.access_keys.test_bmc_client import POLICY

    created = _api(package, "blackouts", "blackout_policy_create").sync_detailed(
        client=bmc, body=_model(package, "BlackoutPolicyCreateBody").from_dict(copy.deepcopy(POLICY))
    )
    policy_id = json.loads(_ok(created).content)["resourceId"][0]
    changed = {**copy.deepcopy(POLICY), "description": "changed by the generated client"}
    _ok(
        _api(package, "blackouts", "blackout_policy_update").sync_detailed(
            policy_id, client=bmc, body=_model(package, "BlackoutPolicyUpdateBody").from_dict(changed)
        )
    )
    searched = _api(package, "blackouts", "blackout_policies_search").sync_detailed(
        client=bmc,
        body=_model(package, "BlackoutPoliciesSearchBody").from_dict({"searchString": POLICY["name"]}),
    )
    policies = json.loads(_ok(searched).content)["policies"]
    assert [(p["name"], p["description"]) for p in policies] == [(POLICY["name"], "changed by the generated client")]
    _ok(_api(package, "blackouts", "blackout_policy_delete").sync_detailed(policy_id, client=bmc))

    # UIM: a bundle created, updated with the spec's own update example, a task run, then read.
    uim = "inventory_rs_open_api"
    version = _model(package, "BundleCreateOrUpdateVersion")("v3")
    create_body = json.loads((EXAMPLES / "bundle-create-request.json").read_text())
    bundle = _api(package, uim, "bundle_create_or_update").sync_detailed(
        version, client=integration, body=_model(package, "BundleCreateRequest").from_dict(create_body)
    )
    made = json.loads(_ok(bundle, 201).content)
    bundle_id = made["id"]
    # The spec's update example with the ids the create returned (its two items both say 825007), as
    # tests/inventory/test_api.py's update_from_example does.
    update_body = json.loads((EXAMPLES / "bundle-update-request.json").read_text())
    update_body["id"] = int(bundle_id)  # the spec sends the bundle id as a number
    for item, made_item in zip(update_body["items"], made["items"], strict=True):
        item["id"] = made_item["id"]
    updated = _api(package, uim, "bundle_create_or_update").sync_detailed(
        version, client=integration, body=_model(package, "BundleUpdateRequest").from_dict(update_body)
    )
    assert updated.status_code in (200, 201), updated.content[:500]
    task = _api(package, uim, "bundle_task").sync_detailed(
        _model(package, "BundleTaskVersion")("v3"),
        str(bundle_id),
        _model(package, "BundleTaskTask")("APPROVE"),
        client=integration,
    )
    _ok(task)
    read_bundle = _api(package, uim, "bundle_retrieve").sync_detailed(
        _model(package, "BundleRetrieveVersion")("v3"), str(bundle_id), client=integration
    )
    assert json.loads(_ok(read_bundle).content)["id"] == bundle_id

    # TMF hub: a listener with an empty query (every event), then deleted.
    hub = _api(package, uim, "hub_create").sync_detailed(
        _model(package, "HubCreateVersion")("v3"),
        client=integration,
        body=_model(package, "HubInputRequest")(callback=httpserver.url_for("/listener"), query=""),
    )
    hub_id = json.loads(_ok(hub, 201).content)["id"]
    _ok(
        _api(package, uim, "hub_delete").sync_detailed(
            _model(package, "HubDeleteVersion")("v3"), str(hub_id), client=integration
        ),
        204,
    )

    # Analyst API: a list ordered on two columns, `ordering` repeated as the generated client sends an array.
    listing = _api(package, "analyst", "api_outages_events_list")
    ordering_item = _model(package, "ApiOutagesEventsListOrderingItem")
    page = _ok(
        listing.sync_detailed(
            client=analyst,
            ordering=[ordering_item("-impacted_customers"), ordering_item("id")],
        )
    )
    two_columns = [ordering_item("-impacted_customers"), ordering_item("id")]
    assert listing._get_kwargs(ordering=two_columns)["params"]["ordering"] == ["-impacted_customers", "id"]  # repeated
    commas = analyst.get_httpx_client().get("/api/outages/events/", params={"ordering": "-impacted_customers,id"})
    ids = [row["id"] for row in json.loads(page.content)["results"]]
    assert len(ids) > 1 and ids == [row["id"] for row in commas.json()["results"]]

    # Webhook subscriptions (ours): the list, as an operator (who manages them).
    subscriptions = _api(package, "webhooks_extension", "api_webhooks_subscriptions_list")
    assert "results" in json.loads(_ok(subscriptions.sync_detailed(client=authenticated(tokens["operator"]))).content)
