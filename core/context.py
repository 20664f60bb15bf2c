"""Who is doing what, for the duration of one request or one task: the request id and the actor.

One place for both, so that the change log, the logs, the metrics and the wire error bodies name the same
request. A web request sets them in :class:`core.middleware.RequestContextMiddleware` (the id is taken from
``X-Request-ID`` when the caller sends a sane one, else generated) and DRF authentication refines the actor; a
Celery task gets the id of the request that enqueued it through a message header (see ``config/celery.py``)
and the actor ``task:<name>``; a management command names itself with :func:`bound`. DRF authentication sets
the Django request's ``user`` too, so the web actor (resolved lazily) is the wire caller once the view has run.

Everything here is a ``contextvars.ContextVar``: per thread and per asyncio task, never shared between requests.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# Accepted from a caller as is: printable, no spaces, bounded (it ends up in logs and error bodies).
_SANE_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
# A string, or a callable giving one: the web request's user is resolved lazily, when something asks (so a wire
# request that records nothing never loads a session), and after DRF authentication has set it.
_actor: ContextVar[str | Callable[[], str | None] | None] = ContextVar("actor", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The caller's id when it is sane, else a fresh one (never trust a header into a log line unchecked)."""
    if value and _SANE_ID.match(value):
        return value
    return new_request_id()


def request_id() -> str | None:
    """The current request's (or task's) id, or None outside any."""
    return _request_id.get()


def actor() -> str | None:
    """Who acts: ``user:<username>``, ``task:<celery task name>``, ``command:<name>``, or None."""
    value = _actor.get()
    return value() if callable(value) else value


def set_actor(value: str | Callable[[], str | None] | None) -> None:
    """Refine the actor of the current context (authentication calls this once it knows the user)."""
    _actor.set(value)


# --- The actor labels: built here only, so every door names the same user the same way -----------------------------
USER_PREFIX, TASK_PREFIX, COMMAND_PREFIX = "user:", "task:", "command:"


def user_actor(user) -> str | None:
    """``user:<username>``: a signed-in user at any door (admin, wire API, analyst API, an import job they
    started), never their id; None for an anonymous user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return f"{USER_PREFIX}{user.get_username()}"


def task_actor(name: str) -> str:
    """``task:<celery task name>``: a background task acting on its own."""
    return f"{TASK_PREFIX}{name}"


def command_actor(name: str) -> str:
    """``command:<name>``: a management command."""
    return f"{COMMAND_PREFIX}{name}"


def actor_username(actor: str | None) -> str | None:
    """The username a ``user:`` actor names, or None for any other actor."""
    if actor and actor.startswith(USER_PREFIX):
        return actor[len(USER_PREFIX) :]
    return None


@contextmanager
def bound(*, request_id: str | None = None, actor: str | Callable[[], str | None] | None = None) -> Iterator[str]:
    """Run a block as one unit of work: a request id (given or new) and an actor, restored afterwards."""
    rid = request_id or new_request_id()
    rid_token = _request_id.set(rid)
    actor_token = _actor.set(actor)
    try:
        yield rid
    finally:
        _actor.reset(actor_token)
        _request_id.reset(rid_token)
