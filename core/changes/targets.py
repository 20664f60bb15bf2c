"""The SSRF guard of webhook targets: only http(s) URLs whose host resolves to public addresses.

Private (RFC 1918, unique local), loopback, link-local (cloud metadata lives at 169.254.169.254), multicast,
reserved and unspecified addresses are refused unless ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` is on; loopback alone is
allowed by ``WEBHOOKS_ALLOW_LOOPBACK_TARGETS`` (on in local development, ``DEBUG=1``, so ``make run`` users can
point a subscription at a receiver on their own machine). Checked when a subscription is saved and again before
every attempt (a name can be re-pointed at a private address after it was accepted).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from ..errors import Invalid

CODE = "webhooks.forbidden_target"


def _refused(url: str, reason: str) -> Invalid:
    return Invalid(f"Target {url!r} is refused: {reason}.", code=CODE, field="target_url")


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    if getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False):
        return True
    if address.is_loopback:
        return bool(getattr(settings, "WEBHOOKS_ALLOW_LOOPBACK_TARGETS", False))
    return not (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_target(url: str, *, resolve: bool = True, unresolved_ok: bool = False) -> None:
    """Raise :class:`~core.errors.Invalid` (``webhooks.forbidden_target``) for a URL we must not call.

    ``unresolved_ok``: a name that does not resolve (yet) passes (when a subscription is saved: its receiver may
    not be deployed yet); every attempt checks again, and an unresolvable name is then refused."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise _refused(url, f"not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise _refused(url, "only http and https URLs with a host are allowed")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    elif not resolve:
        return
    else:
        try:
            infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            if unresolved_ok:
                return
            raise _refused(url, f"its host does not resolve ({exc})") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for address in addresses:
        if not _allowed(address):
            raise _refused(url, f"{host} is a private, loopback or link-local address ({address})")
