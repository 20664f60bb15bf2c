"""Request throughput of an Oracle-family endpoint (auth, negotiation, parsing, envelope) vs bare views."""

from django.test import Client, override_settings

from bench.harness import Result, scenario
from bench.support import fresh_database, percentile, request_loop

N = 2000


@scenario("wire-overhead")
def wire_overhead() -> list[Result]:
    fresh_database()
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("bench", "b@example.com", "bench-pass")
    body = {"name": "x", "count": 1}
    results = []
    with override_settings(ROOT_URLCONF="bench.urls"):
        client = Client()
        client.login(username="bench", password="bench-pass")  # session auth: no password hash per request
        variants = [
            ("bare Django view", "/bare/django", {}, True),
            ("bare DRF view", "/bare/drf", {"content_type": "application/json"}, False),
            ("Oracle family JSON", "/rest/apis/bench/echo", {"content_type": "application/json"}, False),
            ("Oracle family XML", "/rest/apis/bench/echo", {"content_type": "application/xml"}, False),
        ]
        xml = b"<r><name>x</name><count>1</count></r>"
        for label, path, kwargs, is_base in variants:
            data = xml if kwargs.get("content_type") == "application/xml" else body
            request_loop(client, "post", path, 100, data=data, **kwargs)  # warm-up
            seconds, lat = request_loop(client, "post", path, N, data=data, **kwargs)
            results.append(
                Result(
                    "wire-overhead",
                    label,
                    N,
                    seconds,
                    baseline=is_base,
                    extra={
                        "p50_ms": round(percentile(lat, 50) * 1000, 2),
                        "p99_ms": round(percentile(lat, 99) * 1000, 2),
                    },
                )
            )
    return results
