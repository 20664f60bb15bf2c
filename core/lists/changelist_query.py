"""The admin's Export button: an admin changelist's parameters translated into its analyst list's FilterSet query.

The admin door translates; the rows then come from ``ListSpec.filtered`` exactly as the analyst API's do, and a
background job stores the list key and the translated query (no request, no changelist in the worker).
"""

from datetime import datetime, timedelta

import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import QueryDict
from django.utils import timezone

from core.errors import Invalid
from core.filters import OrderingFilter, SearchFilter

from . import specs, writers

EXPORT_PARAM = "_export"

# Admin changelist parameters that are about the page, not about which rows: never part of an export's query.
PAGE_PARAMS = {"p", "all", "e", "_facets", "_popup", "_to_field", "_changelist_filters", EXPORT_PARAM}
SEARCH_PARAM = "q"
ORDER_PARAM = "o"
ADMIN_LOOKUPS = {"exact", "iexact", "gte", "gt", "lte", "lt", "isnull", "in", "contains", "icontains"}
HIERARCHY_PARTS = ("year", "month", "day")
TRUE_VALUES = {"1", "true", "True", "yes"}
FALSE_VALUES = {"0", "false", "False", "no"}


def _normal_path(model, path: str) -> str:
    """A lookup path with relation spellings unified: ``program__id``, ``program_id`` and ``program`` are one."""
    out: list[str] = []
    current = model
    after_relation = False
    for part in path.split("__"):
        if current is None:
            out.append(part)
            continue
        if after_relation and part in ("pk", current._meta.pk.name):
            after_relation = False
            continue
        try:
            found = current._meta.get_field(part)
        except FieldDoesNotExist:
            found = next((f for f in current._meta.concrete_fields if f.attname == part), None)
        if found is None:
            out.append(part)
            current = None
            continue
        out.append(found.name)
        after_relation = bool(found.is_relation and found.related_model is not None)
        current = found.related_model if after_relation else None
    return "__".join(out)


def _filter_index(spec: specs.ListSpec) -> dict[tuple[str, str], str]:
    """``(normalised field path, lookup) -> filter name`` for the list's plain (field-based) filters."""
    index: dict[tuple[str, str], str] = {}
    for name, f in spec.filterset_class.base_filters.items():
        if f.method is not None or isinstance(f, SearchFilter | OrderingFilter) or not f.field_name:
            continue
        index.setdefault((_normal_path(spec.model, f.field_name), f.lookup_expr), name)
    return index


def changelist_filter_query(model_admin, request, spec: specs.ListSpec) -> QueryDict:
    """Translate an admin changelist's parameters into the list's FilterSet query.

    A list filter's ``<field>__<lookup>=v`` becomes the list filter on the same field and lookup (``status__exact``
    → ``status``, ``program__id__exact`` → ``program_pk``, ``received_at__gte`` → ``received_after``), the date
    hierarchy becomes a ``gte``/``lt`` range, ``q`` becomes ``search`` and ``o`` becomes ``ordering`` where the list
    offers that ordering. A parameter the list cannot express raises :class:`Invalid` naming it: an export never
    silently widens what the changelist showed.
    """
    index = _filter_index(spec)
    query = QueryDict(mutable=True)
    query.update(getattr(model_admin, "export_filters", {}))
    unknown: list[str] = []
    hierarchy: dict[str, dict[str, int]] = {}
    for param, values in request.GET.lists():
        if param in PAGE_PARAMS:
            continue
        if param == SEARCH_PARAM:
            if any(v.strip() for v in values):
                query.setlist("search", values)
            continue
        if param == ORDER_PARAM:
            ordering = _ordering(model_admin, request, spec, values[-1])
            if ordering:
                query["ordering"] = ordering
            continue
        path, _, lookup = param.rpartition("__")
        if lookup in HIERARCHY_PARTS and path == getattr(model_admin, "date_hierarchy", None):
            try:
                hierarchy.setdefault(path, {})[lookup] = int(values[-1])
            except ValueError:
                unknown.append(param)
            continue
        if lookup not in ADMIN_LOOKUPS:
            path, lookup = param, "exact"
        name = index.get((_normal_path(spec.model, path), lookup))
        if name is None and param in spec.filterset_class.base_filters:
            name = param  # a custom admin filter whose parameter is the list filter's own name (``in_error``)
        if name is None:
            unknown.append(param)
            continue
        query.setlist(name, [_value_for(spec.filterset_class.base_filters[name], v) for v in values])
    for path, parts in hierarchy.items():
        bounds = _hierarchy_bounds(spec, index, path, parts)
        if bounds is None:
            unknown.append(f"{path}__year")
            continue
        for name, value in bounds:
            query[name] = value
    if unknown:
        raise Invalid(
            f"The list {spec.key} has no filter for: {', '.join(unknown)}.", code="analyst.untranslatable_filter"
        )
    return query


