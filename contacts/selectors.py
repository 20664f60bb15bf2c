"""Reads of contacts that are more than a one-line queryset."""

from django.db.models import Prefetch, QuerySet

from .models import CustomerContact, CustomerContactIdentifier, TemplateParameter


def contact_queryset() -> QuerySet[CustomerContact]:
    """Contacts with what their wire representation needs, in three queries whatever the count."""
    return CustomerContact.objects.prefetch_related(
        Prefetch("identifiers", queryset=CustomerContactIdentifier.objects.order_by("position")),
        Prefetch("template_data", queryset=TemplateParameter.objects.order_by("position")),
    )


def contact_get(*, external_cc_id: str) -> CustomerContact | None:
    return contact_queryset().filter(external_cc_id=external_cc_id).first()
