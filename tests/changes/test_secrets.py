"""Secrets never leave (issue #21, finding 3): generated over every model that declares secret fields.

For each such model (``core.changes.registry.sensitive_models()``: a subscription's signing secret, a user's
password, an outstanding refresh token), ``SECRET_DOORS`` says how to set and rotate its secrets through every door
that can (the API and the admin, with error bodies on the way). Then every door that could carry one is read and
scanned for each secret ever set, old and new, and its decoded forms: the change log (API page and every export
format, the change log admin, its export, each change's page), the model's admin list, change page and History,
the model's own API, the log records of the whole run. A model that declares a secret without a recipe fails
``test_every_model_with_secrets_has_a_recipe``, so a new secret field is covered as soon as it is declared.
"""

import base64
import binascii
import io
import logging
import zipfile

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from rest_framework.test import APIClient

from core.changes.admin import SHOW_ONCE_TEMPLATE
from core.changes.models import Change
from core.changes.registry import MASK_CHANGED, MASK_SET, sensitive_models, tracked
from core.changes.subscriptions import secret_generate

pytestmark = pytest.mark.django_db

SENSITIVE = sorted(sensitive_models().items(), key=lambda item: item[0]._meta.label)
EXPORT_FORMATS = ("csv", "xlsx", "json", "jsonl")


class Run:
    """What a recipe did: the secrets it set (or tried to), the objects it touched, the answers that must not carry a
    secret (error bodies) and the extra doors (its own API) to read afterwards."""

    def __init__(self, staff, operator, analyst):
        self.staff, self.operator, self.analyst = staff, operator, analyst
        self.secrets: set[str] = set()
        self.pks: set = set()
        self.outputs: list[tuple[str, bytes]] = []
        self.urls: list[tuple[str, object]] = []

    def error(self, door: str, response, status: int) -> None:
        assert response.status_code == status, (door, response.status_code, response.content[:300])
        self.outputs.append((f"error body: {door}", response.content))


def _url(model, name, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)


def _shown_once(response) -> bool:
    return response.status_code == 200 and SHOW_ONCE_TEMPLATE in {t.name for t in response.templates}


# --- changes.Subscription: create and rotate through the API and through the admin ----------------------------------
SUBSCRIPTIONS = "/api/webhooks/subscriptions/"


def _subscription_form(**fields):
    return {
        "name": "admin listener",
        "target_url": "https://hooks.example.com/admin",
        "event_types": '["outage.etr_changed"]',
        "filter": "",
        "format": "standard",
        "query": "",
        "enabled": "on",
        **fields,
    }


