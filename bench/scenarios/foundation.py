"""Request cost of the Oracle family layer (auth, permissions, negotiation, parsing, envelope) against bare views,
and of HTTP Basic against a JWT on the same endpoint. In-process (Django's test client), one user of the
``integration`` role, whose permissions every family request checks."""

import base64

from django.test import Client, override_settings

from bench.harness import Result, scenario
from bench.support import fresh_database, percentile, request_loop

N = 2000
BODY = {"name": "x", "count": 1}
XML = b"<r><name>x</name><count>1</count></r>"
PASSWORD = "bench-pass-7f3a"


def _integration_user():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("bench-oms", password=PASSWORD)
    user.groups.add(Group.objects.get(name="integration"))
    return user


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _jwt(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return f"Bearer {AccessToken.for_user(user)}"


ROUNDS = 10  # variants alternate in rounds, so that a burst of load on the shared machine hits each alike


def _run(scenario_name: str, client, variants: list[tuple], count: int = N) -> list[Result]:
    """Measure ``variants`` — (label, path, kwargs, is_baseline, count or None) — interleaved: ``ROUNDS`` rounds,
    each sending every variant its share of requests in turn, after a warm-up of each."""
    for _label, path, kwargs, _, own in variants:
        request_loop(client, "post", path, min(50, own or count), **kwargs)  # warm-up (and the caches)
    seconds = {label: 0.0 for label, *_ in variants}
    latencies = {label: [] for label, *_ in variants}
    for _ in range(ROUNDS):
        for label, path, kwargs, _, own in variants:
            spent, lat = request_loop(client, "post", path, max(1, (own or count) // ROUNDS), **kwargs)
            seconds[label] += spent
            latencies[label].extend(lat)
    return [
        Result(
            scenario_name,
            label,
            len(latencies[label]),
            seconds[label],
            baseline=is_base,
            extra={
                "p50_ms": round(percentile(latencies[label], 50) * 1000, 2),
                "p99_ms": round(percentile(latencies[label], 99) * 1000, 2),
            },
        )
        for label, _, _, is_base, _ in variants
    ]


@scenario("wire-overhead")
def wire_overhead() -> list[Result]:
    """The issue's baseline is a bare DRF view without auth; the fair one has the same authentication."""
    fresh_database()
    user = _integration_user()
    basic = {"HTTP_AUTHORIZATION": _basic(user.username, PASSWORD)}
    jwt = {"HTTP_AUTHORIZATION": _jwt(user)}
    as_json = {"data": BODY, "content_type": "application/json"}
    as_xml = {"data": XML, "content_type": "application/xml"}
    with override_settings(ROOT_URLCONF="bench.urls"):
        return _run(
            "wire-overhead",
            Client(),
            [
                ("bare DRF view (no auth)", "/bare/drf", as_json, True, None),
                ("bare Django view (no auth)", "/bare/django", {}, False, None),
                (
                    "bare DRF view + same auth and permission check (Basic, cached)",
                    "/bare/drf-auth",
                    {**as_json, **basic},
                    False,
                    None,
                ),
                (
                    "bare DRF view + same auth and permission check (JWT)",
                    "/bare/drf-auth",
                    {**as_json, **jwt},
                    False,
                    None,
                ),
                ("Oracle family JSON (Basic, cached)", "/rest/apis/bench/echo", {**as_json, **basic}, False, None),
                ("Oracle family JSON (JWT)", "/rest/apis/bench/echo", {**as_json, **jwt}, False, None),
                ("Oracle family XML (Basic, cached)", "/rest/apis/bench/echo", {**as_xml, **basic}, False, None),
            ],
        )


@scenario("auth-basic")
def auth_basic() -> list[Result]:
    """HTTP Basic vs a JWT on the same Oracle-family endpoint: a cache hit, and (a few requests) a full check."""
    fresh_database()
    user = _integration_user()
    basic = {"HTTP_AUTHORIZATION": _basic(user.username, PASSWORD)}
    as_json = {"data": BODY, "content_type": "application/json"}
    path = "/rest/apis/bench/echo"
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = Client()
        results = _run(
            "auth-basic",
            client,
            [
                ("JWT", path, {**as_json, "HTTP_AUTHORIZATION": _jwt(user)}, True, None),
                ("Basic, cache hit", path, {**as_json, **basic}, False, None),
            ],
        )
        with override_settings(AUTH_BASIC_CACHE_SECONDS=0):  # every request hashes the password (PBKDF2)
            from core import auth

            auth.cache().delete(auth.credentials_cache_key(user.username))
            results += _run(
                "auth-basic", client, [("Basic, no cache (full check)", path, {**as_json, **basic}, False, 10)]
            )
    return results
