"""What a spreadsheet cell may hold: formula neutralising, escapes of what a file cannot hold, and the model field a
column's lookup ends on. Shared by the Python writers (``writers.py``) and the SQL of ``COPY`` (``copy_csv.py``)."""

import re

from django.core.exceptions import FieldDoesNotExist

# A cell beginning with one of these is read as a formula by spreadsheets (CSV injection); the full-width forms
# are folded to their ASCII twins by some spreadsheets (Excel with East Asian input, LibreOffice autocorrect).
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
# What a spreadsheet may skip before it reads a formula: whitespace, newlines, NBSP, BOM, zero-width spaces.
IGNORED_PREFIX = " \t\r\n\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" + (
    "\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
)


# What a file cannot hold, written as a visible escape (``\x07`` becomes the six characters ``\u0007``) rather than
# failing the whole export (issue 21, finding 6): a lone UTF-16 surrogate has no UTF-8 form, so no CSV or XLSX
# can hold one; an XLSX cell (XML 1.0) cannot hold C0 controls other than tab, LF and CR, nor U+FFFE and U+FFFF
# (openpyxl refuses them one cell at a time). JSON exports need nothing: ``json.dumps`` escapes all of these.
CSV_UNSAFE = re.compile("[\ud800-\udfff]")
XLSX_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def cell_text(text: str, unsafe: re.Pattern = CSV_UNSAFE) -> str:
    """Text as a spreadsheet cell: what the format cannot hold escaped (``\\uXXXX``), then formulas neutralised."""
    return neutralise(unsafe.sub(_escape, text))


def neutralise(text: str) -> str:
    """Prefix a formula-like cell with an apostrophe so a spreadsheet shows it as text (OWASP advice).

    Formula-like: its first character is a trigger, or its first character after leading whitespace, newlines,
    NBSP, BOM or zero-width characters is one (``" =1+1"``, ``"\\ufeff@SUM(A1)"``, ``"\\uff1d1+1"``).
    """
    if not text:
        return text
    if text[0] in FORMULA_TRIGGERS:
        return "'" + text
    if text[0] in IGNORED_PREFIX:
        rest = text.lstrip(IGNORED_PREFIX)
        if rest and rest[0] in FORMULA_TRIGGERS:
            return "'" + text
    return text


def final_field(model, lookup: str):
    """The model field a lookup ends on; for a relation, the related model's primary key."""
    current = model
    found = None
    for part in lookup.split("__"):
        try:
            found = current._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if found.is_relation and found.related_model is not None:
            current = found.related_model
    if found is not None and found.is_relation and found.related_model is not None:
        return found.related_model._meta.pk
    return found
