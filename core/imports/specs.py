"""What an importable model is: an :class:`ImportSpec` per model, declared by its app in ``<app>/imports.py``.

A spec names the analyst list (``core/lists/specs.py``) whose columns the file has, so a file exported from the list
imports back: every column of the list is either written (``fields``), a relation named by natural key
(``relations``), written only when a record is created (``create_only``), or read-only and ignored on import
(everything else: database ids, derived values, timestamps). ``natural_key`` names the model fields a row is
matched on. The app supplies the two domain hooks — ``clean`` (the same validation as the wire and the admin) and
``write`` (a service that writes a batch set-based) — so core never imports an app.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, models

from ..errors import NotFound
from ..lists.specs import ListSpec, get_list


@dataclass(frozen=True)
class Relation:
    """A foreign key named in the file by the related record's natural key: ``columns`` maps each file column
    to the related model's field (``{"cis_premise_id": "cis_premise_id"}``)."""

    field: str
    columns: dict[str, str]


@dataclass(frozen=True)
class Derived:
    """A column the spec's ``write`` derives from written ones (a premise's ``address_key``), declared for the
    PostgreSQL set-based path (``core/imports/setbased.py``), which writes without calling ``write``.

    ``python(values)`` computes it as ``write`` does; ``sql(exprs)`` builds the same in SQL from the inputs' SQL
    expressions (``{attname: expr}``). The SQL is trusted for ASCII inputs only: rows with other text get
    ``python`` (a test compares the two over generated text).
    """

    attname: str
    inputs: tuple[str, ...]
    python: Callable[[dict], object]
    sql: Callable[[dict[str, str]], str]


@dataclass(frozen=True)
class SqlWrite:
    """The app's declaration that its ``write`` is a plain upsert of the written fields plus ``derived`` columns:
    what lets PostgreSQL judge and write a CSV file in SQL (``core/imports/setbased.py``).

    ``natural_key`` and ``name`` are the SQL twins of the change log's natural key of a record (its ``track``
    declaration) and of ``str(record)``: each gets ``col`` (the SQL of a column of the written row, by attname) and
    returns a text expression (a literal ``%`` doubled). Declared, the written rows' changes are built in SQL too
    (``core.changes.written``); else each is built in Python. ``tests/core/test_imports_changes.py`` proves
    them equal to the Python ones.
    """

    derived: tuple[Derived, ...] = ()
    natural_key: Callable[[Callable[[str], str]], str] | None = None
    name: Callable[[Callable[[str], str]], str] | None = None


def sql_columns(model: type[models.Model], alias: str) -> Callable[[str], str]:
    """``col`` for a twin reading another table (aliased ``alias``): the SQL of its column of that attname."""
    return lambda attname: f"{alias}.{connection.ops.quote_name(model._meta.get_field(attname).column)}"


@dataclass
class ImportSpec:
    """How rows of a list's file become records of ``list.model``.

    - ``clean(values, stored)`` gets a row's values (model field names; stored values under the file's, for an
      update) and returns them cleaned or raises a :class:`~core.errors.DomainError` naming the field;
    - ``write(creates, updates)`` writes a batch: ``creates`` a list of value dicts, ``updates`` a list of
      ``(pk, values)`` (all written fields). It runs inside the import's transaction and records each row it
      writes as the model's service does: it calls the services (blackout policies), or ``writes.upsert``, which
      records them (``writes.record_written``).
    - ``key_optional``: a row whose key is empty is a new record (services are keyed by their database id).
    - ``sql_write``: ``write`` is a plain upsert (with these derived columns); see :class:`SqlWrite`.
    """

    list_key: str
    natural_key: tuple[str, ...]
    fields: tuple[str, ...]
    write: Callable
    relations: tuple[Relation, ...] = ()
    create_only: tuple[str, ...] = ()
    clean: Callable | None = None
    key_optional: bool = False
    batch_size: int = 2000
    sql_write: SqlWrite | None = None
    description: str = ""
    _columns: dict = field(default_factory=dict, repr=False)

    @property
    def list_spec(self) -> ListSpec:
        return get_list(self.list_key)

    @property
    def model(self) -> type[models.Model]:
        return self.list_spec.model

    @property
    def label(self) -> str:
        return self.model._meta.label  # "enrollments.ServicePoint"

    def column_names(self) -> list[str]:
        return self.list_spec.column_names()

    def relation_columns(self) -> dict[str, Relation]:
        return {column: rel for rel in self.relations for column in rel.columns}

    def written_columns(self) -> list[str]:
        """The list's columns an import writes (fields, create-only fields, relations)."""
        names = set(self.fields) | set(self.create_only) | set(self.relation_columns())
        return [c for c in self.column_names() if c in names]

    def ignored_columns(self) -> list[str]:
        written = set(self.written_columns())
        return [c for c in self.column_names() if c not in written]

    def check(self) -> None:
        """A spec that does not match its list is a programming error (tests run this over the registry)."""
        columns = set(self.column_names())
        missing = [c for c in (*self.fields, *self.create_only, *self.relation_columns()) if c not in columns]
        if missing:
            raise ValueError(f"{self.label}: import columns not in list {self.list_key}: {missing}")
        relations = self.relation_columns()
        for name in (*self.fields, *self.create_only):
            if name in relations or name in {r.field for r in self.relations}:
                continue
            column = self.list_spec.column(name)
            if column.lookup != name:
                raise ValueError(f"{self.label}: column {name} reads {column.lookup}, not the field itself")


REGISTRY: dict[str, ImportSpec] = {}


def register(spec: ImportSpec) -> ImportSpec:
    REGISTRY[spec.model._meta.label_lower] = spec
    sql_write = spec.sql_write
    if sql_write and sql_write.natural_key and sql_write.name:
        from core.changes import written  # the models: loaded once the app registry is ready

        written.declare(spec.model, natural_key=sql_write.natural_key, name=sql_write.name)
    return spec


def get_spec(label: str) -> ImportSpec:
    """The spec of ``app_label.ModelName`` (any case)."""
    try:
        return REGISTRY[label.lower()]
    except KeyError:
        known = ", ".join(sorted(s.label for s in REGISTRY.values()))
        raise NotFound(f"{label!r} cannot be imported. Importable: {known}.", code="imports.unknown_model") from None


def spec_for_model(model) -> ImportSpec | None:
    return REGISTRY.get(model._meta.label_lower)
