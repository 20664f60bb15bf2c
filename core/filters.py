"""The base FilterSet and the filters every list's FilterSet uses, so that filters behave the same everywhere.

Query parameters are hostile input: a number past 64 bits, a date-time outside years 1..9999 once in UTC, or an
offset PostgreSQL does not know must be a 400 (or an empty list), never a database error.

- :class:`DateTimeFilter`: ISO 8601 with any offset, compared in UTC, bounded to what Python and the databases
  hold (years 1..9999 in UTC).
- :class:`ChoiceFilter` / :class:`MultipleChoiceFilter`: a padded vendor code (``"SMS "``) is accepted with or
  without its padding.
- :class:`SearchFilter`: ``search`` = case-insensitive "contains" across the given text columns.
- :class:`OrderingFilter`: ``ordering=a,-b``, with the primary key as the last tie-breaker (stable pages).

A multi-value parameter takes both spellings clients send, meaning the same (:func:`both_spellings`, applied by
:class:`FilterSet` for every door): ``?ordering=a&ordering=-b`` is ``?ordering=a,-b`` and ``?status=A,B`` is
``?status=A&status=B``.
"""

from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django_filters.fields import IsoDateTimeField, ModelChoiceField
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from drf_spectacular.utils import extend_schema_field

INT64_MAX = 2**63 - 1


class BoundedIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 with any offset, answered in UTC; refused when it falls outside years 1..9999 in UTC."""

    default_error_messages = {"out_of_range": "Enter a date-time between years 1 and 9999 (in UTC)."}

    def to_python(self, value):
        try:
            value = super().to_python(value)
        except OverflowError:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None
        if value is None or value.tzinfo is None:
            return value
        try:
            # PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 and Python accept: compare in UTC. Year 1 at
            # +14:00 or year 9999 at -23:59 is outside what a datetime holds in UTC: OverflowError.
            return value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """The one date-time filter of the analyst lists (``*_after`` / ``*_before`` and the like)."""

    field_class = BoundedIsoDateTimeField


class BoundedDecimalField(forms.DecimalField):
    """A number that fits the database's 64-bit integers (SQLite raises OverflowError past them)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", INT64_MAX)
        kwargs.setdefault("min_value", -INT64_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "number", "minimum": -INT64_MAX, "maximum": INT64_MAX})
class NumberFilter(django_filters.NumberFilter):
    field_class = BoundedDecimalField


