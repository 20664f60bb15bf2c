"""The analyst lists, each declared once as a :class:`ListSpec` in ``<app>/exports.py``.

A list is its model, its FilterSet, its :class:`Column` s and its orderings. Everything else derives from it: the
analyst API's page rows and details (``core/lists/api.py``), the names ``?fields=`` accepts, the JSON keys of pages
and of ``?format=json|jsonl``, the CSV/XLSX headers (``core/lists/writers.py``), the admin's Export button, background
export jobs and ``manage.py export``. Keys are snake_case everywhere.
"""

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.functional import cached_property

from core.errors import Invalid, NotFound

from .writers import final_field, json_rows


@dataclass(frozen=True)
class Column:
    """One column of a list: its snake_case ``name`` (the JSON key of pages and exports, and the name ``?fields=``
    takes), its CSV/XLSX ``header``, and the ORM ``lookup`` it reads (the name itself unless given).

    ``searched=False`` keeps a text column out of what ``search`` must cover (a raw request body, say).
    """

    name: str
    header: str
    lookup: str = ""
    searched: bool = True

    def __post_init__(self):
        if not self.lookup:
            object.__setattr__(self, "lookup", self.name)


@dataclass
class ListSpec:
    """An analyst list: model, FilterSet, columns, default ``ordering`` and the column names ``orderings`` allows.

    ``key`` is ``"<app>.<list>"``; the list's path under ``/api/`` is the key with a slash (``outages/events``).
    """

    key: str
    model: type[models.Model]
    columns: list[Column]
    filterset: type | None = None
    ordering: tuple[str, ...] = ("pk",)
    orderings: tuple[str, ...] = ()
    title: str = ""
    _by_name: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self._by_name = {c.name: c for c in self.columns}
        if len(self._by_name) != len(self.columns):
            raise ValueError(f"{self.key}: two columns share a name")
        unknown = [name for name in self.orderings if name not in self._by_name]
        if unknown:
            raise ValueError(f"{self.key}: orderings name no column: {unknown}")

    @property
    def path(self) -> str:
        return self.key.replace(".", "/")

    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def base_queryset(self):
        return self.model._default_manager.order_by(*self.ordering)

    def select(self, names: Iterable[str] | None) -> list[Column]:
        """The columns named in ``?fields=`` (in that order), or all. Unknown names raise :class:`Invalid`."""
        names = [n for n in (names or ()) if n]
        if not names:
            return list(self.columns)
        unknown = [n for n in names if n not in self._by_name]
        if unknown:
            raise Invalid(
                f"Unknown fields: {', '.join(unknown)}. Choose among: {', '.join(self._by_name)}.",
                code="analyst.unknown_field",
                field="fields",
            )
        return [self._by_name[n] for n in dict.fromkeys(names)]

    @cached_property
    def filterset_class(self):
        """The list's complete FilterSet: the app's filters (``search`` included) plus ``ordering`` over the
        columns in ``orderings``. The API, the admin's Export button, background jobs and ``manage.py export``
        all narrow and order through this one class."""
        from core.filters import FilterSet, OrderingFilter

        base = self.filterset or FilterSet
        attrs = {"Meta": type("Meta", (getattr(base, "Meta", object),), {"model": self.model})}
        if self.orderings:
            fields = [(self._by_name[name].lookup, name) for name in self.orderings]
            attrs["ordering"] = OrderingFilter(
                fields=fields,
                field_labels={self._by_name[name].lookup: self._by_name[name].header for name in self.orderings},
                label="Order by",
                help_text="Columns, comma-separated or repeated; a leading '-' orders descending.",
            )
        filterset_class = type(base.__name__, (base,), attrs)
        for name, declared in base.base_filters.items():  # filters added to the table after the class was made
            filterset_class.base_filters.setdefault(name, declared)
        # Labels (the browsable API's Filters form, the OpenAPI descriptions) from this list's columns, on copies:
        # the app's FilterSet keeps its own filters.
        filterset_class.base_filters = {
            name: self._labelled(name, copy.deepcopy(declared))
            for name, declared in filterset_class.base_filters.items()
        }
        return filterset_class

    def column_title(self, lookup: str) -> str:
        """What a reader calls the value at ``lookup``: the header of the column that reads it, else the model
        field's verbose name (never an ORM path)."""
        for column in self.columns:
            if lookup in (column.lookup, f"{column.lookup}_id"):  # a foreign key by its column or its attname
                return column.header
        name, current = lookup.rsplit("__", 1)[-1].replace("_", " "), self.model
        for part in lookup.split("__"):  # the verbose name of the last field on the way (a relation's own)
            try:
                found = current._meta.get_field(part)
            except (FieldDoesNotExist, AttributeError):
                break
            name = getattr(found, "verbose_name", None) or part.replace("_", " ")
            current = found.related_model
        name = str(name)
        return name[:1].upper() + name[1:]

    def _labelled(self, name: str, declared):
        """A filter labelled for people: its declared label, else the title of the column it reads (with its
        comparison), else its parameter name in words. ``search`` names the columns it looks in by their titles."""
        from core.filters import IdOrTextSearchFilter, OrderingFilter, SearchFilter

        if isinstance(declared, SearchFilter):
            titles = dict.fromkeys(self.column_title(lookup) for lookup in declared.lookups)
            declared.label = "Search: " + ", ".join(titles)
            help_text = "Contains (case-insensitive), in: " + ", ".join(titles) + "."
            if isinstance(declared, IdOrTextSearchFilter):
                help_text += " Or the id, when the term is a number."
            declared.extra["help_text"] = help_text
            return declared
        if declared._label is not None or isinstance(declared, OrderingFilter):
            return declared
        field_name = declared.field_name or ""
        if field_name and any(field_name in (c.lookup, f"{c.lookup}_id") for c in self.columns):
            title = self.column_title(field_name)
        else:
            words = name.replace("__", " ").replace("_", " ").replace(".", " ")
            title = words[:1].upper() + words[1:]
            declared.label = title
            return declared
        declared.label = f"{title} {_LOOKUP_WORDS.get(declared.lookup_expr, '')}".strip()
        return declared

    def filtered(self, data, queryset=None):
        """Narrow and order the list by ``data`` (a QueryDict of filters, ``search`` and ``ordering``; other keys
        are ignored). Invalid values raise :class:`Invalid` naming each parameter."""
        queryset = self.base_queryset() if queryset is None else queryset
        filterset = self.filterset_class(data=data, queryset=queryset)
        if not filterset.is_valid():
            errors = [(name, str(text)) for name, texts in filterset.errors.items() for text in texts]
            raise Invalid(
                "; ".join(f"{name}: {text}" for name, text in errors),
                code="analyst.invalid_filter",
                errors=errors,
            )
        return filterset.qs

    def rows(self, queryset, columns: list[Column] | None = None) -> Iterator[dict]:
        """JSON-ready rows (``{column name: value}``): the rows of pages and of JSON exports."""
        return json_rows(queryset, list(self.columns) if columns is None else columns)

    def row(self, queryset, pk, columns: list[Column] | None = None) -> dict:
        try:
            found = list(self.rows(queryset.filter(pk=pk), columns))
        except (ValueError, TypeError, OverflowError, ValidationError):  # not an id of this list (a bad UUID...)
            found = []
        if not found:
            raise NotFound(f"No {self.model._meta.verbose_name} with id {pk}.", code="analyst.not_found")
        return found[0]

    def final_field(self, column: Column):
        return final_field(self.model, column.lookup)

    def nullable(self, column: Column) -> bool:
        """Whether the column can be null: a null field, or a null (or reverse) relation on the way."""
        current = self.model
        for part in column.lookup.split("__"):
            try:
                found = current._meta.get_field(part)
            except FieldDoesNotExist:
                return True
            if getattr(found, "null", False) or (found.is_relation and not found.concrete):
                return True
            if found.is_relation and found.related_model is not None:
                current = found.related_model
        return False

    def text_lookups(self) -> list[str]:
        """The free-text columns a ``search`` must cover (text fields without choices)."""
        out = []
        for column in self.columns:
            f = self.final_field(column)
            if column.searched and isinstance(f, models.CharField | models.TextField) and not f.choices:
                out.append(column.lookup)
        return out


# How a filter compares, said after the column's title ("Received (UTC) ≥").
_LOOKUP_WORDS = {"gte": "≥", "gt": ">", "lte": "≤", "lt": "<", "icontains": "contains", "isnull": "is empty"}

REGISTRY: dict[str, ListSpec] = {}


def register(spec: ListSpec) -> ListSpec:
    REGISTRY[spec.key] = spec
    return spec


def get_list(key: str) -> ListSpec:
    try:
        return REGISTRY[key]
    except KeyError:
        raise NotFound(f"Unknown list {key!r}.", code="analyst.unknown_list") from None


def spec_for_model(model) -> ListSpec | None:
    for spec in REGISTRY.values():
        if spec.model is model:
            return spec
    return None
