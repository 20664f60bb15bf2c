"""Filters shared by the domain FilterSets."""

from datetime import UTC

import django_filters
from django_filters.fields import IsoDateTimeField


class UTCIsoDateTimeField(IsoDateTimeField):
    def clean(self, value):
        value = super().clean(value)
        # PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 and Python accept: compare in UTC.
        return value.astimezone(UTC) if value is not None and value.tzinfo is not None else value


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter that queries in UTC, whatever offset the caller wrote."""

    field_class = UTCIsoDateTimeField
