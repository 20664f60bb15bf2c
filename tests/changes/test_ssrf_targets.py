"""The SSRF rule of webhook targets, where a target is stored (issue #21, finding 5 and the Low list): one
validator (``core.changes.targets``) behind every door that stores one — the webhook subscription API, the admin
form and the TMF hub's callback registration. Send time is in test_ssrf_delivery.py."""

import pytest
from django.urls import reverse

from core.changes import subscriptions
from core.changes.models import Subscription
from core.errors import Invalid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_production_rule")]
PUBLIC = "93.184.216.34"
HUB = "/InventoryRSOpenAPI/serviceInventoryManagement/v2/hub"


def create(url: str) -> Subscription:
    return subscriptions.subscription_create(target_url=url, event_types=["outage.created"])


def refused_later(url: str) -> str:
    """The target is refused, on ``target_url``; returns why."""
    with pytest.raises(Invalid) as caught:
        create(url)
    assert caught.value.code == "webhooks.forbidden_target"
    assert [path for path, _text in caught.value.errors] == ["target_url"]
    return caught.value.message


def refused(url: str) -> str:
    """The target is refused, and nothing was stored."""
    message = refused_later(url)
    assert not Subscription.objects.exists()
    return message


# --- addresses -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:7f00:1::]/hooks",  # 6to4 of 127.0.0.1
        "http://[2002:a00:1::1]/hooks",  # 6to4 of 10.0.0.1
        "http://[2002:a9fe:a9fe::]/hooks",  # 6to4 of 169.254.169.254
        "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks",  # Teredo
        "http://[2001::7f00:1]/hooks",  # Teredo prefix
        "http://[64:ff9b::7f00:1]/hooks",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/hooks",  # NAT64 of 169.254.169.254
        "http://[64:ff9b:1::a00:1]/hooks",  # local-use NAT64 (RFC 8215)
        "http://[::ffff:127.0.0.1]/hooks",  # IPv4-mapped
        "http://[::ffff:a00:1]/hooks",  # IPv4-mapped 10.0.0.1
        "http://[::127.0.0.1]/hooks",  # IPv4-compatible (deprecated)
        "http://[::ffff:0:7f00:1]/hooks",  # IPv4-translated (SIIT)
        "http://100.64.0.1/hooks",  # shared address space (carrier-grade NAT): not global
        "http://224.0.0.1/hooks",  # multicast
        "http://[ff02::1]/hooks",
        "http://192.0.0.8/hooks",
        "http://[::]/hooks",
        "http://0.0.0.0/hooks",
    ],
)
def test_private_addresses_in_any_form_are_refused(settings, url):
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True  # loopback itself, not an IPv6 form that embeds it
    refused(url)


@pytest.mark.parametrize(
    "url",
    [
        f"https://{PUBLIC}/hooks",
        "https://[2606:4700::1111]/hooks",
        "https://[2002:5db8:d822::1]/hooks",  # 6to4 of a public address
        "https://[64:ff9b::5db8:d822]/hooks",  # NAT64 of a public address (how IPv6-only networks reach IPv4)
    ],
)
def test_public_addresses_are_accepted(url):
    assert create(url).target_url == url


def test_a_name_is_refused_when_any_of_its_addresses_is_private(resolver):
    resolver.set("sixtofour.test", [PUBLIC, "2002:7f00:1::"])
    message = refused("https://sixtofour.test/hooks")
    assert "2002:7f00:1::" in message and "127.0.0.1" in message


def test_loopback_only_when_allowed(settings):
    refused("http://127.0.0.1/hooks")
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    assert create("http://127.0.0.1/hooks")


# --- ports -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [f"http://{PUBLIC}:8080/hooks", f"https://{PUBLIC}:22/hooks", f"http://{PUBLIC}:6379/", f"http://{PUBLIC}:0/"],
)
def test_only_the_allowed_ports(url):
    assert "port" in refused(url)


def test_the_default_ports_and_configured_ones(settings, resolver):
    resolver.set("hooks.example.test", PUBLIC)
    assert create(f"http://{PUBLIC}/a") and create(f"https://{PUBLIC}:443/b") and create(f"http://{PUBLIC}:80/c")
    assert "port" in refused_later("https://hooks.example.test:8443/x")
    settings.WEBHOOKS_ALLOWED_PORTS = (80, 443, (8443, 8444))
    assert create("https://hooks.example.test:8443/x") and create(f"https://{PUBLIC}:8444/x")


