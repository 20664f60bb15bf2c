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


def _measure(scenario_name, label, client, path, count, *, baseline=False, data=BODY, **kwargs) -> Result:
    request_loop(client, "post", path, min(100, count), data=data, **kwargs)  # warm-up (and the caches)
    seconds, lat = request_loop(client, "post", path, count, data=data, **kwargs)
    return Result(
        scenario_name,
        label,
        count,
        seconds,
        baseline=baseline,
        extra={"p50_ms": round(percentile(lat, 50) * 1000, 2), "p99_ms": round(percentile(lat, 99) * 1000, 2)},
    )


@scenario("wire-overhead")
def wire_overhead() -> list[Result]:
    """The issue's baseline is a bare DRF view without auth; the fair one has the same authentication."""
    fresh_database()
    user = _integration_user()
    basic = _basic(user.username, PASSWORD)
    json = {"content_type": "application/json"}
    results = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = Client()
        results.append(
            _measure("wire-overhead", "bare DRF view (no auth)", client, "/bare/drf", N, baseline=True, **json)
        )
        results.append(_measure("wire-overhead", "bare Django view (no auth)", client, "/bare/django", N))
        for auth_label, header in (("Basic, cached", basic), ("JWT", _jwt(user))):
            results.append(
                _measure(
                    "wire-overhead",
                    f"bare DRF view + same auth and permission check ({auth_label})",
                    client,
                    "/bare/drf-auth",
                    N,
                    HTTP_AUTHORIZATION=header,
                    **json,
                )
            )
            results.append(
                _measure(
                    "wire-overhead",
                    f"Oracle family JSON ({auth_label})",
                    client,
                    "/rest/apis/bench/echo",
                    N,
                    HTTP_AUTHORIZATION=header,
                    **json,
                )
            )
        results.append(
            _measure(
                "wire-overhead",
                "Oracle family XML (Basic, cached)",
                client,
                "/rest/apis/bench/echo",
                N,
                data=XML,
                content_type="application/xml",
                HTTP_AUTHORIZATION=basic,
            )
        )
    return results


@scenario("auth-basic")
def auth_basic() -> list[Result]:
    """HTTP Basic vs a JWT on the same Oracle-family endpoint: a cache hit, and (a few requests) a full check."""
    fresh_database()
    user = _integration_user()
    basic = _basic(user.username, PASSWORD)
    json = {"content_type": "application/json"}
    results = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = Client()
        path = "/rest/apis/bench/echo"
        results.append(
            _measure("auth-basic", "JWT", client, path, N, baseline=True, HTTP_AUTHORIZATION=_jwt(user), **json)
        )
        results.append(_measure("auth-basic", "Basic, cache hit", client, path, N, HTTP_AUTHORIZATION=basic, **json))
        with override_settings(AUTH_BASIC_CACHE_SECONDS=0):  # every request hashes the password (PBKDF2)
            results.append(
                _measure(
                    "auth-basic", "Basic, no cache (full check)", client, path, 10, HTTP_AUTHORIZATION=basic, **json
                )
            )
    return results
