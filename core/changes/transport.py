"""The webhook sender's HTTP transport: it connects only to addresses it has vetted itself (no DNS rebinding).

httpx would resolve a target's name again when it connects, after our check: a resolver answering a public
address to the check and 127.0.0.1 to the connection would reach loopback. Here the network backend of the
connection pool does both on one lookup: resolve the host once, vet every address (``targets.address_refusal``:
all must pass), connect to a vetted one (in the resolver's order). The URL keeps the host name, so the ``Host``
header, the TLS server name (SNI) and the certificate check are against the name, as for any client.

A refused address raises :class:`~core.errors.Invalid` (``webhooks.forbidden_target``) out of ``client.post``;
a name that does not resolve is an ``httpx.ConnectError`` (an unreachable receiver: retried). Environment
proxies are not used (a proxy would resolve the name itself).
"""

from __future__ import annotations

from collections.abc import Iterable

import httpcore
import httpx

from . import targets


class PinnedBackend(httpcore.NetworkBackend):
    """A network backend whose ``connect_tcp`` connects to the vetted addresses of the host, never the name."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = targets.addresses_resolve(host, port)
        except targets.Unresolved as exc:
            raise httpcore.ConnectError(str(exc)) from None
        where = f"{'[' + host + ']' if ':' in host else host}:{port}"
        targets.addresses_vet(addresses, port, url=where)
        failure: Exception | None = None
        for address in addresses:
            try:
                return self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host} has no address")

    def connect_unix_socket(self, path: str, timeout=None, socket_options=None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("webhooks are sent over TCP only")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """``httpx.HTTPTransport`` (certificate verification on) over a pool whose backend is :class:`PinnedBackend`."""

    def __init__(self, *, limits: httpx.Limits | None = None, backend: httpcore.NetworkBackend | None = None):
        limits = limits or httpx.Limits()
        super().__init__(limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(backend),
        )


def pinned_client(*, timeout: float, limits: httpx.Limits) -> httpx.Client:
    """A client for webhook targets: pinned transport, no redirects followed (a redirect to a private address
    would step around the rule), no proxies from the environment."""
    return httpx.Client(
        transport=PinnedTransport(limits=limits), timeout=timeout, follow_redirects=False, trust_env=False
    )