def _subscription_secrets(run: Run):
    from core.changes.models import Subscription

    def stored(pk) -> str:
        return Subscription.objects.get(pk=pk).secret

    # API: created (generated, shown once), rotated (generated), rotated (given), then deleted.
    body = {"target_url": "https://hooks.example.com/api", "event_types": ["outage.created"], "name": "api listener"}
    created = run.operator.post(SUBSCRIPTIONS, body, format="json")
    assert created.status_code == 201, created.content
    api_pk = created.json()["id"]
    assert created.json()["secret"] == stored(api_pk)  # shown once, in the answer that set it
    run.secrets.add(stored(api_pk))
    rotated = run.operator.patch(f"{SUBSCRIPTIONS}{api_pk}/", {"secret": ""}, format="json")
    assert rotated.status_code == 200, rotated.content
    assert rotated.json()["secret"] == stored(api_pk) not in run.secrets  # a new one, shown once
    run.secrets.add(stored(api_pk))
    given = secret_generate()
    run.secrets.add(given)
    assert run.operator.patch(f"{SUBSCRIPTIONS}{api_pk}/", {"secret": given}, format="json").status_code == 200
    assert stored(api_pk) == given
    renamed = run.operator.patch(f"{SUBSCRIPTIONS}{api_pk}/", {"name": "renamed"}, format="json")
    assert renamed.json()["secret"] == "whsec_…"  # a change that kept the secret does not show it
    refused = secret_generate()
    run.secrets.add(refused)
    run.error(
        "API create, private target",
        run.operator.post(SUBSCRIPTIONS, {**body, "secret": refused, "target_url": "http://127.0.0.1/"}, format="json"),
        400,
    )
    run.error(
        "API change, unknown event type",
        run.operator.patch(f"{SUBSCRIPTIONS}{api_pk}/", {"secret": refused, "event_types": ["nope"]}, format="json"),
        400,
    )
    not_base64 = run.operator.post(SUBSCRIPTIONS, {**body, "secret": "whsec_%%%"}, format="json")
    run.error("API create, not base64", not_base64, 400)
    kept = run.operator.post(SUBSCRIPTIONS, {**body, "name": "kept"}, format="json").json()["id"]
    run.secrets.add(stored(kept))
    run.pks.add(kept)
    assert run.operator.delete(f"{SUBSCRIPTIONS}{api_pk}/").status_code == 204

    # Admin: added (generated, shown once), rotated (generated), rotated (given), renamed (kept, not shown).
    from core.changes.models import Subscription as Model

    added = run.staff.post(_url(Model, "add"), _subscription_form())
    assert _shown_once(added), added.content[:500]
    admin_pk = Model.objects.get(name="admin listener").pk
    run.pks.add(admin_pk)
    assert stored(admin_pk) in added.content.decode()
    run.secrets.add(stored(admin_pk))
    change_url = _url(Model, "change", admin_pk)
    page = run.staff.get(change_url)
    assert page.status_code == 200 and stored(admin_pk) not in page.content.decode()  # masked on a later visit
    rotated = run.staff.post(change_url, _subscription_form(rotate_secret="on"))
    assert _shown_once(rotated) and stored(admin_pk) in rotated.content.decode()
    assert stored(admin_pk) not in run.secrets
    run.secrets.add(stored(admin_pk))
    given = secret_generate()
    run.secrets.add(given)
    assert _shown_once(run.staff.post(change_url, _subscription_form(new_secret=given)))
    assert stored(admin_pk) == given
    renamed = run.staff.post(change_url, _subscription_form(name="admin renamed"))
    assert renamed.status_code == 302 and stored(admin_pk) == given  # kept, and not shown again
    refused = secret_generate()
    run.secrets.add(refused)
    run.error(
        "admin add, private target",
        run.staff.post(_url(Model, "add"), _subscription_form(target_url="http://127.0.0.1/", new_secret=refused)),
        200,
    )
    run.error(
        "admin change, invalid JSON",
        run.staff.post(change_url, _subscription_form(event_types="[", new_secret=refused)),
        200,
    )
    run.urls += [("webhook API list", SUBSCRIPTIONS)] + [
        (f"webhook API detail {pk}", f"{SUBSCRIPTIONS}{pk}/") for pk in run.pks
    ]

    # The change log recorded every create, rotation and delete, each secret as changed only.
    recorded = Change.objects.filter(object_type="changes.subscription")
    assert {"created", "updated", "deleted"} <= set(recorded.values_list("action", flat=True))
    marks = [c.changes["secret"] for c in recorded if "secret" in c.changes]
    assert [None, MASK_CHANGED] in marks and [MASK_SET, MASK_CHANGED] in marks and [MASK_SET, None] in marks


# --- auth.User: a password set and changed through the admin --------------------------------------------------------
def _user_passwords(run: Run):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    first, second, refused = "Frst-pass-9d2Kq", "Scnd-pass-7ZxQw", "Rfsd-pass-4PlMn"
    run.secrets |= {first, second, refused}
    added = run.staff.post(
        _url(User, "add"),
        {"username": "secret-holder", "usable_password": "true", "password1": first, "password2": first},
    )
    assert added.status_code == 302, added.content[:300]
    user = User.objects.get(username="secret-holder")
    run.pks.add(user.pk)
    run.secrets.add(user.password)
    password_url = reverse("admin:auth_user_password_change", args=[user.pk])
    changed = run.staff.post(password_url, {"password1": second, "password2": second, "usable_password": "true"})
    assert changed.status_code == 302, changed.content[:300]
    user.refresh_from_db()
    run.secrets.add(user.password)
    run.error(
        "admin password change, mismatch",
        run.staff.post(password_url, {"password1": refused, "password2": refused + "x", "usable_password": "true"}),
        200,
    )