class BoundedIntegerField(forms.IntegerField):
    """A whole number that fits the database's 64-bit integers (``0.5`` is refused, as the schema's integer)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_value", INT64_MAX)
        kwargs.setdefault("min_value", -INT64_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": -INT64_MAX, "maximum": INT64_MAX})
class IntegerFilter(django_filters.NumberFilter):
    """The filter of an integer column: whole numbers only."""

    field_class = BoundedIntegerField


class BoundedModelChoiceField(ModelChoiceField):
    def to_python(self, value):
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = BoundedModelChoiceField


def _canonical_code(choices, value):
    """The choice a value names, its padding ignored (``"SMS"`` names ``"SMS "``); the value itself if none."""
    if not isinstance(value, str):
        return value
    wanted = value.strip()
    for key, _label in choices:
        if isinstance(key, str) and key.strip() == wanted:
            return key
    return value


class PaddedChoiceField(django_filters.fields.ChoiceField):
    def to_python(self, value):
        return _canonical_code(self.choices, super().to_python(value))


class PaddedMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    def to_python(self, value):
        return [_canonical_code(self.choices, v) for v in super().to_python(value)]


class ChoiceFilter(django_filters.ChoiceFilter):
    """A choice filter; padded vendor codes match with or without their padding."""

    field_class = PaddedChoiceField


class MultipleChoiceFilter(django_filters.MultipleChoiceFilter):
    """A repeatable choice filter (``?status=A&status=B``); padded codes match with or without their padding."""

    field_class = PaddedMultipleChoiceField


class SearchFilter(django_filters.CharFilter):
    """``search``: case-insensitive "contains" across ``lookups`` (the text columns the list shows)."""

    def __init__(self, *lookups: str, **kwargs):
        self.lookups = lookups
        kwargs.setdefault("label", "Contains (case-insensitive): " + ", ".join(lookups))
        super().__init__(**kwargs)

    def condition(self, value: str) -> Q:
        condition = Q()
        for lookup in self.lookups:
            condition |= Q(**{f"{lookup}__icontains": value})
        return condition

    def filter(self, qs, value):
        value = (value or "").strip()
        return qs.filter(self.condition(value)) if value else qs


class IdOrTextSearchFilter(SearchFilter):
    """``search`` that also finds the record whose integer id the term is (``search=450005``)."""

    def condition(self, value):
        by_id = Q(pk=int(value)) if value.isdigit() and len(value) < 18 else Q()  # 18 digits: within a bigint
        return by_id | super().condition(value)


class BlankableFilter(django_filters.CharFilter):
    """Exact text where an empty value given (``role=``, the admin's filter for records without one) selects the
    blank ones, instead of not filtering; the parameter's name is the field's."""

    def filter(self, qs, value):
        if value == "" and self.parent is not None and self.parent.data.get(self.field_name) == "":
            return qs.filter(**{self.field_name: ""})
        return super().filter(qs, value)


class OrderingFilter(django_filters.OrderingFilter):
    """``ordering=a,-b`` over the named columns; the primary key breaks ties so pages are stable."""

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        ordering = [self.get_ordering_value(param) for param in value if param]
        if not {"pk", "-pk", "id", "-id"} & set(ordering):
            ordering.append("pk")
        return qs.order_by(*ordering)


def join_repeated(data, names):
    """``data`` (a QueryDict) with each of ``names`` given more than once joined by commas into one value: the
    repeated spelling of a comma-separated parameter (``?fields=a&fields=b`` is ``?fields=a,b``)."""
    repeated = [name for name in names if len(data.getlist(name)) > 1]
    if not repeated:
        return data
    data = data.copy()
    for name in repeated:
        data.setlist(name, [",".join(data.getlist(name))])
    return data


def _is_choice(filter_, value: str) -> bool:
    return any(isinstance(key, str) and key.strip() == value.strip() for key, _label in filter_.field.choices)


def split_commas(data, filters):
    """``data`` with each value of a repeatable choice filter that holds commas split into its values (unless the
    whole value is itself a choice): the comma spelling of a repeated parameter (``?status=A,B``)."""
    split = {}
    for name, filter_ in filters.items():
        values = data.getlist(name)
        if isinstance(filter_, django_filters.MultipleChoiceFilter) and any("," in value for value in values):
            split[name] = [
                part
                for value in values
                for part in ([value] if "," not in value or _is_choice(filter_, value) else value.split(","))
            ]
    if not split:
        return data
    data = data.copy()
    for name, values in split.items():
        data.setlist(name, values)
    return data


def both_spellings(data, filters):
    """A multi-value parameter repeated or comma-separated means the same: comma-separated filters (``ordering``,
    ``__in`` lists) get their repeated values joined, repeatable choices their comma-separated values split."""
    if data is None or not hasattr(data, "getlist"):
        return data
    csv = [name for name, filter_ in filters.items() if isinstance(filter_, django_filters.filters.BaseCSVFilter)]
    return split_commas(join_repeated(data, csv), filters)


def _safe_defaults() -> dict:
    defaults = {}
    for field_class, options in FILTER_FOR_DBFIELD_DEFAULTS.items():
        options = dict(options)
        if options.get("filter_class") is django_filters.NumberFilter:
            integer = issubclass(field_class, models.IntegerField | models.AutoField)
            options["filter_class"] = IntegerFilter if integer else NumberFilter
        elif options.get("filter_class") is django_filters.ModelChoiceFilter:
            options["filter_class"] = ModelChoiceFilter
        elif options.get("filter_class") in (django_filters.DateTimeFilter, django_filters.IsoDateTimeFilter):
            options["filter_class"] = DateTimeFilter
        defaults[field_class] = options
    return defaults


class FilterSet(django_filters.FilterSet):
    """Base of every list's FilterSet: generated filters are the bounded ones above, choices accept padding."""

    FILTER_DEFAULTS = _safe_defaults()

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(both_spellings(data, self.base_filters), *args, **kwargs)

    @classmethod
    def filter_for_lookup(cls, field, lookup_type):
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if filter_class is django_filters.ChoiceFilter:
            filter_class = ChoiceFilter
        return filter_class, params
