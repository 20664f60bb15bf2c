"""Set-based writes for import services: a batch of new records and a batch of changed ones, in two statements.

New rows are one multi-row ``INSERT``; changed rows one ``INSERT … ON CONFLICT (pk) DO UPDATE`` of the written
columns (PostgreSQL and SQLite both have it; Django's ``bulk_create(update_conflicts=True)`` builds it). The
import engine has already matched every row by its natural key, so an insert that conflicts is a concurrent
writer, and the engine's per-row fallback reports it.
"""

from django.db import models


def upsert(
    model: type[models.Model],
    *,
    creates: list[dict],
    updates: list[tuple[object, dict]],
    update_fields: list[str],
    prepare=None,
) -> None:
    """Insert ``creates`` (value dicts) and overwrite ``update_fields`` of ``updates`` (``(pk, values)``, values
    holding every written field). ``prepare(obj)`` runs on each instance first (derived keys)."""
    if creates:
        objs = [model(**values) for values in creates]
        if prepare:
            for obj in objs:
                prepare(obj)
        model._default_manager.bulk_create(objs)
    if updates:
        objs = []
        for pk, values in updates:
            obj = model(**values)
            obj.pk = pk
            if prepare:
                prepare(obj)
            objs.append(obj)
        fields = [f for f in update_fields if f != model._meta.pk.attname]
        model._default_manager.bulk_create(
            objs, update_conflicts=True, unique_fields=[model._meta.pk.name], update_fields=fields
        )
