"""The PostgreSQL set-based import path (``core/imports/setbased.py``) against the row path (``engine.py``): the same
files, good and hostile, through both, with the same report (counts; each refused row's line, column and reason)
and the same stored data and change records. Files the set-based path cannot judge exactly go back to the row path.
"""

import io

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from core.changes.models import Change
from core.imports import setbased, specs
from core.imports.engine import Importer
from enrollments.keys import address_key, normalise, normalise_sql
from enrollments.models import Customer, Premise, ServiceAgreement, ServicePoint
from inventory.models import Place, Resource, Specification

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

PREMISES = "enrollments.Premise"
POINTS = "enrollments.ServicePoint"
RESOURCES = "inventory.Resource"
PLACES = "inventory.Place"
PREMISE_HEADER = (
    "cis_premise_id,address1,address2,address3,address4,city,county,state,postal,country,division,time_zone"
)


def _state() -> dict:
    return {
        "premises": sorted(Premise.objects.values_list(*[f.attname for f in Premise._meta.concrete_fields][1:])),
        "points": sorted(
            ServicePoint.objects.values_list("cis_service_point_id", "premise__cis_premise_id", "service_type")
        ),
        "customers": sorted(Customer.objects.values_list("cis_account_id", "cis_person_id", "name", "name_key")),
        "agreements": sorted(
            ServiceAgreement.objects.values_list(
                "customer__cis_account_id", "customer__cis_person_id", "service_point__cis_service_point_id"
            )
        ),
        "resources": sorted(Resource.objects.values_list(), key=str),
        "places": sorted(Place.objects.values_list(), key=str),
        # what each change records, not only that it is there (a non-ASCII address's key is fixed by Python after
        # the write: the change row must record the fixed one); the ids differ between the two attempts
        "changes": sorted(
            Change.objects.values_list("object_type", "action", "natural_key", "object_repr", "changes", "counts"),
            key=str,
        ),
    }


def _run(label: str, content: str | bytes, *, set_based: bool, **options):
    data = content.encode() if isinstance(content, str) else content
    importer = Importer(specs.get_spec(label), "csv", set_based=set_based, **options)
    report = importer.run(io.BytesIO(data))
    return importer.path, report


def _both(label: str, content: str | bytes, **options) -> tuple[str, dict]:
    """Import through both paths (each rolled back afterwards), assert the same outcome, return the set-based
    attempt's path and report."""
    outcomes = []
    for set_based in (False, True):
        with transaction.atomic():
            path, report = _run(label, content, set_based=set_based, **options)
            outcomes.append((path, report.as_dict(), _state()))
            transaction.set_rollback(True)
    (row_path, row_report, row_state), (path, report, state) = outcomes
    assert row_path == "rows"
    assert report == row_report
    assert state == row_state
    return path, report


def _premises(count: int, start: int = 0, city: str = "Springfield") -> str:
    lines = [PREMISE_HEADER]
    for i in range(start, start + count):
        lines.append(f"P{i:05d},{i} Main St.,,,,{city},County,CA,9{i:04d},USA,CA,US/Pacific")
    return "\n".join(lines) + "\n"


@pytest.fixture
def premises():
    Premise.objects.create(cis_premise_id="P-STORED", address1="1 Old Road", city="Oldtown")
    Premise.objects.create(cis_premise_id="P-SAME", address1="2 Same St", city="Sametown", state="CA")


def test_a_plain_file_is_judged_and_written_in_sql_as_the_row_path_would(premises):
    content = _premises(50) + "P-STORED,9 New Road,,,,Newtown,,,,,,\nP-SAME,2 Same St,,,,Sametown,,CA,,,,\n"
    path, report = _both(PREMISES, content)
    assert path == "set-based"
    assert (report["created"], report["updated"], report["unchanged"], report["refused"]) == (50, 1, 1, 0)


