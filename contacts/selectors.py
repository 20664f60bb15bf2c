"""Reads of contacts that are more than a one-line queryset.

A contact's wire representation needs its two ordered lists. A single contact is read with both lists as JSON
arrays computed by the same query (:func:`with_lists`, a correlated aggregate per list): one round trip, where a
prefetch costs three. The rows become model instances in the relation's prefetch cache (:func:`attach_lists`), so
``contact.identifiers.all()`` and ``contact.template_data.all()`` run no query.
"""

from datetime import datetime

from django.db.models import (
    Aggregate,
    Exists,
    JSONField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import JSONObject

from core import sql
from core.errors import NotFound

from .models import ContactStatusEvent, CustomerContact, CustomerContactIdentifier, TemplateParameter

CONTACT_NOT_FOUND = "contacts.contact_not_found"

# related name -> (child model, the fields of one item besides its position)
LISTS = {
    "identifiers": (CustomerContactIdentifier, ("external_ref_id", "identifier_type")),
    "template_data": (TemplateParameter, ("key", "value")),
}


class JSONRows(Aggregate):
    """A JSON array of one JSON value per row: ``jsonb_agg`` on PostgreSQL, ``json_group_array`` on SQLite."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def _rows_of(related_name: str) -> Subquery:
    model, fields = LISTS[related_name]
    item = JSONObject(position="position", **{name: name for name in fields})
    return Subquery(
        model.objects.filter(contact=OuterRef("pk"))
        .order_by()
        .values("contact")
        .annotate(rows=JSONRows(item))
        .values("rows")
    )


def with_lists(queryset: QuerySet[CustomerContact]) -> QuerySet[CustomerContact]:
    """``queryset`` annotated with each list's rows (``<related name>_rows``), read by the same query."""
    return queryset.annotate(**{f"{name}_rows": _rows_of(name) for name in LISTS})


def attach_lists(contact: CustomerContact, **lists: list[dict] | None) -> CustomerContact:
    """Put a contact's lists in its prefetch cache: each from ``lists[related_name]`` (item dicts in order, as a
    service just wrote them) or else from its ``<related name>_rows`` annotation. No query."""
    cache = getattr(contact, "_prefetched_objects_cache", None)
    if cache is None:
        cache = contact._prefetched_objects_cache = {}
    for name, (model, fields) in LISTS.items():
        items = lists.get(name)
        if items is None:
            rows = sorted(getattr(contact, f"{name}_rows", None) or [], key=lambda row: row["position"])
            items = [{field: row[field] for field in fields} for row in rows]
        objects = [
            model(contact=contact, position=i, **{f: item.get(f, "") for f in fields}) for i, item in enumerate(items)
        ]
        sql.mark_stored(*objects, using=sql.stored_in(contact))
        queryset = getattr(contact, name).get_queryset() if name not in cache else cache[name]
        queryset._result_cache, queryset._prefetch_done = objects, True
        cache[name] = queryset
    return contact


def _known_report(*, status: str | None, reason: str, captured: datetime | None) -> Exists | Value:
    """Whether this exact status report (status, reason, capture time) is already in the contact's history (a
    retry), as an expression evaluated by the query that locks the contact: no round trip of its own."""
    if not status:
        return Value(False)
    return Exists(
        ContactStatusEvent.objects.filter(
            contact=OuterRef("pk"), status=status, reason=reason, event_captured_at=captured
        )
    )


def _for_update(with_status: bool, with_captured: bool, *, external_cc_id, status, reason, captured) -> QuerySet:
    known = _known_report(
        status=status if with_status else None, reason=reason, captured=captured if with_captured else None
    )
    locked = with_lists(CustomerContact.objects.select_for_update()).annotate(known_report=known)
    return locked.filter(external_cc_id=external_cc_id).order_by()


# Compiled once per shape of report (with or without a status, a capture time): building it with the ORM on
# every upsert cost more than running it (``bench/scenarios/sql.py``).
_FOR_UPDATE = sql.Select(
    _for_update,
    external_cc_id=CustomerContact._meta.get_field("external_cc_id"),
    status=ContactStatusEvent._meta.get_field("status"),
    reason=ContactStatusEvent._meta.get_field("reason"),
    captured=ContactStatusEvent._meta.get_field("event_captured_at"),
)


def contact_for_update(
    external_cc_id: str, *, status: str | None, reason: str, captured: datetime | None
) -> CustomerContact | None:
    """The contact locked for update with, from the same query, whether the report is a retry (``known_report``,
    see :func:`_known_report`) and its lists (``<related name>_rows``, for :func:`attach_lists`)."""
    values = {"external_cc_id": external_cc_id, "status": status, "reason": reason, "captured": captured}
    return _FOR_UPDATE.get(bool(status), captured is not None, **values)


def _list_prefetches() -> tuple[Prefetch, Prefetch]:
    return (
        Prefetch("identifiers", queryset=CustomerContactIdentifier.objects.order_by("position")),
        Prefetch("template_data", queryset=TemplateParameter.objects.order_by("position")),
    )


def contact_queryset() -> QuerySet[CustomerContact]:
    """Contacts with what their wire representation needs, in three queries whatever the count."""
    return CustomerContact.objects.prefetch_related(*_list_prefetches())


def contact_with_lists(contact: CustomerContact) -> CustomerContact:
    """``contact`` with its lists loaded for its representation: none when a service attached them already
    (every upsert does), else two queries; the contact itself is not read again."""
    cache = getattr(contact, "_prefetched_objects_cache", {})
    if not all(name in cache for name in LISTS):
        prefetch_related_objects([contact], *_list_prefetches())
    return contact


def contact_get(*, external_cc_id: str) -> CustomerContact:
    """The contact of ``external_cc_id`` with its lists, in one query; :class:`~core.errors.NotFound` when there is
    none."""
    contact = with_lists(CustomerContact.objects.filter(external_cc_id=external_cc_id)).first()
    if contact is None:
        raise NotFound(
            f"Customer contact {external_cc_id} does not exist.",
            code=CONTACT_NOT_FOUND,
            external_cc_id=external_cc_id,
        )
    return attach_lists(contact)
