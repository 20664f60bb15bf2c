"""The base FilterSet and filters every domain FilterSet uses.

Query parameters are hostile input: a number past 64 bits, or a date-time offset PostgreSQL does not know,
must be a 400 (or an empty list), never a database error.
"""

from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField, ModelChoiceField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS

INT64_MAX = 2**63 - 1


class UTCIsoDateTimeField(IsoDateTimeField):
    def clean(self, value):
        value = super().clean(value)
        # PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 and Python accept: compare in UTC.
        return value.astimezone(UTC) if value is not None and value.tzinfo is not None else value


class UTCIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter that queries in UTC, whatever offset the caller wrote."""

    field_class = UTCIsoDateTimeField


class BoundedDecimalField(forms.DecimalField):
    """A number that fits the database's 64-bit integers (SQLite raises OverflowError past them)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", INT64_MAX)
        kwargs.setdefault("min_value", -INT64_MAX)
        super().__init__(*args, **kwargs)


class NumberFilter(django_filters.NumberFilter):
    field_class = BoundedDecimalField


class BoundedModelChoiceField(ModelChoiceField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = BoundedModelChoiceField


def _safe_defaults() -> dict:
    defaults = {}
    for field_class, options in FILTER_FOR_DBFIELD_DEFAULTS.items():
        options = dict(options)
        if options.get("filter_class") is django_filters.NumberFilter:
            options["filter_class"] = NumberFilter
        elif options.get("filter_class") is django_filters.ModelChoiceFilter:
            options["filter_class"] = ModelChoiceFilter
        defaults[field_class] = options
    return defaults


class FilterSet(django_filters.FilterSet):
    """Base of every domain FilterSet: the generated filters are the bounded ones above."""

    FILTER_DEFAULTS = _safe_defaults()