def test_hostile_rows_get_the_row_paths_line_column_and_reason(premises):
    long_city = "x" * 91
    content = (
        PREMISE_HEADER + "\n"
        "P1,1 Main,,,,Springfield,,CA,90001,USA,,\n"
        f"P2,2 Main,,,,{long_city},,CA,90002,USA,,\n"  # too long
        ",3 Main,,,,Springfield,,CA,90003,USA,,\n"  # empty required key
        "P1,4 Main,,,,Springfield,,CA,90004,USA,,\n"  # duplicate key
        "P5,5 Main,,,,Springfield,,CALIFORNIA,90005,USA,,\n"  # too long, after a good cell
        "P-SAME,2 Same St,,,,Sametown,,CA,,,,\n"  # unchanged
        "P-STORED,1 Old Road,,,,Newtown,,,,,,\n"  # updated
    )
    for options in ({}, {"apply_valid": True}, {"dry_run": True}):
        path, report = _both(PREMISES, content, **options)
        assert path == "set-based"
        assert [(r["line"], r["column"]) for r in report["refusals"]] == [
            (3, "city"),
            (4, "cis_premise_id"),
            (5, "cis_premise_id"),
            (6, "state"),
        ]
        assert "same record is on line 2" in report["refusals"][2]["reason"]
        assert (report["created"], report["updated"], report["unchanged"]) == (1, 1, 1)


def test_relations_by_natural_key_unknown_and_empty(premises):
    content = (
        "cis_service_point_id,cis_premise_id,service_type\n"
        "SP1,P-STORED,E\n"
        "SP2,P-NOWHERE,E\n"  # unknown relation
        "SP3,,E\n"  # empty required relation
        "SP4,P-SAME,GAS-AND-ELECTRICITY-AND-MORE-THAN-THIRTY\n"  # too long: refused before the relation
        "SP1,P-SAME,E\n"  # duplicate
    )
    path, report = _both(POINTS, content, apply_valid=True)
    assert path == "set-based"
    assert [(r["line"], r["column"], r["reason"][:40]) for r in report["refusals"]] == [
        (3, "cis_premise_id", "no premise with cis_premise_id 'P-NOWHER"),
        (4, "cis_premise_id", "a premise is required"),
        (5, "service_type", "Ensure this value has at most 30 charact"),
        (6, "cis_service_point_id", "duplicate natural key: the same record i"),
    ]
    assert report["created"] == 1


def test_choices_a_nullable_relation_and_a_text_primary_key():
    Specification.objects.create(id="SPEC-1", entity_type="Resource")
    Resource.objects.create(id="R-OLD", name="old", type="LogicalDevice")
    rows = [
        "R1,one,LogicalDevice,,INSTALLED,,Available,SPEC-1",
        "R2,two,NotAType,,INSTALLED,,Available,SPEC-1",  # bad choice
        "R3,three,LogicalDevice,,INSTALLED,,Available,",  # no specification: allowed (nullable)
        "R4,four,LogicalDevice,,INSTALLED,,Available,SPEC-404",  # unknown relation
        "R-OLD,renamed,LogicalDevice,,INSTALLED,,Available,",  # updated
        ",nameless,LogicalDevice,,INSTALLED,,Available,",  # empty key
    ]
    header = "id,name,type,description,lifecycle_state,lifecycle_sub_state,status,specification"
    content = header + "\n" + "\n".join(rows) + "\n"
    path, report = _both(RESOURCES, content, apply_valid=True)
    assert path == "set-based"
    assert [(r["line"], r["column"]) for r in report["refusals"]] == [(3, "type"), (5, "specification"), (7, "id")]
    assert "NotAType" in report["refusals"][0]["reason"]
    assert (report["created"], report["updated"]) == (2, 1)


def test_customers_with_a_two_part_key_and_a_derived_name_key():
    Customer.objects.create(cis_account_id="A1", cis_person_id="1", name="Ann Smith")
    content = (
        "cis_account_id,cis_person_id,name\n"
        "A1,1,Ann  SMITH.\n"  # updated: the name key follows
        "A1,2,Bob Jones\n"
        "A2,1,Zoë Ångström\n"  # not ASCII: the name key from Python
        "A1,2,Bob Again\n"  # duplicate of line 3
        "A3,,Nobody\n"  # an account without a person id
        ",,Nobody at all\n"  # no key
        "A4,1,\n"  # a name is required
    )
    path, report = _both("enrollments.Customer", content, apply_valid=True)
    assert path == "set-based"
    assert [(r["line"], r["column"]) for r in report["refusals"]] == [
        (5, "cis_account_id"),
        (7, "cis_account_id"),
        (8, "name"),
    ]
    assert (report["created"], report["updated"]) == (3, 1)


