"""Every import path records the changes the single-record services record (issue #22: "every import path writes
through services; a set-based path ... calls the same domain rules and records the same changes").

For each importable model a file creates rows, changes stored ones and leaves one alone. The rows the row path's
``write`` wrote (captured batch by batch) are then written again, one by one, through the model's service (the
one the admin and the wire call): the two leave the same ``Change`` rows (one per row written, the same action,
fields before and after, natural key and events). On PostgreSQL the set-based path (``setbased.py``), which writes
in SQL without calling ``write``, must leave the same ones again. The file's own ``imported`` change (its counts)
is recorded by every path alike and left out of the comparison.
"""

import copy
import dataclasses
import io
import json
import re

import pytest
from django.apps import apps
from django.db import connection, models, transaction

from blackouts import services as blackout_services
from blackouts.models import BlackoutPolicy
from core import context
from core.changes import written
from core.changes.models import Change
from core.imports import setbased, specs
from core.imports.engine import Importer
from enrollments.models import Premise
from enrollments.services import reference_save
from inventory import services as inventory_services
from inventory.services.reference_data import values_of
from inventory.services.service_records import EDITABLE_FIELDS
from outages.services import external_system_save

pytestmark = pytest.mark.django_db

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")  # a policy's generated ids

PREMISE_HEADER = (
    "cis_premise_id,address1,address2,address3,address4,city,county,state,postal,country,division,time_zone\n"
)
PREMISES = PREMISE_HEADER + "P-OLD,1 Old Road,,,,Oldtown,,CA,,,,\nP-SAME,2 Same St,,,,Sametown,,CA,,,,\n"
CUSTOMERS = "cis_account_id,cis_person_id,name\nA1,1,Ann Smith\nA2,1,Same Person\n"
POINTS = "cis_service_point_id,cis_premise_id,service_type\nSP-OLD,P-OLD,E\nSP-SAME,P-OLD,E\n"
SPEC_HEADER = "id,version,entity_type,description,service_type,start_date,end_date\n"
SPECIFICATIONS = SPEC_HEADER + "S-OLD,1,Service,old,,,\nS-SAME,1,Service,,,,\n"
RESOURCE_HEADER = "id,name,type,description,lifecycle_state,lifecycle_sub_state,status,specification\n"
SERVICE_HEADER = "id,name,category,service_type,state,specification,start_date,end_date\n"
TIMEFRAME = {
    "startDate": "01012030",
    "startTime": "01:00",
    "endTime": "02:00",
    "endsOn": {"never": True},
    "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
}


def _policy(name: str, **extra) -> str:
    policy = {"name": name, "enabled": False, "execution_order": 1, "selector_criteria": "( class equals 'EVENT' )"}
    return json.dumps(policy | {"timeframe": TIMEFRAME} | extra)


def _service_file() -> str:
    from inventory.models import Service

    old, same = Service.objects.get(name="Old service"), Service.objects.get(name="Same service")
    return (
        SERVICE_HEADER + ",New service,CFS,Email,designed,S-SAME,2026-02-01T00:00:00Z,\n"
        f"{old.pk},Old service renamed,CFS,,designed,S-OLD,2026-01-01T00:00:00Z,2027-01-01T00:00:00Z\n"
        f"{same.pk},Same service,CFS,,designed,S-OLD,2026-01-01T00:00:00Z,\n"
    )


