"""Master data the enrollments wire resolves against, importable from files (``core/imports``): programs,
customers (account and person), premises, service points and which customer is served at which service point.

A file's columns are the list's (``enrollments/exports.py``); rows are matched by natural key, relations named
by natural key (a service point's premise by ``cis_premise_id``).
"""

from functools import partial

from core.imports.specs import Derived, ImportSpec, Relation, SqlWrite, register

from .keys import ADDRESS_KEY, NAME_KEY, Key
from .models import Customer, Premise, Program, ServiceAgreement, ServicePoint
from .services.reference_rows import reference_rows_write


def _derived(key: Key) -> Derived:
    """A key's declaration (``keys.py``) as the import engine's derived column."""
    return Derived(key.field, key.sources, python=key.python, sql=key.sql)


# ``reference_rows_write`` is a plain upsert deriving ``name_key`` and ``address_key``: declared so, PostgreSQL may
# judge and write a CSV file in SQL (``core/imports/setbased.py``) with the same results.
SQL_WRITES = {
    Program: SqlWrite(),
    Customer: SqlWrite(derived=(_derived(NAME_KEY),)),
    Premise: SqlWrite(derived=(_derived(ADDRESS_KEY),)),
    ServicePoint: SqlWrite(),
    ServiceAgreement: SqlWrite(),
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