# --- token_blacklist.OutstandingToken: a refresh token obtained and rotated through the API -----------------------
def _refresh_tokens(run: Run):
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    user = get_user_model().objects.create_user("token-holder", password="Token-holder-pass-1")
    api = APIClient()
    pair = api.post("/api/auth/token/", {"username": "token-holder", "password": "Token-holder-pass-1"}, format="json")
    assert pair.status_code == 200, pair.content
    first = pair.json()["refresh"]
    rotated = api.post("/api/auth/token/refresh/", {"refresh": first}, format="json")
    assert rotated.status_code == 200, rotated.content
    second = rotated.json()["refresh"]
    run.secrets |= {first, second}
    run.error(
        "API refresh, a rotated token", api.post("/api/auth/token/refresh/", {"refresh": first}, format="json"), 401
    )
    run.pks |= set(OutstandingToken.objects.filter(user=user).values_list("pk", flat=True))
    assert len(run.pks) == 2


# --- access_keys.AccessKey: a key created and rotated in the admin, created by the command, logged in with ----------
def _access_key_secrets(run: Run):
    import io
    import json
    import re

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from core.access_keys.admin import SHOW_ONCE_TEMPLATE as KEY_SHOWN_ONCE
    from core.access_keys.models import AccessKey

    owner = get_user_model().objects.create_user("key-owner", password="Key-owner-pass-1")
    owner.groups.add(Group.objects.get(name="integration"))

    def shown(response) -> str:
        assert response.status_code == 200 and KEY_SHOWN_ONCE in {t.name for t in response.templates}
        return re.search(r'id="access-secret-key"[^>]*>([^<]+)<', response.content.decode()).group(1)

    added = run.staff.post(_url(AccessKey, "add"), {"name": "admin key", "description": "", "user": owner.pk})
    first = shown(added)
    key = AccessKey.objects.get(name="admin key")
    run.pks.add(key.pk)
    rotated = run.staff.post(_url(AccessKey, "change", key.pk), {"name": key.name, "rotate_secret": "on"})
    second = shown(rotated)
    out = io.StringIO()
    call_command("create_access_key", "key-owner", "--json", stdout=out)
    made = json.loads(out.getvalue())
    run.pks.add(AccessKey.objects.get(access_key=made["access_key"]).pk)
    run.secrets |= {first, second, made["access_secret_key"]}
    run.secrets |= set(AccessKey.objects.filter(pk__in=run.pks).values_list("secret_hash", flat=True))
    api = APIClient()
    login = "/ims/api/v1/access_keys/login"
    answer = api.post(login, {"access_key": key.access_key, "access_secret_key": second}, format="json")
    assert answer.status_code == 200, answer.content
    refreshed = api.post("/ims/api/v1/auth/tokens", {"token": answer.json()["token"]}, format="json").json()
    run.secrets |= {answer.json()["token"], answer.json()["json_web_token"], refreshed["json_web_token"]}
    run.error(
        "login, the rotated secret",
        api.post(login, {"access_key": key.access_key, "access_secret_key": first}, format="json"),
        401,
    )
    run.error(
        "login, a secret as the id",
        api.post(login, {"access_key": second, "access_secret_key": second}, format="json"),
        401,
    )
    policy = "/events-service/api/v1.0/blackout_policies/6898e009-7b19-11eb-b21b-f1af2da78f15"
    run.staff.post(_url(AccessKey, "changelist"), {"action": "revoke", "_selected_action": [str(key.pk)]})
    revoked = api.get(policy, HTTP_AUTHORIZATION=f"apiKey {answer.json()['json_web_token']}")
    run.error("BMC endpoint, a revoked key's token", revoked, 401)
    run.error(
        "refresh, a revoked key",
        api.post("/ims/api/v1/auth/tokens", {"token": answer.json()["token"]}, format="json"),
        401,
    )