# label: (files loaded first as (label, fmt, content), then the file under test: fmt, content or a callable)
CASES = {
    "outages.ExternalSystem": (
        [("outages.ExternalSystem", "csv", "name,description,is_active\nSYS-OLD,old,true\nSYS-SAME,same,true\n")],
        "csv",
        "name,description,is_active\nSYS-NEW,new,true\nSYS-OLD,renamed,false\nSYS-SAME,same,true\n",
    ),
    "enrollments.Program": (
        [
            (
                "enrollments.Program",
                "csv",
                "program_id,name,description,is_active\nPR-OLD,Old,,true\nPR-SAME,Same,,true\n",
            )
        ],
        "csv",
        "program_id,name,description,is_active\nPR-NEW,New,a new one,true\nPR-OLD,Old renamed,,false\n"
        "PR-SAME,Same,,true\n",
    ),
    "enrollments.Customer": (
        [("enrollments.Customer", "csv", CUSTOMERS)],
        "csv",
        "cis_account_id,cis_person_id,name\nA1,1,Ann JONES\nA3,1,Bob Brown\nA2,1,Same Person\n",
    ),
    "enrollments.Premise": (
        [("enrollments.Premise", "csv", PREMISES)],
        "csv",
        PREMISE_HEADER + "P-NEW,3 New Lane,,,,Newtown,,CA,90003,USA,CA,US/Pacific\n"
        "P-OLD,9 Moved Road,,,,Movedtown,,CA,,,,\nP-SAME,2 Same St,,,,Sametown,,CA,,,,\n",
    ),
    "enrollments.ServicePoint": (
        [("enrollments.Premise", "csv", PREMISES), ("enrollments.ServicePoint", "csv", POINTS)],
        "csv",
        "cis_service_point_id,cis_premise_id,service_type\nSP-NEW,P-SAME,G\nSP-OLD,P-SAME,E\nSP-SAME,P-OLD,E\n",
    ),
    "enrollments.ServiceAgreement": (
        [
            ("enrollments.Customer", "csv", CUSTOMERS),
            ("enrollments.Premise", "csv", PREMISES),
            ("enrollments.ServicePoint", "csv", POINTS),
            ("enrollments.ServiceAgreement", "csv", "cis_account_id,cis_person_id,cis_service_point_id\nA1,1,SP-OLD\n"),
        ],
        "csv",
        "cis_account_id,cis_person_id,cis_service_point_id\nA1,1,SP-OLD\nA2,1,SP-OLD\nA1,1,SP-SAME\n",
    ),
    "inventory.Specification": (
        [("inventory.Specification", "csv", SPECIFICATIONS)],
        "csv",
        SPEC_HEADER
        + "S-NEW,1,LogicalDevice,new,,2026-01-01T00:00:00Z,\nS-OLD,2,Service,old,,,\nS-SAME,1,Service,,,,\n",
    ),
    "inventory.Party": (
        [("inventory.Party", "csv", "id,name,role,referred_type\nPA-OLD,Old,Customer,Party\nPA-SAME,Same,,Party\n")],
        "csv",
        "id,name,role,referred_type\nPA-NEW,New,Customer,Party\nPA-OLD,Renamed,Owner,Party\nPA-SAME,Same,,Party\n",
    ),
    "inventory.Place": (
        [
            (
                "inventory.Place",
                "csv",
                "id,name,referred_type,latitude,longitude\nPL-OLD,Old,GeographicAddress,1,2\n"
                "PL-SAME,Same,GeographicAddress,,\n",
            )
        ],
        "csv",
        "id,name,referred_type,latitude,longitude\nPL-NEW,New,GeographicAddress,3,4\n"
        "PL-OLD,Moved,GeographicAddress,5,6\nPL-SAME,Same,GeographicAddress,,\n",
    ),
    "inventory.Resource": (
        [
            ("inventory.Specification", "csv", SPECIFICATIONS),
            (
                "inventory.Resource",
                "csv",
                RESOURCE_HEADER + "R-OLD,old,LogicalDevice,,INSTALLED,,Available,S-OLD\n"
                "R-SAME,same,LogicalDevice,,INSTALLED,,Available,\n",
            ),
        ],
        "csv",
        RESOURCE_HEADER + "R-NEW,new,LogicalDevice,,INSTALLED,,Available,S-SAME\n"
        "R-OLD,renamed,LogicalDevice,,INSTALLED,,Available,\nR-SAME,same,LogicalDevice,,INSTALLED,,Available,\n",
    ),
    "inventory.Service": (
        [
            ("inventory.Specification", "csv", SPECIFICATIONS),
            (
                "inventory.Service",
                "csv",
                SERVICE_HEADER + ",Old service,CFS,,designed,S-OLD,2026-01-01T00:00:00Z,\n"
                ",Same service,CFS,,designed,S-OLD,2026-01-01T00:00:00Z,\n",
            ),
        ],
        "csv",
        _service_file,
    ),
    "blackouts.BlackoutPolicy": (
        [("blackouts.BlackoutPolicy", "jsonl", _policy("old") + "\n" + _policy("same") + "\n")],
        "jsonl",
        "\n".join([_policy("new", execution_order=2), _policy("old", description="changed"), _policy("same")]) + "\n",
    ),
}


