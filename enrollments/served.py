"""What the CIS mirror tells the reliability indices (``core.served``): customers served are the service
agreements (a customer at a service point), counted per premise attribute when asked."""

from django.db.models import Count, F

from core import served

from .models import ServiceAgreement, ServicePoint

PREMISE_FIELDS = {"postal_code": "postal", "city": "city"}


def total() -> int:
    return ServiceAgreement.objects.count()


def by_attribute(name: str) -> dict[str, int]:
    lookup = f"service_point__premise__{PREMISE_FIELDS[name]}"
    return dict(ServiceAgreement.objects.values(lookup).annotate(n=Count("pk")).values_list(lookup, "n"))


def attribute_rows(name: str):
    return ServicePoint.objects.values(
        sp=F("cis_service_point_id"), value=F(f"premise__{PREMISE_FIELDS[name]}")
    ).order_by()


def register() -> None:
    served.register(served.ServedCustomers(total=total, by_attribute=by_attribute, attribute_rows=attribute_rows))