# Per model declaring secrets: how to set and rotate them through every door that can.
SECRET_DOORS = {
    "changes.Subscription": _subscription_secrets,
    "auth.User": _user_passwords,
    "token_blacklist.OutstandingToken": _refresh_tokens,
    "access_keys.AccessKey": _access_key_secrets,
}


def test_every_model_with_secrets_has_a_recipe():
    assert {m._meta.label for m, _ in SENSITIVE} == set(SECRET_DOORS)


def test_the_subscription_secret_is_declared_once_on_the_model():
    from core.changes.models import Subscription
    from core.changes.registry import sensitive_fields

    assert Subscription.sensitive_fields == ("secret",)
    assert "secret" in sensitive_fields(Subscription) and "secret" in tracked(Subscription).sensitive


# --- The scan --------------------------------------------------------------------------------------------------
def needles(secret: str) -> set[bytes]:
    """What would betray a secret: its text, and for a Standard Webhooks secret its base64 body, the start and end
    of it (a partial mask) and the decoded key (raw and hex); for a JWT its signature."""
    found = {secret.encode()}
    body = secret.removeprefix("whsec_")
    if body != secret:
        found |= {body.encode(), body[:12].encode(), body[-12:].encode()}
        try:
            key = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) >= 8:
            found |= {key, key.hex().encode()}
    parts = secret.split(".")
    if len(parts) == 3 and all(parts):
        found.add(parts[2].encode())
    return found


def readable(content: bytes) -> bytes:
    """A response's bytes, with an XLSX (a zip) opened: the text of every part."""
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return b"\n".join(book.read(name) for name in book.namelist())
    return content


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def read_doors(run: Run, model) -> list[tuple[str, bytes]]:
    """Every door that could carry a secret of ``model``, read after the recipe ran."""
    out: list[tuple[str, bytes]] = []

    def read(door, client, url, params=None, status=200):
        response = client.get(url, params or {})
        assert response.status_code == status, (door, url, response.status_code, body(response)[:300])
        out.append((door, readable(body(response))))

    object_type = tracked(model).object_type
    if admin.site.is_registered(model):  # simplejwt's token tables are not in the admin (core/admin.py)
        read("admin list", run.staff, _url(model, "changelist"))
        for pk in run.pks:
            read(f"admin change page {pk}", run.staff, _url(model, "change", pk))
            read(f"admin History {pk}", run.staff, _url(model, "history", pk))
    changes = Change.objects.filter(object_type=object_type)
    read("change log admin", run.staff, reverse("admin:changes_change_changelist"), {"object_type": object_type})
    for change in changes:
        read(f"change log admin page {change.pk}", run.staff, reverse("admin:changes_change_change", args=[change.pk]))
    for fmt in ("csv", "xlsx"):
        read(f"change log admin export {fmt}", run.staff, reverse("admin:changes_change_export"), {"_export": fmt})
    read("/api/core/changes/", run.analyst, "/api/core/changes/", {"object_type": object_type})
    for fmt in EXPORT_FORMATS:
        read(f"/api/core/changes/ {fmt}", run.analyst, "/api/core/changes/", {"format": fmt})
    read("/api/core/deliveries/", run.analyst, "/api/core/deliveries/")
    for door, url in run.urls:
        read(door, run.operator, url)
    return out


@pytest.fixture
def doors(client, superuser, django_user_model):
    client.force_login(superuser)
    operator = django_user_model.objects.create_user("operator-secrets", password="Operator-pass-1")
    operator.groups.add(Group.objects.get(name="operator"))
    analyst = django_user_model.objects.create_user("analyst-secrets", password="Analyst-pass-1")
    analyst.groups.add(Group.objects.get(name="analyst"))
    operator_api, analyst_api = APIClient(), APIClient()
    operator_api.force_authenticate(operator)
    analyst_api.force_authenticate(analyst)
    return Run(client, operator_api, analyst_api)


