"""Cell values to model values: one converter per column, chosen once from the model field (as exports choose
theirs), and the field's own rules (length, choices, blank, validators) checked as ``full_clean`` checks them.

A converter takes what a reader gives (text from CSV; text, numbers, dates from XLSX; JSON values) and returns
the Python value, or raises ``ValueError`` with a sentence for the report.
"""

import itertools
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from django.core import validators as django_validators
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime

from ..lists.writers import neutralise
from ..text import text_problem


def cell_text(value, *, spreadsheet: bool) -> str:
    """A cell as the text it holds (a number or date a spreadsheet typed, as text; an export's protective
    apostrophe taken off): what a text column and a relation's key read."""
    if value.__class__ is str:  # the common case, first
        if spreadsheet and value[:1] == "'" and neutralise(value[1:]) == value:
            return value[1:]  # the apostrophe an export put before a formula-like cell
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError("text expected, got a boolean")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet turned "12345" into a number
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValueError(f"text expected, got {type(value).__name__}")
    if spreadsheet and value.startswith("'") and neutralise(value[1:]) == value:
        return value[1:]  # the apostrophe an export put before a formula-like cell
    return value


TRUE = {"true", "1", "yes", "y", "t"}
FALSE = {"false", "0", "no", "n", "f"}


def _bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"{str(value)[:40]!r} is not a boolean (true or false)")


def _int(value):
    if isinstance(value, bool):
        raise ValueError("a whole number expected, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(f"{value} is not a whole number")
    text = str(value).strip()
    if len(text) > 30 or not text.lstrip("+-").isdigit():
        raise ValueError(f"{text[:40]!r} is not a whole number")
    return int(text)


def _datetime(value):
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = str(value).strip()
    try:
        parsed = parse_datetime(text) if len(text) <= 40 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"{text[:40]!r} is not a date-time (ISO 8601, e.g. 2026-01-31T08:00:00Z)")
    if parsed.year < 2 or parsed.year > 9998:
        raise ValueError(f"{text[:40]!r} is outside the years this system stores")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        parsed = parse_date(text) if len(text) <= 20 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"{text[:40]!r} is not a date (YYYY-MM-DD)")
    return parsed


def _json(value, *, spreadsheet: bool):
    if isinstance(value, str):
        text = cell_text(value, spreadsheet=spreadsheet)
        try:
            return json.loads(text)
        except ValueError as exc:
            raise ValueError(f"not JSON ({exc})") from None
    return value


def _uuid(value):
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise ValueError(f"{str(value)[:40]!r} is not a UUID") from None


def _decimal(value):
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{str(value)[:40]!r} is not a number") from None


def converter(field: models.Field, *, spreadsheet: bool):
    """The converter of one model field; an empty cell is the field's empty value (``""``, ``None``) or, where
    the field has neither, is refused as missing."""
    if isinstance(field, models.CharField | models.TextField):
        return lambda v: cell_text(v, spreadsheet=spreadsheet)
    if isinstance(field, models.JSONField):
        convert = lambda v: _json(v, spreadsheet=spreadsheet)  # noqa: E731
    elif isinstance(field, models.BooleanField):
        convert = _bool
    elif isinstance(field, models.IntegerField | models.AutoField):
        convert = _int
    elif isinstance(field, models.DateTimeField):
        convert = _datetime
    elif isinstance(field, models.DateField):
        convert = _date
    elif isinstance(field, models.UUIDField):
        convert = _uuid
    elif isinstance(field, models.DecimalField | models.FloatField):
        convert = _decimal
    else:
        convert = lambda v: v  # noqa: E731

    def empty_or(value):
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.null or field.primary_key:  # an empty database id: a new record (where the spec allows it)
                return None
            raise ValueError("a value is required")
        return convert(value)

    return empty_or


def checker(field: models.Field):
    """The field's own rules, as ``Model.clean_fields`` runs them (``field.validate`` and its validators); text
    fields whose only validator is their length get the same rules inline (a million rows make it count)."""
    plain_text = isinstance(field, models.CharField | models.TextField) and all(
        isinstance(v, django_validators.MaxLengthValidator | django_validators.ProhibitNullCharactersValidator)
        for v in field.validators
    )
    if plain_text and not field.choices:
        limit = field.max_length
        blank = field.blank

        def check_text(value):
            if value == "" and not blank:
                raise ValueError("This field cannot be blank.")
            if limit is not None and len(value) > limit:
                raise ValueError(f"Ensure this value has at most {limit} characters (it has {len(value)}).")
            if problem := text_problem(value):  # the one character rule, as at the wire's doors
                raise ValueError(problem)

        return check_text

    def check(value):
        if value is None and field.null:
            return
        if problem := _strings_problem(value):
            raise ValueError(problem)
        try:
            field.validate(value, None)
            field.run_validators(value)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from None

    return check


def _strings_problem(value) -> str | None:
    """The one character rule (``core/text.py``) over a value's strings: text, or a JSON value's keys and leaves."""
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, dict):
        return next(filter(None, map(_strings_problem, itertools.chain(value, value.values()))), None)
    if isinstance(value, list):
        return next(filter(None, map(_strings_problem, value)), None)
    return None


def cell_reader(field: models.Field, *, spreadsheet: bool):
    """One function per column: the cell converted and checked (``converter`` then ``checker``). Plain text, the
    bulk of master data, is one call with the common case first."""
    convert, check = converter(field, spreadsheet=spreadsheet), checker(field)
    plain_text = isinstance(field, models.CharField | models.TextField) and not field.choices
    if not plain_text or any(
        not isinstance(v, django_validators.MaxLengthValidator | django_validators.ProhibitNullCharactersValidator)
        for v in field.validators
    ):

        def read(cell):
            value = convert(cell)
            check(value)
            return value

        return read
    limit = field.max_length or 1 << 62
    blank = field.blank

    def read_text(cell):
        # isprintable(): no control character, no surrogate (nor a tab, a newline or a non-ASCII space: checked below)
        if cell.__class__ is str and (blank or cell) and len(cell) <= limit and cell[:1] != "'" and cell.isprintable():
            return cell
        value = convert(cell)
        check(value)
        return value

    return read_text
