"""Customers served (IEEE 1366's N_T), as the master data says: a registry the app holding the CIS mirror fills,
so that the outages app counts the customers a utility serves without importing that app."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet

ATTRIBUTES = ("postal_code", "city")  # the premise attributes a count can be grouped by


@dataclass(frozen=True)
class ServedCustomers:
    """``total()``: customers with a service agreement; ``by_attribute(name)``: that count per value of a premise
    attribute (:data:`ATTRIBUTES`); ``attribute_rows(name)``: a queryset of rows ``sp`` (a service point id) and
    ``value``."""

    total: Callable[[], int]
    by_attribute: Callable[[str], dict[str, int]]
    attribute_rows: Callable[[str], QuerySet]


_PROVIDERS: list[ServedCustomers] = []


def register(provider: ServedCustomers) -> None:
    _PROVIDERS[:] = [provider]


def provider() -> ServedCustomers | None:
    """The registered master data, or ``None`` (no app keeps customers: the caller must be told how many)."""
    return _PROVIDERS[0] if _PROVIDERS else None
