"""Master data the enrollments wire resolves against, importable from files (``core/imports``): programs,
customers (account and person), premises, service points and which customer is served at which service point.

A file's columns are the list's (``enrollments/exports.py``); rows are matched by natural key, relations named
by natural key (a service point's premise by ``cis_premise_id``).
"""

from functools import partial

from core.imports.specs import Derived, ImportSpec, Relation, SqlWrite, register, sql_columns

from .keys import ADDRESS_KEY, NAME_KEY, Key
from .models import Customer, Premise, Program, ServiceAgreement, ServicePoint
from .services.reference_rows import reference_rows_write


def _derived(key: Key) -> Derived:
    """A key's declaration (``keys.py``) as the import engine's derived column."""
    return Derived(key.field, key.sources, python=key.python, sql=key.sql)


# The SQL twins of the change log's natural keys (``events.py``) and of the models' ``__str__``: ``col`` gives the
# SQL of a column of the written row. ``tests/core/test_imports_changes.py`` proves each equal to its Python one.
def _customer_key(col) -> str:  # c.cis_account_id or c.cis_person_id or c.name
    return f"COALESCE(NULLIF({col('cis_account_id')}, ''), NULLIF({col('cis_person_id')}, ''), {col('name')})"


def _customer_name(col) -> str:  # "name (account/person)", the ids that are set; the name alone when none is
    ids = f"concat_ws('/', NULLIF({col('cis_account_id')}, ''), NULLIF({col('cis_person_id')}, ''))"
    return f"CASE WHEN {ids} = '' THEN {col('name')} ELSE {col('name')} || ' (' || {ids} || ')' END"


def _premise_name(col) -> str:  # "cis_premise_id address1, city"
    return f"{col('cis_premise_id')} || ' ' || {col('address1')} || ', ' || {col('city')}"


def _agreement_name(col) -> str:  # "customer at service point", by their names
    customer, point = sql_columns(Customer, "c"), sql_columns(ServicePoint, "p")
    return (
        f"(SELECT {_customer_name(customer)} FROM {Customer._meta.db_table} c "  # noqa: S608 - names from the models
        f"WHERE {customer('id')} = {col('customer_id')}) || ' at ' || "
        f"(SELECT {point('cis_service_point_id')} FROM {ServicePoint._meta.db_table} p "
        f"WHERE {point('id')} = {col('service_point_id')})"
    )


def _column(attname: str):
    return lambda col: col(attname)


# ``reference_rows_write`` is a plain upsert deriving ``name_key`` and ``address_key``: declared so, PostgreSQL may
# judge and write a CSV file in SQL (``core/imports/setbased.py``) with the same results, and record its changes.
SQL_WRITES = {
    Program: SqlWrite(),  # a yes/no column: always the row path
    Customer: SqlWrite(derived=(_derived(NAME_KEY),), natural_key=_customer_key, name=_customer_name),
    Premise: SqlWrite(derived=(_derived(ADDRESS_KEY),), natural_key=_column("cis_premise_id"), name=_premise_name),
    ServicePoint: SqlWrite(natural_key=_column("cis_service_point_id"), name=_column("cis_service_point_id")),
    # not described to the change log: its natural key is its name (``Tracked``'s default, ``str``)
    ServiceAgreement: SqlWrite(natural_key=_agreement_name, name=_agreement_name),
}

register(
    ImportSpec(
        list_key="enrollments.programs",
        natural_key=("program_id",),
        fields=("program_id", "name", "description", "is_active"),
        write=partial(reference_rows_write, model=Program),
        sql_write=SQL_WRITES[Program],
    )
)

register(
    ImportSpec(
        list_key="enrollments.customers",
        natural_key=("cis_account_id", "cis_person_id"),
        fields=("cis_account_id", "cis_person_id", "name"),
        write=partial(reference_rows_write, model=Customer),
        sql_write=SQL_WRITES[Customer],
    )
)

register(
    ImportSpec(
        list_key="enrollments.premises",
        natural_key=("cis_premise_id",),
        fields=(
            "cis_premise_id",
            "address1",
            "address2",
            "address3",
            "address4",
            "city",
            "county",
            "state",
            "postal",
            "country",
            "division",
            "time_zone",
        ),
        write=partial(reference_rows_write, model=Premise),
        sql_write=SQL_WRITES[Premise],
        batch_size=5000,
    )
)

register(
    ImportSpec(
        list_key="enrollments.service_points",
        natural_key=("cis_service_point_id",),
        fields=("cis_service_point_id", "service_type"),
        relations=(Relation("premise", {"cis_premise_id": "cis_premise_id"}),),
        write=partial(reference_rows_write, model=ServicePoint),
        sql_write=SQL_WRITES[ServicePoint],
        batch_size=5000,
    )
)

register(
    ImportSpec(
        list_key="enrollments.service_agreements",
        natural_key=("customer", "service_point"),
        fields=(),
        relations=(
            Relation("customer", {"cis_account_id": "cis_account_id", "cis_person_id": "cis_person_id"}),
            Relation("service_point", {"cis_service_point_id": "cis_service_point_id"}),
        ),
        write=partial(reference_rows_write, model=ServiceAgreement),
        sql_write=SQL_WRITES[ServiceAgreement],
    )
)
