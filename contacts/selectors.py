"""Reads of contacts that are more than a one-line queryset."""

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from core.errors import NotFound

from .models import CustomerContact, CustomerContactIdentifier, TemplateParameter

CONTACT_NOT_FOUND = "contacts.contact_not_found"


def _list_prefetches() -> tuple[Prefetch, Prefetch]:
    return (
        Prefetch("identifiers", queryset=CustomerContactIdentifier.objects.order_by("position")),
        Prefetch("template_data", queryset=TemplateParameter.objects.order_by("position")),
    )


def contact_queryset() -> QuerySet[CustomerContact]:
    """Contacts with what their wire representation needs, in three queries whatever the count."""
    return CustomerContact.objects.prefetch_related(*_list_prefetches())


def contact_with_lists(contact: CustomerContact) -> CustomerContact:
    """``contact`` (as a service just wrote it) with its lists loaded for its representation: two queries, the
    contact itself is not read again."""
    prefetch_related_objects([contact], *_list_prefetches())
    return contact


def contact_get(*, external_cc_id: str) -> CustomerContact:
    """The contact of ``external_cc_id`` with its lists; :class:`~core.errors.NotFound` when there is none."""
    contact = contact_queryset().filter(external_cc_id=external_cc_id).first()
    if contact is None:
        raise NotFound(
            f"Customer contact {external_cc_id} does not exist.",
            code=CONTACT_NOT_FOUND,
            external_cc_id=external_cc_id,
        )
    return contact