def _value_for(list_filter, value: str) -> str:
    if isinstance(list_filter, django_filters.BooleanFilter):
        if value in TRUE_VALUES:
            return "true"
        if value in FALSE_VALUES:
            return "false"
    return value


def _hierarchy_bounds(spec, index, path: str, parts: dict[str, int]):
    """The list filters (and values) that select a date hierarchy's year / month / day."""
    span = _hierarchy_range(parts)
    if span is None:
        return None
    key = _normal_path(spec.model, path)
    since = index.get((key, "gte"))
    if isinstance(writers.final_field(spec.model, path), models.DateTimeField):
        until = index.get((key, "lt"))
        return [(since, span[0].isoformat()), (until, span[1].isoformat())] if since and until else None
    start, end = span[0].date(), span[1].date()
    if until := index.get((key, "lt")):
        return [(since, start.isoformat()), (until, end.isoformat())] if since else None
    until = index.get((key, "lte"))
    last = end - timedelta(days=1)
    return [(since, start.isoformat()), (until, last.isoformat())] if since and until else None


def _hierarchy_range(parts: dict[str, int]):
    """The [start, end) of a date hierarchy's year / month / day, in the current time zone (as the admin's)."""
    try:
        start = datetime(parts["year"], parts.get("month", 1), parts.get("day", 1))
        if "day" in parts:
            end = start + timedelta(days=1)
        elif "month" in parts:
            end = (start + timedelta(days=32)).replace(day=1)
        else:
            end = start.replace(year=start.year + 1)
    except (KeyError, ValueError, OverflowError):
        return None
    return timezone.make_aware(start), timezone.make_aware(end)


def _ordering(model_admin, request, spec: specs.ListSpec, value: str) -> str:
    """The list's ``ordering`` for the admin's ``o=2.-1`` (indices into the columns shown), or "" when a column
    is not one the list orders by (the export then keeps the list's default order)."""
    list_display = list(model_admin.get_list_display(request))
    if model_admin.get_actions(request):
        list_display = ["action_checkbox", *list_display]
    ordering_filter = spec.filterset_class.base_filters.get("ordering")
    by_field = {field: name for name, field in getattr(ordering_filter, "param_map", {}).items()}
    out = []
    for part in value.split("."):
        _, sign, index = part.rpartition("-")
        try:
            shown = list_display[int(index)]
        except (ValueError, IndexError):
            return ""
        field = _admin_order_field(model_admin, shown)
        if not isinstance(field, str):
            return ""
        if field.startswith("-"):
            field, sign = field[1:], ("" if sign else "-")
        name = by_field.get(field) or by_field.get(_normal_path(spec.model, field))
        if name is None:
            return ""
        out.append(sign + name)
    return ",".join(out)


def _admin_order_field(model_admin, shown):
    if not isinstance(shown, str):
        return getattr(shown, "admin_order_field", None)
    try:
        return model_admin.model._meta.get_field(shown).name
    except FieldDoesNotExist:
        attr = getattr(model_admin, shown, None) or getattr(model_admin.model, shown, None)
        if isinstance(attr, property):
            attr = attr.fget
        return getattr(attr, "admin_order_field", None)