def test_who_is_served_where_by_two_relations():
    premise = Premise.objects.create(cis_premise_id="P1")
    ServicePoint.objects.create(cis_service_point_id="SP1", premise=premise)
    ServicePoint.objects.create(cis_service_point_id="SP2", premise=premise)
    Customer.objects.create(cis_account_id="A1", cis_person_id="1", name="Ann")
    content = (
        "cis_account_id,cis_person_id,cis_service_point_id\n"
        "A1,1,SP1\n"
        "A1,1,SP2\n"
        "A1,9,SP1\n"  # no such customer
        "A1,1,SP9\n"  # no such service point
        "A1,1,SP1\n"  # duplicate of line 2
    )
    path, report = _both("enrollments.ServiceAgreement", content, apply_valid=True)
    assert path == "set-based"
    assert [(r["line"], r["column"]) for r in report["refusals"]] == [
        (4, "cis_account_id"),
        (5, "cis_service_point_id"),
        (6, "cis_account_id"),
    ]
    assert report["created"] == 2
    path, report = _both("enrollments.ServiceAgreement", content.replace("A1,9,SP1\n", ""))
    assert report["refused"] == 2


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(PREMISE_HEADER + "\nP1,a,,,,b,,,,,,\n\nP2,c,,,,d,,,,,,\n", id="blank-line"),
        pytest.param(PREMISE_HEADER + '\nP1,"1 Main\nSt",,,,b,,,,,,\n', id="cell-spanning-lines"),
        pytest.param(PREMISE_HEADER + '\nP1,1 "Main" St,,,,b,,,,,,\n', id="quote-inside-a-cell"),
        pytest.param(PREMISE_HEADER + "\nP1,'=1+1,,,,b,,,,,,\n", id="apostrophe-before-a-formula"),
        pytest.param(PREMISE_HEADER + "\nP1,a,,,,b,,,,,,\nP2,too,few\n", id="wrong-width"),
        pytest.param(PREMISE_HEADER.encode() + b"\nP1,caf\xe9,,,,b,,,,,,\n", id="not-utf8"),
        pytest.param(PREMISE_HEADER + "\nP1,a\x00b,,,,b,,,,,,\n", id="nul"),
        pytest.param(PREMISE_HEADER + "\nP1,bell\x07,,,,b,,,,,,\n", id="control-character"),  # issue 21
        pytest.param(PREMISE_HEADER + "\n\\.\nP1,a,,,,b,,,,,,\n", id="copy-end-marker"),
        pytest.param("cis_premise_id,city\nP1,b\n", id="columns-missing"),
        pytest.param("cis_premise_id,nonsense\nP1,b\n", id="unknown-column"),
        pytest.param(PREMISE_HEADER + "\nP1,a\rb,,,,b,,,,,,\n", id="lone-carriage-return"),
        pytest.param(PREMISE_HEADER + "\nP1," + "x" * 100_001 + ",,,,b,,,,,,\n", id="huge-cell"),
        pytest.param("id," + PREMISE_HEADER + "\n'=7,P1,a,,,,b,,,,,,\n", id="apostrophe-in-an-ignored-column"),
    ],
)
def test_files_the_sql_cannot_read_exactly_go_to_the_row_path(premises, content):
    path, _report = _both(PREMISES, content, apply_valid=True)
    assert path == "rows"


def test_a_relation_cell_with_spaces_goes_to_the_row_path(premises):
    path, report = _both(POINTS, "cis_service_point_id,cis_premise_id,service_type\nSP1, P-SAME ,E\n")
    assert path == "rows"
    assert report["created"] == 1


def test_quoted_cells_and_windows_line_ends_stay_on_the_set_based_path(premises):
    content = (
        PREMISE_HEADER + '\r\nP1,"1 Main St, Apt ""B""",,,,"Springfield",,CA,,,,\r\nP2,"",,,,x,,,,,,\r\n'
    ).encode()
    path, report = _both(PREMISES, content)
    assert path == "set-based"
    assert report["created"] == 2
    assert Premise.objects.count() == 2  # rolled back


