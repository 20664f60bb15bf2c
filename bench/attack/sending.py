"""What the harness sends and what it records: one :class:`Req`, sent by a sender (a live server over
``http.client``, or Django's test client), gives one :class:`Result`."""

import http.client
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .roles import Credentials

EXCERPT = 300


@dataclass
class Req:
    door: str
    kind: str  # what is hostile about it ("NUL in a string", "SSRF target", "access matrix", ...)
    method: str
    path: str  # with its query string, already encoded: sent as is
    role: str = "superuser"
    auth: str = "bearer"  # bearer | basic | session | none | raw (headers carry their own)
    body: bytes | None = None
    content_type: str | None = None
    headers: dict = field(default_factory=dict)
    keep_body: bool = False  # the matrix reads the answer (an admin page's actions)
    follow: bool = False  # follow one redirect (GET, carrying the cookies it set)
    meta: dict = field(default_factory=dict)

    def describe(self) -> dict:
        body = self.body or b""
        excerpt = body[:EXCERPT].decode("utf-8", "backslashreplace")
        return {
            "door": self.door,
            "kind": self.kind,
            "role": self.role,
            "method": self.method,
            "path": self.path[:EXCERPT],
            "content_type": self.content_type,
            "headers": {k: v[:120] for k, v in self.headers.items()},
            "body_bytes": len(body),
            "body_excerpt": excerpt + ("…" if len(body) > EXCERPT else ""),
        }


@dataclass
class Result:
    status: int  # 0: no answer (connection closed, timeout)
    elapsed: float
    content_type: str = ""
    excerpt: str = ""
    body: str = ""
    location: str = ""
    error: str = ""
    redirected: bool = False  # a redirect was followed (``Req.follow``): ``status`` is the page's it led to


def headers_for(req: Req, credentials: dict[str, Credentials]) -> dict[str, str]:
    headers = {} if req.auth == "raw" else dict(credentials[req.role].headers(req.auth))
    if req.content_type is not None:
        headers["Content-Type"] = req.content_type
    for name, value in req.headers.items():
        if name == "Cookie" and "Cookie" in headers:
            headers["Cookie"] = f"{headers['Cookie']}; {value}"
        else:
            headers[name] = value
    return headers


class LiveSender:
    """Sends over one keep-alive ``http.client`` connection per thread: the path goes out byte for byte."""

    def __init__(self, base_url: str, credentials: dict[str, Credentials], timeout: float = 35):
        parts = urlsplit(base_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"only loopback targets: {base_url}")
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.credentials = credentials
        self._local = threading.local()

    def _connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def _once(self, method: str, path: str, body, headers) -> tuple[int, dict, bytes]:
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.putrequest(method, path, skip_accept_encoding=True)
                for name, value in headers.items():
                    conn.putheader(
                        name, value.encode("latin-1", "surrogateescape") if isinstance(value, str) else value
                    )
                if body is not None:
                    conn.putheader("Content-Length", str(len(body)))
                conn.endheaders(body)
                response = conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self._drop()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop()
                if attempt or (body is not None and len(body) > 1_000_000):
                    raise exc
            except Exception:
                self._drop()
                raise
        raise RuntimeError("unreachable")

    def __call__(self, req: Req) -> Result:
        headers = headers_for(req, self.credentials)
        started = time.monotonic()
        redirected = False
        try:
            status, got, data = self._once(req.method, req.path, req.body, headers)
            if req.follow and status in (301, 302, 303) and got.get("location"):
                cookies = [c.split(";", 1)[0] for c in _set_cookies(got)]
                follow = {k: v for k, v in headers.items() if k != "Content-Type"}
                if cookies:
                    follow["Cookie"] = "; ".join(filter(None, [follow.get("Cookie", ""), *cookies]))
                location, redirected = got["location"], True
                status, got, data = self._once(
                    "GET", urlsplit(location)._replace(scheme="", netloc="").geturl(), None, follow
                )
        except Exception as exc:
            return Result(0, time.monotonic() - started, error=f"{type(exc).__name__}: {exc}"[:300])
        result = _result(
            status,
            time.monotonic() - started,
            got.get("content-type", ""),
            data,
            req.keep_body,
            got.get("location", ""),
        )
        result.redirected = redirected
        return result


def _set_cookies(headers: dict) -> list[str]:
    value = headers.get("set-cookie", "")
    return [part.strip() for part in value.split(",") if "=" in part.split(";", 1)[0]] if value else []


def _result(status, elapsed, content_type, data: bytes, keep: bool, location: str = "") -> Result:
    text = data[: 2_000_000 if keep else EXCERPT].decode("utf-8", "replace")
    return Result(status, elapsed, content_type, text[:EXCERPT], text if keep else "", location)


class ClientSender:
    """Sends through Django's test client (no server): for the harness's own test."""

    def __init__(self, credentials: dict[str, Credentials]):
        from django.test import Client

        self.client = Client(raise_request_exception=False)
        self.credentials = credentials

    def __call__(self, req: Req) -> Result:
        headers = headers_for(req, self.credentials)
        extra = {}
        for name, value in headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                continue
            extra[key if key == "CONTENT_LENGTH" else f"HTTP_{key}"] = value
        started = time.monotonic()
        response = self.client.generic(
            req.method,
            req.path,
            data=req.body or b"",
            content_type=headers.get("Content-Type", "application/octet-stream"),
            follow=req.follow,
            **extra,
        )
        data = b"".join(response.streaming_content) if response.streaming else response.content
        result = _result(
            response.status_code,
            time.monotonic() - started,
            response.get("Content-Type", ""),
            data,
            req.keep_body,
            response.get("Location", ""),
        )
        result.redirected = bool(getattr(response, "redirect_chain", None))
        return result


def run_all(
    send: Callable[[Req], Result],
    requests: Iterable[Req],
    *,
    concurrency: int = 4,
    deadline: float | None = None,
    on_result: Callable[[Req, Result], None],
) -> int:
    """Send every request (``concurrency`` at a time) until ``deadline`` (monotonic); return how many were sent."""
    sent = 0
    lock = threading.Lock()

    def one(req: Req) -> None:
        nonlocal sent
        if deadline is not None and time.monotonic() > deadline:
            return
        result = send(req)
        with lock:
            sent += 1
            on_result(req, result)

    if concurrency <= 1:
        for req in requests:
            one(req)
        return sent
    with ThreadPoolExecutor(concurrency) as pool:
        pending = []
        for req in requests:
            pending.append(pool.submit(one, req))
            if len(pending) >= concurrency * 8:
                pending.pop(0).result()
        for future in pending:
            future.result()
    return sent
