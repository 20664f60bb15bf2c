"""``GET /metrics``: the Prometheus exposition, for authorised scrapers only.

A scraper is let in by a bearer token (``METRICS_TOKEN``) or by its address (``METRICS_ALLOWED_NETWORKS``, CIDRs;
with ``DEBUG`` on, as under ``make run``, loopback is allowed too). Everybody else gets 403 (401 with a
``WWW-Authenticate`` challenge when a token is configured and none was sent).
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from core import metrics

LOOPBACK = ("127.0.0.0/8", "::1/128")


@cache
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def allowed_networks() -> tuple:
    spec = tuple(settings.METRICS_ALLOWED_NETWORKS)
    if settings.DEBUG:
        spec += LOOPBACK
    return _networks(spec)


def _address_allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in allowed_networks())


def _token_sent(request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def scraper_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    sent = _token_sent(request)
    if token and sent is not None and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    return _address_allowed(request.META.get("REMOTE_ADDR", ""))


@never_cache
def metrics_view(request):
    if not scraper_allowed(request):
        if settings.METRICS_TOKEN and _token_sent(request) is None:
            response = JsonResponse({"detail": "A bearer token is required to read the metrics."}, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
        return JsonResponse({"detail": "This scraper may not read the metrics."}, status=403)
    return HttpResponse(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)
