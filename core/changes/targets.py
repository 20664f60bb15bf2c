"""The SSRF rule of webhook targets: one validator for every door that stores a target, and the vetting the
sender's transport (``core.changes.transport``) applies to every address it connects to.

- **The URL**: ``http`` or ``https``, a host, no userinfo (``user@``), no backslash, no control or space
  character, a host written one way only (an ASCII name of letters, digits and hyphens, its ``xn--`` form for an
  internationalised one; a dotted-quad IPv4 or a bracketed IPv6 address, no zone) — so that urllib, httpx and a
  browser (WHATWG) all read the same host and port. ``http://127.0.0.1\\@93.184.216.34/`` is refused: urllib
  reads ``93.184.216.34``, WHATWG ``127.0.0.1``.
- **The port** (written, or the scheme's): one of ``WEBHOOKS_ALLOWED_PORTS`` (80 and 443); a loopback address
  may also use ``WEBHOOKS_LOOPBACK_PORTS`` where loopback targets are allowed (``make run``).
- **Every address** the host resolves to must be public: not private, loopback, link-local (cloud metadata
  lives at 169.254.169.254), multicast, reserved, unspecified or otherwise not global (Python's ``ipaddress``,
  plus the special-purpose ranges it misses), and an IPv6 address that carries an IPv4 one (IPv4-mapped,
  IPv4-compatible, IPv4-translated, 6to4 ``2002::/16``, NAT64 ``64:ff9b::/96``) only when that IPv4 address is
  public; Teredo (``2001::/32``) and local-use NAT64 (``64:ff9b:1::/48``) never.
  ``WEBHOOKS_ALLOW_PRIVATE_TARGETS`` lifts the address rule (not the URL and port rules);
  ``WEBHOOKS_ALLOW_LOOPBACK_TARGETS`` (on under ``DEBUG``) allows loopback written as such (127.0.0.0/8, ``::1``).

Checked when a subscription is saved (a name that does not resolve yet passes) and again before every attempt:
the URL and port rules by the sender, the addresses by the transport, on the one resolution it connects with.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from ..errors import Invalid

CODE = "webhooks.forbidden_target"
MAX_LENGTH = 2000
DEFAULT_PORTS = {"http": 80, "https": 443}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# A host name as every parser reads it: LDH labels (RFC 1123), an optional final dot.
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# A last label WHATWG would read as (part of) an IPv4 number: decimal, octal or hex.
_NUMERIC = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
# Special-purpose IPv4 ranges that are not globally reachable (IANA registry) where older Pythons' is_global
# says otherwise.
_NOT_GLOBAL_V4 = tuple(
    ipaddress.ip_network(n)
    for n in ("0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "192.88.99.0/24", "198.18.0.0/15", "240.0.0.0/4")
)
# IPv6 forms that carry an IPv4 address, and where it sits (the low 32 bits, or 6to4's bits 16..48).
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
# IPv6 ranges refused whatever they carry: Teredo (a tunnel to an IPv4 address) and local-use NAT64 (RFC 8215).
_NEVER_V6 = {
    ipaddress.ip_network("2001::/32"): "a Teredo address",
    ipaddress.ip_network("64:ff9b:1::/48"): "a local-use NAT64 address",
}


@dataclass(frozen=True)
class Target:
    """A target URL as the sender reads it: scheme, host (lowercase, IPv6 without brackets), effective port, and
    the address when the host is written as one."""

    url: str
    scheme: str
    host: str
    port: int
    literal: Address | None


_PASSWORD = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@]*:[^/?#@]*@")


def _refused(url: str, reason: str) -> Invalid:
    shown = _PASSWORD.sub(r"\1…@", url)  # a password in the URL is not echoed (errors, the delivery log)
    return Invalid(f"Target {shown!r} is refused: {reason}.", code=CODE, field="target_url")


# --- the URL ---------------------------------------------------------------------------------------------------


def target_parse(url: str) -> Target:
    """Read a target URL, refusing what parsers could read differently; raises ``Invalid`` (the URL rules)."""
    if not isinstance(url, str) or not url:
        raise _refused(str(url), "a target must be an http or https URL")
    if len(url) > MAX_LENGTH:
        raise _refused(url[:80] + "…", f"longer than {MAX_LENGTH} characters")
    odd = next((c for c in url if ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F or c == "\\"), None)
    if odd is not None:
        what = "a backslash" if odd == "\\" else "a space" if odd == " " else f"the control character {odd!r}"
        raise _refused(url, f"it contains {what} (encode it, or parsers read the URL differently)")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _refused(url, f"not a valid URL ({exc})") from None
    scheme = parts.scheme
    if scheme not in DEFAULT_PORTS or not parts.netloc.strip("@"):
        raise _refused(url, "only http and https URLs with a host are allowed")
    if "@" in parts.netloc:
        raise _refused(url, "credentials (user@) are not allowed in a target URL")
    host, literal = _host(url, parts.netloc, parts.hostname or "")
    effective = DEFAULT_PORTS[scheme] if port is None else port
    _same_for_httpx(url, scheme, host if literal is None else literal, effective)
    return Target(url=url, scheme=scheme, host=host, port=effective, literal=literal)


def _host(url: str, netloc: str, host: str) -> tuple[str, Address | None]:
    if netloc.startswith("["):
        if "%" in host:
            raise _refused(url, "an IPv6 zone (%) is not allowed")
        try:
            return host, ipaddress.IPv6Address(host)
        except ValueError:
            raise _refused(url, f"{host!r} is not an IPv6 address") from None
    if not host.isascii():
        raise _refused(url, "write an internationalised host name in its ASCII (xn--) form")
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise _refused(url, f"{host!r} is not a host name (letters, digits and hyphens in dot-separated labels)")
    if _NUMERIC.match(labels[-1]):
        try:
            return host, ipaddress.IPv4Address(host)
        except ValueError:
            raise _refused(url, f"{host!r} is not a dotted-quad IPv4 address (parsers read it differently)") from None
    return host, None


def _same_for_httpx(url: str, scheme: str, host: str | Address, port: int) -> None:
    """The HTTP client must read the same scheme, host (or address) and port as the check did."""
    import httpx

    try:
        seen = httpx.URL(url)
        seen_host = seen.raw_host.decode("ascii").lower()
        if not isinstance(host, str):
            seen_host = ipaddress.ip_address(seen_host)
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise _refused(url, f"not a valid URL ({exc})") from None
    if (seen.scheme, seen_host, seen.port or DEFAULT_PORTS.get(seen.scheme)) != (scheme, host, port):
        raise _refused(url, "URL parsers disagree on its host or port")


# --- ports -----------------------------------------------------------------------------------------------------


def ports(spec) -> list[tuple[int, int]]:
    """Port ranges from a setting: ``"80,443,8000-8999"``, or an iterable of ports, ``"a-b"`` or ``(a, b)``."""
    items = spec.split(",") if isinstance(spec, str) else list(spec or ())
    ranges = []
    for item in items:
        if isinstance(item, str):
            item = item.strip()
            if not item:
                continue
            low, _, high = item.partition("-")
            item = (int(low), int(high or low))
        low, high = (item, item) if isinstance(item, int) else (int(item[0]), int(item[1]))
        if not 1 <= low <= high <= 65535:
            raise ValueError(f"not a port or port range: {item!r}")
        ranges.append((low, high))
    return ranges


def _in(port: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(low <= port <= high for low, high in ranges)


def _setting(name: str, default=False):
    return getattr(settings, f"WEBHOOKS_{name}", default)


def _loopback_allowed() -> bool:
    return bool(_setting("ALLOW_LOOPBACK_TARGETS") or _setting("ALLOW_PRIVATE_TARGETS"))


def _port_refusal(port: int, *, loopback: bool | None) -> str:
    """Why ``port`` is refused ("" if allowed); ``loopback``: the address is loopback (None: not known yet)."""
    if _in(port, ports(_setting("ALLOWED_PORTS", (80, 443)))):
        return ""
    if loopback is not False and _loopback_allowed() and _in(port, ports(_setting("LOOPBACK_PORTS", ()))):
        return ""
    return f"port {port} is not allowed (WEBHOOKS_ALLOWED_PORTS, and WEBHOOKS_LOOPBACK_PORTS for loopback)"


# --- addresses -------------------------------------------------------------------------------------------------


def _public(address: Address) -> bool:
    if address.version == 4 and any(address in net for net in _NOT_GLOBAL_V4):
        return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _embedded(address: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 one carries, and the form's name."""
    low = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.ipv4_mapped:
        return "IPv4-mapped", address.ipv4_mapped
    if address in _TRANSLATED:
        return "IPv4-translated", low
    if address in _NAT64:
        return "NAT64", low
    if address.sixtofour:
        return "6to4", address.sixtofour
    if address in _COMPATIBLE and int(address) > 1:  # not :: nor ::1
        return "IPv4-compatible", low
    return None


