"""Issue 21, finding 7 (imports) and the Low list: the one character rule (``core/text.py``) holds in import files
as on the wire. A control character (an XLSX cell ``&#x1;`` was a 500, on upload too), a NUL, or a lone surrogate (a
JSON import stored it as ``?``) is a clear row error naming the line and the column: through the engine, the admin's
import page and ``manage.py import_records``, on SQLite and PostgreSQL (whose set-based CSV path too)."""

import io
import json
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from core.imports import specs
from core.imports.engine import run_import
from core.imports.models import ImportJob
from core.text import CONTROL_MESSAGE, NUL_MESSAGE, SURROGATE_MESSAGE
from enrollments.models import Premise

pytestmark = pytest.mark.django_db
MARK = "BELLMARK"


def _xlsx_with(reference: bytes) -> bytes:
    """A premises workbook whose third row's city holds ``reference`` (an XML character reference such as
    ``&#x1;``), in the shared-string table or inline in the sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (["cis_premise_id", "city"], ["P-1", "One"], ["P-2", f"a{MARK}b"], ["P-3", "Three"]):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source, zipfile.ZipFile(rebuilt, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            data = data.replace(MARK.encode(), reference)
            target.writestr(item, data)
    return rebuilt.getvalue()


def _inline_xlsx(reference: bytes) -> bytes:
    """The same workbook with the city as an inline string in the sheet (no shared-string table entry)."""
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>cis_premise_id</t></is></c>'
        b'<c r="B1" t="inlineStr"><is><t>city</t></is></c></row>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>P-1</t></is></c>'
        b'<c r="B2" t="inlineStr"><is><t>One</t></is></c></row>'
        b'<row r="3"><c r="A3" t="inlineStr"><is><t>P-2</t></is></c>'
        b'<c r="B3" t="inlineStr"><is><t>a' + reference + b"b</t></is></c></row>"
        b'<row r="4"><c r="A4" t="inlineStr"><is><t>P-3</t></is></c><c r="B4" t="inlineStr"><is><t>Three</t></is></c>'
        b"</row></sheetData></worksheet>"
    )
    template = _xlsx_with(b"x")
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source, zipfile.ZipFile(rebuilt, "w") as target:
        for item in source.infolist():
            data = body if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item, data)
    return rebuilt.getvalue()


def _import(content: bytes, fmt: str, **options):
    return run_import(specs.get_spec("enrollments.Premise"), io.BytesIO(content), fmt=fmt, **options)


def _only_refusal(report, message: str) -> None:
    assert not report.file_error, report.file_error
    assert [(r.line, r.column) for r in report.refusals] == [(3, "city")], report.as_dict()
    assert message in report.refusals[0].reason


XLSX_CASES = {
    "control reference, shared string": (_xlsx_with, b"&#x1;", CONTROL_MESSAGE),
    "decimal reference, shared string": (_xlsx_with, b"&#7;", CONTROL_MESSAGE),
    "NUL reference, shared string": (_xlsx_with, b"&#0;", NUL_MESSAGE),
    "surrogate reference, shared string": (_xlsx_with, b"&#xD800;", SURROGATE_MESSAGE),
    "raw control byte, shared string": (_xlsx_with, b"\x1b", CONTROL_MESSAGE),
    "control reference, inline": (_inline_xlsx, b"&#x01;", CONTROL_MESSAGE),
}


@pytest.mark.parametrize("case", sorted(XLSX_CASES))
def test_an_xlsx_cell_xml_cannot_carry_is_a_row_error(case):
    build, reference, message = XLSX_CASES[case]
    report = _import(build(reference), "xlsx", apply_valid=True)
    _only_refusal(report, message)
    assert set(Premise.objects.values_list("cis_premise_id", flat=True)) == {"P-1", "P-3"}


def test_legal_character_references_are_read_as_before():
    report = _import(_xlsx_with(b"&#x41;&#9;&#xE9;"), "xlsx")
    assert not report.refused and Premise.objects.get(cis_premise_id="P-2").city == "aA\téb"


@pytest.mark.parametrize(
    ("fmt", "content", "message"),
    [
        ("json", '[{"cis_premise_id": "P-1"}, {"cis_premise_id": "P-2", "city": "a\\ud800b"}]', SURROGATE_MESSAGE),
        ("jsonl", '{"cis_premise_id": "P-1"}\n{"cis_premise_id": "P-2", "city": "a\\udfffb"}\n', SURROGATE_MESSAGE),
        ("json", '[{"cis_premise_id": "P-1"}, {"cis_premise_id": "P-2", "city": "bell\\u0007"}]', CONTROL_MESSAGE),
        ("csv", "cis_premise_id,city\nP-1,One\nP-2,bell\x07\n", CONTROL_MESSAGE),
        ("csv", "cis_premise_id,city\nP-1,One\nP-2,esc\x1b[31m\n", CONTROL_MESSAGE),
    ],
)
def test_a_lone_surrogate_or_a_control_character_is_a_row_error(fmt, content, message):
    report = _import(content.encode(), fmt, apply_valid=True)
    line = 3 if fmt == "csv" else 2
    assert [(r.line, r.column) for r in report.refusals] == [(line, "city")], report.as_dict()
    assert message in report.refusals[0].reason
    assert list(Premise.objects.values_list("cis_premise_id", "city")) == [("P-1", "One" if fmt == "csv" else "")]


def test_tab_and_newline_stay_allowed_in_text():
    report = _import(b'cis_premise_id,city\nP-1,"two\nlines\tand a tab"\n', "csv")
    assert not report.refused and Premise.objects.get().city == "two\nlines\tand a tab"


def test_the_admin_upload_answers_the_row_error_not_a_500(
    client, django_user_model, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": tmp_path}},
    }
    user = django_user_model.objects.create_user("op", "op@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="operator"))
    client.force_login(user)
    upload = SimpleUploadedFile("premises.xlsx", _xlsx_with(b"&#x1;"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:enrollments_premise_import"), {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<td>3</td><td>city</td>" in page.content.decode() and "Control characters" in page.content.decode()
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and job.dry_run_report["refused"] == 1


def test_the_command_reports_the_row_error(tmp_path):
    path = tmp_path / "premises.json"
    path.write_text(json.dumps([{"cis_premise_id": "P-1"}, {"cis_premise_id": "P-2", "city": "\ud800"}]))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 rows refused"):
        call_command("import_records", "enrollments.Premise", str(path), "--no-progress", stdout=out)
    assert "line 2, column city" in out.getvalue() and "surrogate" in out.getvalue()
    assert not Premise.objects.exists()
    xlsx = tmp_path / "premises.xlsx"
    xlsx.write_bytes(_xlsx_with(b"&#x1;"))
    with pytest.raises(CommandError, match="1 rows refused"):
        call_command("import_records", "enrollments.Premise", str(xlsx), "--no-progress", stdout=out)
    assert "line 3, column city" in out.getvalue()


class _Trickle(io.RawIOBase):
    """A stream that hands out a few bytes at a time: every escape gets cut somewhere."""

    def __init__(self, data: bytes, step: int):
        self._data, self._step = data, step

    def readable(self):
        return True

    def readinto(self, buffer):
        size = min(len(buffer), self._step, len(self._data))
        buffer[:size], self._data = self._data[:size], self._data[size:]
        return size


@given(
    st.lists(
        st.one_of(st.text(max_size=8), st.sampled_from(["\ud800", "\udfff", "\\", "\\u", "\U0001f600", "\x07"])),
        max_size=12,
    ),
    st.integers(min_value=1, max_value=17),
)
@settings(max_examples=200, deadline=None)
def test_the_json_stream_keeps_every_string_but_a_lone_surrogate(parts, step):
    from core.imports.readers import _LONE_SURROGATE, _JSONStream, _restore_surrogates, _surrogate_stand_in

    document = json.dumps(parts).encode()  # ensure_ascii: every surrogate and non-ASCII character is an escape
    found, whole = [], []
    filtered = io.BufferedReader(_JSONStream(_Trickle(document, step), found)).read()
    assert filtered == _LONE_SURROGATE.sub(lambda m: _surrogate_stand_in(m, whole), document)
    restored = _restore_surrogates(json.loads(filtered))
    lone = ["\ud800" if part in ("\ud800", "\udfff") else part for part in parts]
    assert restored == lone and bool(found) == any(p in ("\ud800", "\udfff") for p in parts)


@given(st.binary(max_size=40), st.integers(min_value=1, max_value=19))
@settings(max_examples=200, deadline=None)
def test_the_xml_stream_changes_only_what_xml_cannot_carry(data, step):
    from core.imports.readers import _XML_ILLEGAL, _stand_in, _XMLPart

    found, whole = [], []
    document = b"<a>" + data + b"&#x41;&#7;&#xd800;</a>"
    filtered = io.BufferedReader(_XMLPart(_Trickle(document, step), found)).read()
    assert filtered == _XML_ILLEGAL.sub(lambda m: _stand_in(m, whole), document)  # however the reads cut it
    assert b"&#x41;" in filtered and b"&#7;" not in filtered and found[-2:] == [7, 0xD800]