def _obj(model: type[models.Model], pk, values: dict) -> models.Model:
    if pk is None:
        return model(**values)
    obj = model._default_manager.get(pk=pk)
    for name, value in values.items():
        setattr(obj, name, value)
    return obj


def _through_the_service(label: str, pk, values: dict) -> None:
    """Write one row as the admin and the wire do: through the model's single-record service."""
    model = specs.get_spec(label).model
    entity = model._meta.model_name
    if label == "outages.ExternalSystem":
        external_system_save(system=_obj(model, pk, values))
    elif model._meta.app_label == "enrollments":
        reference_save(obj=_obj(model, pk, values))
    elif label == "inventory.Service":
        details = {k: v for k, v in values.items() if k in EDITABLE_FIELDS}
        if pk is None:
            inventory_services.service_create(
                service_id=values.get("id"),
                specification_id=values["specification_id"],
                details=inventory_services.ServiceDetails(**details),
                state=values["state"],
                category=values["category"],
            )
        else:
            stored = inventory_services.details_of(model._default_manager.get(pk=pk))
            inventory_services.service_update(service_id=pk, details=dataclasses.replace(stored, **details))
    elif model._meta.app_label == "inventory":
        values_class = getattr(inventory_services, f"{model.__name__}Values")
        fields = {k: v for k, v in values.items() if k != model._meta.pk.attname}
        if pk is None:
            getattr(inventory_services, f"{entity}_create")(
                **{f"{entity}_id": values["id"]}, values=values_class(**fields)
            )
        else:
            stored = values_of(model._default_manager.get(pk=pk), values_class)
            getattr(inventory_services, f"{entity}_update")(
                **{f"{entity}_id": pk}, values=dataclasses.replace(stored, **fields)
            )
    elif label == "blackouts.BlackoutPolicy":
        fields = {name: values[name] for name in BlackoutPolicy.INPUT_FIELDS if name in values}
        if pk is None:
            blackout_services.policy_create(fields=fields, owner="tester")
        else:
            blackout_services.policy_update(policy_id=pk, fields=fields)
    else:  # pragma: no cover - a new importable model: say how its service writes one row
        raise AssertionError(f"{label}: no single-record service named in this test")


def _import(label: str, fmt: str, content: str, *, set_based: bool = False):
    importer = Importer(specs.get_spec(label), fmt, set_based=set_based)
    report = importer.run(io.BytesIO(content.encode()))
    assert report.applied and not report.refused, report.lines()
    return importer.path, report