def address_refusal(address: Address, port: int) -> str:
    """Why the sender must not connect to ``address``:``port`` ("" when it may): the address and port rules."""
    loopback = address.is_loopback and (address.version == 4 or int(address) == 1)  # as such, not IPv4-mapped
    if not _setting("ALLOW_PRIVATE_TARGETS"):
        refusal = _address_refusal(address, loopback=loopback)
        if refusal:
            return refusal
    return _port_refusal(port, loopback=loopback)


def _address_refusal(address: Address, *, loopback: bool) -> str:
    if loopback:
        return "" if _setting("ALLOW_LOOPBACK_TARGETS") else f"{address} is a loopback address"
    if address.version == 6:
        never = next((what for net, what in _NEVER_V6.items() if address in net), None)
        if never:
            return f"{address} is {never}"
        carried = _embedded(address)
        if carried:
            form, ipv4 = carried
            if _public(ipv4):
                return ""  # 6to4 or NAT64 of a public address: how IPv6-only networks reach it
            return f"{address} is the {form} form of {ipv4}, which is not a public address"
    if not _public(address):
        return f"{address} is not a public address (private, loopback, link-local, multicast or reserved)"
    return ""


class Unresolved(Exception):
    """The host has no address (now): an unreachable receiver, not a refused target."""