@pytest.mark.parametrize(("model", "names"), SENSITIVE, ids=[m._meta.label for m, _ in SENSITIVE])
def test_secrets_never_leave(doors, model, names, caplog, settings):
    settings.WEBHOOKS_SUBSCRIPTION_CACHE_SECONDS = 0
    caplog.set_level(logging.DEBUG)
    run = doors
    SECRET_DOORS[model._meta.label](run)
    assert run.secrets and run.pks
    outputs = run.outputs + read_doors(run, model)
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {caplog.handler.format(r) if r.exc_info else ''}" for r in caplog.records
    )
    outputs.append(("log records", logged.encode()))
    leaks = [
        (door, secret[:10] + "…")
        for door, text in outputs
        for secret in run.secrets
        if any(n in text for n in needles(secret))
    ]
    assert not leaks, leaks


def test_the_scan_finds_a_leak(doors):
    """The scan itself: a secret written into a change record by hand is found on the change log's doors."""
    from core.changes.models import Subscription

    secret = secret_generate()
    Change.objects.create(
        object_type="changes.subscription", object_id="1", action="updated", changes={"x": [None, secret]}
    )
    doors.secrets.add(secret)
    found = read_doors(doors, Subscription)
    leaking = {door for door, text in found if any(n in text for n in needles(secret))}
    assert {"change log admin", "/api/core/changes/ csv", "/api/core/changes/ xlsx"} <= leaking
    key = base64.b64decode(secret.removeprefix("whsec_"))
    assert key.hex().encode() in needles(secret)


def test_the_migration_masks_secrets_recorded_before():
    """Changes recorded before subscriptions were described held the secret itself: migration 0008 masks them."""
    import importlib

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    scrub = importlib.import_module("core.migrations.0008_change_scrub_secrets").scrub
    # The models as that migration saw them (core's, before the change log became an app: the same tables), and
    # the rows as they were then recorded (``core.subscription``: the app move renamed them afterwards).
    apps = MigrationLoader(connection).project_state(("core", "0008_change_scrub_secrets")).apps
    old, new = secret_generate(), secret_generate()
    rows = [
        Change.objects.create(object_type="core.subscription", object_id="7", action="created", changes=c)
        for c in (
            {"secret": [None, old], "name": [None, "x"]},
            {"secret": [old, new]},
            {"secret": [new, None], "enabled": [True, None]},
            {"name": ["x", "y"]},
        )
    ]
    other = Change.objects.create(object_type="outages.outageevent", object_id="7", changes={"secret": [None, "k"]})
    scrub(apps, None)
    assert [Change.objects.get(pk=c.pk).changes for c in rows] == [
        {"secret": [None, MASK_CHANGED], "name": [None, "x"]},
        {"secret": [MASK_SET, MASK_CHANGED]},
        {"secret": [MASK_SET, None], "enabled": [True, None]},
        {"name": ["x", "y"]},
    ]
    assert Change.objects.get(pk=other.pk).changes == {"secret": [None, "k"]}


def test_snapshots_and_the_fallback_wire_representation_hold_no_secret():
    """A snapshot holds a secret as a keyed digest (so a rotation is seen), and a model without its own wire
    representation is sent without its secret fields."""
    from core.changes.recording import snapshot
    from core.changes.rendering import representation as _representation
    from core.changes.subscriptions import subscription_create

    sub = subscription_create(target_url="https://hooks.example.com/x", event_types=["outage.created"])
    before = snapshot(sub)
    assert sub.secret not in str(before) and before["secret"].startswith("hmac-sha256:")
    sub.secret = secret_generate()
    assert snapshot(sub)["secret"] != before["secret"]
    wire = _representation(tracked(sub), sub)
    assert "secret" not in wire and wire["target_url"] == "https://hooks.example.com/x"