def _timeless(change: Change) -> dict:
    """The change's fields without those stamped with the time of the write (``auto_now_add``), which differ
    between runs by nature."""
    model = apps.get_model(change.object_type)
    stamped = {
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    return {name: pair for name, pair in change.changes.items() if name not in stamped}


def _recorded(write) -> tuple[object, list]:
    """Run ``write`` as the user ``tester`` and return its result and the changes it recorded (other than the
    file's ``imported``), comparable across runs; everything is rolled back afterwards."""
    with transaction.atomic():
        first = Change.objects.order_by("-id").values_list("id", flat=True).first() or 0
        with context.bound(actor="user:tester"):
            result = write()
        out = []
        for change in Change.objects.filter(id__gt=first).exclude(action="imported"):
            # A new row's database number differs between runs (PostgreSQL's sequences do not roll back): where a
            # natural key ends with it (``service/12``) or a name starts with it (``12 EmailCFS (CFS)``).
            def numbered(text: str, change=change) -> str:
                number = change.object_id
                if not number.isdigit():
                    return text
                if text.endswith(f"/{number}"):
                    return text.removesuffix(number) + "<pk>"
                return "<pk>" + text.removeprefix(number) if text.startswith(f"{number} ") else text

            out.append(
                (
                    change.object_type,
                    change.action,
                    numbered(change.natural_key),
                    numbered(change.object_repr),
                    UUID.sub("<uuid>", json.dumps(_timeless(change), sort_keys=True)),
                    json.dumps(change.counts, sort_keys=True),
                    change.events,
                    change.actor,
                )
            )
        transaction.set_rollback(True)
    return result, sorted(out, key=str)


@pytest.mark.parametrize("label", sorted(CASES))
def test_every_import_path_records_the_changes_the_service_records(label, monkeypatch):
    seeds, fmt, content = CASES[label]
    insert_sql = written.insert_sql
    for seed_label, seed_fmt, seed in seeds:
        _import(seed_label, seed_fmt, seed)
    content = content() if callable(content) else content

    spec = specs.get_spec(label)
    batches, write = [], spec.write

    def captured(*, creates, updates):
        batches.append((copy.deepcopy(creates), copy.deepcopy(updates)))
        return write(creates=creates, updates=updates)

    monkeypatch.setattr(spec, "write", captured)
    built = []  # the actions whose change rows were built in SQL (core.changes.written)
    monkeypatch.setattr(written, "insert_sql", lambda *a, **k: built.append(a[1]) or insert_sql(*a, **k))
    (path, report), by_rows = _recorded(lambda: _import(label, fmt, content))
    assert path == "rows" and report.unchanged == 1
    assert len(by_rows) == report.created + report.updated, "one change per row written"
    assert {c[1] for c in by_rows} == (
        {"created"} if label == "enrollments.ServiceAgreement" else {"created", "updated"}
    )
    # on PostgreSQL, in SQL wherever the spec declares the twins of the key and the name (else in Python)
    sql_write = spec.sql_write
    in_sql = bool(sql_write and sql_write.natural_key and sql_write.name) and written.supported(spec.model)
    in_sql = in_sql and connection.vendor == "postgresql"
    made = ["created"] * bool(report.created) + ["updated"] * bool(report.updated)
    assert built == (made if in_sql else [])
    built.clear()

    def one_by_one():
        for creates, updates in batches:
            for values in creates:
                _through_the_service(label, None, values)
            for pk, values in updates:
                _through_the_service(label, pk, values)

    _, by_services = _recorded(one_by_one)
    assert by_services == by_rows

    if connection.vendor == "postgresql":
        importer = Importer(spec, fmt)
        if setbased.eligible(importer, io.BytesIO(b"")):
            built.clear()
            (path, sb_report), set_based = _recorded(lambda: _import(label, fmt, content, set_based=True))
            assert path == "set-based"
            assert set_based == by_rows
            made = ["created"] * bool(sb_report.created) + ["updated"] * bool(sb_report.updated)
            assert built == (made if in_sql else [])


def test_every_importable_model_is_compared():
    assert set(CASES) == {spec.label for spec in specs.REGISTRY.values()}


@pytest.mark.postgres
def test_the_set_based_path_records_every_row_chunk_by_chunk(monkeypatch):
    """Where the change rows cannot be built in SQL, the set-based path reads what it wrote back ``writes.CHUNK``
    rows at a time (memory stays flat): every row is recorded, across chunks, for new rows and for changed ones; a
    chunk of ``COPY_FROM`` changes or more is inserted with COPY, a smaller one (the last) as usual, and both hold
    the same."""
    from core.changes import recording
    from core.imports import writes

    monkeypatch.setattr(written, "supported", lambda model: False)  # the Python path (no SQL twins taken)
    monkeypatch.setattr(writes, "CHUNK", 7)
    monkeypatch.setattr(recording, "COPY_FROM", 5)
    lines = [f"P{i:03d},{i} Main St.,,,,Springfield,,CA,,,," for i in range(30)]
    path, report = _import("enrollments.Premise", "csv", PREMISE_HEADER + "\n".join(lines) + "\n", set_based=True)
    assert (path, report.created) == ("set-based", 30)
    moved = [line.replace("Springfield", "Shelbyville") for line in lines[:23]]
    path, report = _import("enrollments.Premise", "csv", PREMISE_HEADER + "\n".join(moved) + "\n", set_based=True)
    assert (path, report.updated) == ("set-based", 23)
    recorded = Change.objects.filter(object_type="enrollments.premise")
    assert recorded.filter(action="created").count() == 30
    updated = recorded.filter(action="updated")
    assert updated.count() == 23
    assert {tuple(c.changes["city"]) for c in updated} == {("Springfield", "Shelbyville")}
    assert len({c.object_id for c in updated}) == 23
    created = recorded.filter(action="created").order_by("natural_key")
    assert [c.natural_key for c in created] == [f"P{i:03d}" for i in range(30)]
    assert all(c.changes["city"] == [None, "Springfield"] and c.events == [] and c.counts == {} for c in created)
    assert [c.object_repr for c in created[:2]] == ["P000 0 Main St., Springfield", "P001 1 Main St., Springfield"]
    assert {c.object_id for c in created} == {str(pk) for pk in Premise.objects.values_list("pk", flat=True)}