def addresses_resolve(host: str, port: int) -> list[Address]:
    """The addresses of ``host`` (one lookup; an address literal is itself), in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolved(f"{host} does not resolve ({exc})") from None
    found: list[Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if address not in found:
            found.append(address)
    if not found:
        raise Unresolved(f"{host} does not resolve (no address)")
    return found


def addresses_vet(addresses: Iterable[Address], port: int, *, url: str) -> None:
    """Raise ``Invalid`` unless every address may be connected to on ``port``."""
    for address in addresses:
        refusal = address_refusal(address, port)
        if refusal:
            raise _refused(url, refusal)


def check_target(url: str, *, resolve: bool = True, unresolved_ok: bool = False) -> Target:
    """The target validator: raise :class:`~core.errors.Invalid` (``webhooks.forbidden_target``, on
    ``target_url``) for a URL we must not call; return it read.

    ``resolve``: look the host name up and vet every address (an address literal is always vetted); without it,
    the URL and port rules only (the sender's transport vets the addresses it connects to). ``unresolved_ok``:
    a name that does not resolve (yet) passes (a subscription saved before its receiver is deployed)."""
    target = target_parse(url)
    if target.literal is not None:
        addresses_vet([target.literal], target.port, url=url)
        return target
    refusal = _port_refusal(target.port, loopback=None)
    if refusal:
        raise _refused(url, refusal)
    if resolve:
        try:
            found = addresses_resolve(target.host, target.port)
        except Unresolved as exc:
            if unresolved_ok:
                return target
            raise _refused(url, str(exc)) from None
        addresses_vet(found, target.port, url=url)
    return target
