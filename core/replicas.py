"""Read replicas: where the analysts' reads go (docs/operations.md, "Read replicas").

``DATABASE_REPLICA_URL`` names one or more PostgreSQL streaming replicas of the primary (database aliases
``replica1``, ``replica2``, ...). Only reads that may be a little behind go there, and only where a door asks:

- :func:`reading` binds one queryset to a replica (``.using()``): the analyst API's pages, details and streamed
  exports, background export jobs and ``manage.py export``. A streamed response is read after the view returns, so
  the queryset itself carries the alias.
- :func:`replica_reads` routes every read made inside it (``core.routers.ReplicaRouter``): the dashboard's figures.

Everything else reads and writes the primary (the router's default), so a write, and every read that must see its
own writes (services, the wire API, the admin, jobs' own bookkeeping), never meets a replica. With no replica
configured, all of it is the primary. The replica's lag is a gauge and a ``/healthz`` figure.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from core.metrics import backlog_gauge
from core.sql import replay_lag_seconds

_routed: ContextVar[str | None] = ContextVar("replica_reads", default=None)


def aliases() -> list[str]:
    """The replicas' database aliases (``settings.DATABASE_REPLICAS``), in order."""
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


def read_alias() -> str:
    """One replica for a read (spread at random over them), or the primary when there is none."""
    names = aliases()
    return random.choice(names) if names else DEFAULT_DB_ALIAS


def reading(queryset):
    """``queryset`` bound to a replica: it, and every queryset chained from it, reads there."""
    return queryset.using(read_alias())


@contextmanager
def replica_reads():
    """Route every read inside to one replica (the router's ``db_for_read``); writes still go to the primary."""
    names = aliases()
    token = _routed.set(random.choice(names) if names else None)
    try:
        yield
    finally:
        _routed.reset(token)


def routed_alias() -> str | None:
    """The replica reads are routed to now (inside :func:`replica_reads`), or None."""
    return _routed.get()


def lag_seconds(alias: str) -> float:
    """How far ``alias`` is behind the primary, in seconds (0 on a database that is no PostgreSQL replica)."""
    return replay_lag_seconds(alias)


@backlog_gauge(
    "replica_lag_seconds",
    "How far each read replica is behind the primary (seconds since the last transaction it replayed, while it has "
    "WAL not yet replayed; 0 when caught up). Analyst reads and exports see the data as of that long ago.",
    labels=("replica",),
    health_limit="HEALTH_MAX_REPLICA_LAG_SECONDS",
)
def replica_lag() -> dict:
    return {(alias,): lag_seconds(alias) for alias in aliases()}