def test_non_ascii_addresses_get_their_key_from_python(premises):
    content = (
        PREMISE_HEADER
        + "\nP1,1 STRASSE Ǆ,,,,Köln,,ẞ,,,,\nP2,2 Rue\u00a0Haute,,,,Liège,,,,,,\nP-SAME,2 ß St,,,,X,,,,,,\n"
    )
    path, _report = _both(PREMISES, content)
    assert path == "set-based"


def test_more_refusals_than_are_listed_are_listed_as_the_row_path_lists_them(premises):
    lines = [PREMISE_HEADER] + [f"P{i},a,,,,{'x' * 100},,,,,," for i in range(30)] + ["P1,a,,,,b,,,,,,"] * 5
    content = "\n".join(lines) + "\n"
    original = setbased.MAX_LISTED
    from core.imports import report as report_module

    setbased.MAX_LISTED = report_module.MAX_LISTED = 7
    try:
        path, report = _both(PREMISES, content, apply_valid=True)
    finally:
        setbased.MAX_LISTED = report_module.MAX_LISTED = original
    assert path == "set-based"
    assert report["refused"] == 34 and report["unlisted"] == 27


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F, exclude_characters="\x00"), max_size=40))
def test_normalise_in_sql_is_normalise_for_ascii(text):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {normalise_sql('%s')}", [text])
        assert cursor.fetchone()[0] == normalise(text)


def test_the_address_key_in_sql_is_the_address_key():
    from django.db import connection

    from enrollments.keys import ADDRESS_KEY_FIELDS, address_key_sql

    parts = {name: f" {name.upper()}.;|\t x\x1f" for name in ADDRESS_KEY_FIELDS}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {address_key_sql(dict.fromkeys(ADDRESS_KEY_FIELDS, '%s'))}", list(parts.values()))
        assert cursor.fetchone()[0] == address_key(**parts)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(max_codepoint=0x7F, exclude_characters="\x00"), max_size=12),
        min_size=7,
        max_size=7,
    )
)
def test_the_address_key_in_sql_is_the_address_key_for_ascii(texts):
    from django.db import connection

    from enrollments.keys import ADDRESS_KEY_FIELDS, address_key_sql

    parts = dict(zip(ADDRESS_KEY_FIELDS, texts, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {address_key_sql(dict.fromkeys(ADDRESS_KEY_FIELDS, '%s'))}", texts)
        assert cursor.fetchone()[0] == address_key(**parts)


def test_which_models_take_the_set_based_path():
    """What docs/staff.md and docs/benchmarks.md say: the plain reference rows; the others keep the row path."""
    eligible = {
        spec.label for spec in specs.REGISTRY.values() if setbased.eligible(Importer(spec, "csv"), io.BytesIO(b""))
    }
    assert eligible == {
        "enrollments.Customer",
        "enrollments.Premise",
        "enrollments.ServiceAgreement",
        "enrollments.ServicePoint",
        "inventory.Party",
        "inventory.Place",
        "inventory.Resource",
    }
    premises = specs.get_spec(PREMISES)
    assert not setbased.eligible(Importer(premises, "xlsx"), io.BytesIO(b""))
    assert not setbased.eligible(Importer(premises, "jsonl"), io.BytesIO(b""))


def test_a_set_based_dry_run_writes_nothing_and_reports_progress(premises):
    before = _state()
    seen = []
    importer = Importer(specs.get_spec(PREMISES), "csv", dry_run=True, progress=seen.append)
    report = importer.run(io.BytesIO(_premises(20).encode()))
    assert importer.path == "set-based"
    assert (report.created, report.applied, report.dry_run) == (20, False, True)
    assert _state() == before
    assert seen and seen[-1] == 20


def test_an_applied_set_based_import_records_one_change(premises):
    path, report = _run(PREMISES, _premises(20), set_based=True)
    assert path == "set-based" and report.applied
    assert Change.objects.filter(action="imported").count() == 1
    path, report = _run(PREMISES, _premises(20), set_based=True)
    assert report.unchanged == 20
    assert Change.objects.filter(action="imported").count() == 1  # nothing written, nothing recorded