def test_loopback_ports_are_for_loopback_only(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_TARGETS = True
    settings.WEBHOOKS_LOOPBACK_PORTS = ((1024, 65535),)
    assert create("http://127.0.0.1:9000/hooks") and create("http://[::1]:9000/hooks")
    assert "port" in refused_later("http://127.0.0.1:22/hooks")
    assert "port" in refused_later(f"http://{PUBLIC}:9000/hooks")


def test_loopback_ports_need_the_loopback_allowance(settings):
    settings.WEBHOOKS_LOOPBACK_PORTS = ((1024, 65535),)
    refused("http://127.0.0.1:9000/hooks")


# --- URL parsing ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"http://127.0.0.1\\@{PUBLIC}/",  # urllib reads 93.184.216.34; a browser (WHATWG) reads 127.0.0.1
        f"http://{PUBLIC}\\@127.0.0.1/",
        f"http://{PUBLIC}/a\\b",
        f"http://user:secret@{PUBLIC}/hooks",  # userinfo
        f"http://127.0.0.1@{PUBLIC}/hooks",
        f"http://@{PUBLIC}/hooks",
        f"http://{PUBLIC}/a\tb",  # control characters (WHATWG drops tabs and newlines; urllib keeps them)
        f"http://{PUBLIC}/a\nb",
        f"http://{PUBLIC}/a\x00b",
        f"http://{PUBLIC}/a\x7fb",
        f"http://{PUBLIC}/a b",
        f" http://{PUBLIC}/",
        "http://0x7f.1/",  # numeric hosts WHATWG reads as IPv4, urllib as names
        "http://127.1/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://93.184.216.034/",
        "http://hooks.123/",
        "http://exa%6dple.com/",  # percent-encoded host
        "http://ëxample.com/",  # non-ASCII host (its xn-- form is accepted)
        "http://exa..mple.com/",
        "http://my_hooks.example.com/",
        "http://-hooks.example.com/",
        "http://" + ".".join(["a" * 63] * 4) + "/",  # longer than DNS can hold (253)
        f"http:///{PUBLIC}/",  # no authority
        f"http:{PUBLIC}/",
        f"http:/{PUBLIC}/",
        "http://[fe80::1%25eth0]/",  # IPv6 zone
        "http://[::1/",
        f"http://{PUBLIC}:99999/",
        f"http://{PUBLIC}:8x/",
        "file:///etc/passwd",
        "gopher://93.184.216.34/",
        "",
    ],
)
def test_ambiguous_or_malformed_urls_are_refused(url):
    message = refused(url)
    assert "secret" not in message  # a password in the URL is not echoed


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.test/path?x=1&y=%20#frag",
        "HTTPS://Hooks.Example.Test/Path",
        "https://hooks.example.test./x",
        "https://xn--xample-ova.test/x",
        "https://hooks.example.test/é",
    ],
)
def test_ordinary_urls_are_accepted(resolver, url):
    for name in ("hooks.example.test", "hooks.example.test.", "xn--xample-ova.test"):
        resolver.set(name, PUBLIC)
    assert create(url).target_url == url


def test_a_name_that_does_not_resolve_yet_is_accepted_when_saved(resolver):
    resolver.set("later.example.test", [])
    assert create("https://later.example.test/hooks")


# --- every door that stores a target ---------------------------------------------------------------------------

BACKSLASH = f"http://127.0.0.1\\@{PUBLIC}/"


def test_the_subscription_api_refuses_it(api_client, superuser):
    api_client.force_authenticate(superuser)
    response = api_client.post(
        "/api/webhooks/subscriptions/", {"target_url": BACKSLASH, "event_types": ["outage.created"]}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "refused" in response.json()["target_url"][0]
    response = api_client.post(
        "/api/webhooks/subscriptions/",
        {"target_url": f"https://{PUBLIC}/ok", "event_types": ["outage.created"]},
        format="json",
    )
    assert response.status_code == 201
    changed = api_client.patch(
        f"/api/webhooks/subscriptions/{response.json()['id']}/",
        {"target_url": f"https://{PUBLIC}:8443/"},
        format="json",
    )
    assert changed.status_code == 400 and "port" in changed.json()["target_url"][0]
    assert Subscription.objects.get().target_url == f"https://{PUBLIC}/ok"


def test_the_admin_form_refuses_it(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:changes_subscription_add"),
        {
            "name": "x",
            "target_url": f"http://user:pw@{PUBLIC}/hooks",
            "event_types": '["outage.created"]',
            "filter": "",
            "secret": "",
            "enabled": "on",
            "format": "standard",
            "query": "",
        },
    )
    assert response.status_code == 200
    assert "target_url" in response.context["adminform"].form.errors
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "callback", [BACKSLASH, f"http://a:b@{PUBLIC}/", "http://[2002:7f00:1::]/", f"http://{PUBLIC}:81/"]
)
def test_the_tmf_hub_refuses_it_in_the_uim_envelope(integration_client, callback):
    response = integration_client.post(HUB, {"callback": callback}, format="json")
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["code"] == "INVALID_REQUEST" and error["status"] == "400-2"
    assert any("callback" in line for line in error["message"]), error
    assert not Subscription.objects.exists()
