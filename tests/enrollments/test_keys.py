"""The name and address keys (issue 22, "every rule once"): one declaration each (``keys.NAME_KEY``,
``keys.ADDRESS_KEY``) from which ``save()``, the bulk writer and the set-based import derive them. Property tests
prove every path gives the same key (on SQLite and PostgreSQL) and, on PostgreSQL, that the SQL form equals the
Python form for ASCII text."""

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from enrollments import imports
from enrollments.keys import ADDRESS_KEY, ADDRESS_KEY_FIELDS, NAME_KEY, address_key, normalise
from enrollments.models import Customer, Premise
from enrollments.services.reference_rows import reference_rows_write

ascii_text = st.text(alphabet=st.characters(max_codepoint=0x7F, exclude_characters="\x00"), max_size=16)
# six characters at most: a premise's state holds no more
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=6)
address_parts = st.fixed_dictionaries(dict.fromkeys(ADDRESS_KEY_FIELDS, ascii_text))


# --- the Python form ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("", ""),
        (None, ""),
        ("  Jane   DOE ", "jane doe"),
        ("Doe,Jane", "doe jane"),
        ("a.b;c|d", "a b c d"),
        ("x\t\n\r\x0b\x0c\x1cy", "x y"),
        ("Straße", "strasse"),  # case folding, not lower(): ß folds to ss
        ("a-b/c", "a-b/c"),  # only . , ; | are punctuation
    ],
)
def test_normalise_examples(raw, key):
    assert normalise(raw) == key


def test_the_address_key_is_the_lines_in_order_joined_by_a_bar():
    assert ADDRESS_KEY_FIELDS == ("address1", "address2", "address3", "address4", "city", "state", "postal")
    parts = {name: f" {name.upper()}. " for name in ADDRESS_KEY_FIELDS}
    assert address_key(**parts) == "address1|address2|address3|address4|city|state|postal"
    assert address_key(city="Springfield", county="X", country="US") == "||||springfield||"
    assert address_key() == "||||||"


def test_the_declarations():
    assert (NAME_KEY.field, NAME_KEY.sources) == ("name_key", ("name",))
    assert (ADDRESS_KEY.field, ADDRESS_KEY.sources) == ("address_key", ADDRESS_KEY_FIELDS)
    row = {"name": " Jane  Doe "}
    NAME_KEY.fill(row)
    assert row == {"name": " Jane  Doe ", "name_key": "jane doe"}
    assert ADDRESS_KEY.python({"address1": "1 Main St.", "postal": "94000"}) == "1 main st||||||94000"
    derived = {d.attname: d for spec in imports.SQL_WRITES.values() for d in spec.derived}
    assert {name: (d.inputs, d.python, d.sql) for name, d in derived.items()} == {
        "name_key": (NAME_KEY.sources, NAME_KEY.python, NAME_KEY.sql),
        "address_key": (ADDRESS_KEY.sources, ADDRESS_KEY.python, ADDRESS_KEY.sql),
    }


# --- every write path gives the same key (SQLite and PostgreSQL) -----------------------------------------------
@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(name=any_text, parts=st.fixed_dictionaries(dict.fromkeys(ADDRESS_KEY_FIELDS, any_text)))
def test_save_and_the_bulk_writer_derive_the_same_keys(name, parts):
    Customer.objects.all().delete()
    Premise.objects.all().delete()
    saved = Customer(cis_account_id="1", cis_person_id="1", name=name)
    saved.save()
    reference_rows_write(
        model=Customer, creates=[{"cis_account_id": "2", "cis_person_id": "2", "name": name}], updates=[]
    )
    assert set(Customer.objects.values_list("name_key", flat=True)) == {normalise(name)}

    Premise(cis_premise_id="1", **parts).save()
    reference_rows_write(model=Premise, creates=[{"cis_premise_id": "2", **parts}], updates=[])
    assert set(Premise.objects.values_list("address_key", flat=True)) == {address_key(**parts)}


@pytest.mark.django_db
def test_the_bulk_writer_derives_keys_on_update():
    customer = Customer.objects.create(cis_account_id="1", cis_person_id="1", name="Jane")
    premise = Premise.objects.create(cis_premise_id="1", address1="1 Main St")
    reference_rows_write(model=Customer, creates=[], updates=[(customer.pk, {"name": "JANE  ROE"})])
    row = dict.fromkeys(ADDRESS_KEY_FIELDS, "") | {"address1": "1 Main St", "city": "Springfield."}
    reference_rows_write(model=Premise, creates=[], updates=[(premise.pk, row)])  # an import writes whole rows
    assert Customer.objects.get().name_key == "jane roe"
    assert Premise.objects.get().address_key == "1 main st||||springfield||"


# --- the SQL form is the Python form (PostgreSQL: the set-based import runs there only) -------------------------
@pytest.mark.postgres
@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(name=ascii_text, parts=address_parts)
def test_the_sql_form_of_each_key_is_its_python_form(name, parts):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {NAME_KEY.sql({'name': '%s'})}", [name])
        assert cursor.fetchone()[0] == NAME_KEY.python({"name": name})
        exprs = dict.fromkeys(ADDRESS_KEY_FIELDS, "%s")
        cursor.execute(f"SELECT {ADDRESS_KEY.sql(exprs)}", [parts[n] for n in ADDRESS_KEY_FIELDS])
        assert cursor.fetchone()[0] == ADDRESS_KEY.python(parts)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_sql_form_reads_null_as_empty():
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {NAME_KEY.sql({'name': 'NULL'})}, {ADDRESS_KEY.sql(dict.fromkeys(ADDRESS_KEY_FIELDS, 'NULL'))}"
        )
        assert cursor.fetchone() == ("", "||||||")
