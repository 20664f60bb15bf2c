"""Retention: change records and delivery logs older than the configured number of days are archived (JSON
Lines, one file per run under ``CHANGES_ARCHIVE_DIR``) and then deleted. The default (0 days) keeps everything. A
change with an event still to be rendered (a pending delivery with no payload yet) is kept until it is sent."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import Change, Delivery, DeliveryAttempt

CHUNK = 2000


def _write(path: Path, queryset, fields: list[str]) -> int:
    written = 0
    with path.open("a", encoding="utf-8") as out:
        for row in queryset.values(*fields).iterator(chunk_size=CHUNK):
            out.write(json.dumps(row, default=str) + "\n")
            written += 1
    return written


def archive_and_prune(*, now=None, changes_days: int | None = None, deliveries_days: int | None = None) -> dict:
    """Archive then delete what is past retention; returns the counts. 0 days (the default) keeps everything."""
    now = now or timezone.now()
    changes_days = settings.CHANGES_RETENTION_DAYS if changes_days is None else changes_days
    deliveries_days = settings.DELIVERIES_RETENTION_DAYS if deliveries_days is None else deliveries_days
    directory = Path(settings.CHANGES_ARCHIVE_DIR)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    result = {"changes": 0, "deliveries": 0, "attempts": 0, "files": []}
    if deliveries_days > 0:
        cutoff = now - timedelta(days=deliveries_days)
        done = Delivery.objects.filter(created_at__lt=cutoff).exclude(status=Delivery.Status.PENDING)
        attempts = DeliveryAttempt.objects.filter(delivery__in=done)
        if done.exists():
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"deliveries-{stamp}.jsonl"
            with transaction.atomic():
                result["attempts"] = _write(
                    directory / f"delivery-attempts-{stamp}.jsonl",
                    attempts,
                    [f.attname for f in DeliveryAttempt._meta.concrete_fields],
                )
                result["deliveries"] = _write(path, done, [f.attname for f in Delivery._meta.concrete_fields])
                attempts.delete()
                done.delete()
            result["files"] += [str(path), str(directory / f"delivery-attempts-{stamp}.jsonl")]
    if changes_days > 0:
        cutoff = now - timedelta(days=changes_days)
        # A change whose event is still to be rendered is kept until it is sent (the worker renders from it).
        unrendered = Delivery.objects.filter(change_id=OuterRef("pk"), status=Delivery.Status.PENDING, payload={})
        old = Change.objects.filter(at__lt=cutoff).exclude(Exists(unrendered))
        if old.exists():
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"changes-{stamp}.jsonl"
            with transaction.atomic():
                result["changes"] = _write(path, old.order_by("id"), [f.attname for f in Change._meta.concrete_fields])
                old.delete()
            result["files"].append(str(path))
    return result
