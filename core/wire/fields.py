"""Strict serializer fields of the wire, written once: the Oracle Utilities family's (outages, contacts,
enrollments) and the webhooks API's (``core/changes/api.py``).

The rules, each stated once (docs/wire-families.md):

- **Strings are strings.** A JSON number or boolean is refused where the spec says string (DRF would turn ``12``
  into ``"12"``); XML text is always a string. A length limit applies to the value as sent.
- **NUL and other control characters are refused** (400, "Null characters are not allowed." / "Control
  characters ... are not allowed."), in every family: the one rule of ``core/text.py``.
- **Padded 4-character codes** (``"SMS "``, ``"C1PL"``) are matched trimmed (``"SMS"``, ``" SMS "`` and ``"SMS "`` are
  one code) and kept in the spec's own form, padding included, so that every stored and returned code is canonical.
- **Date-times** keep the sender's UTC offset and must lie between years 1 and 9999 both as sent and in UTC.
- **Numbers and booleans** are JSON numbers and booleans; in XML, their text.
"""

import math

from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from core.datetimes import OUT_OF_RANGE, within_storable_range
from core.text import NUL_MESSAGE, text_problem

__all__ = ["NUL_MESSAGE", "text_problem"]  # the one character rule, re-exported for the apps' wire code


def is_xml_request(field) -> bool:
    """True when the request being validated came as XML (where every leaf is text)."""
    root = field.root if field.root is not None else field
    request = (root.context or {}).get("request") if hasattr(root, "context") else None
    return request is not None and "xml" in (getattr(request, "content_type", "") or "")


class StrictCharField(serializers.CharField):
    """A string and only a string; NUL and control characters refused (``core/text.py``); ``max_length``
    applies to the value as sent (before trimming)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        problem = text_problem(data)
        if problem:
            raise serializers.ValidationError(problem, code="refused_character")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length, length=len(data))
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON number without fraction (not ``"12"``, not ``true``, not infinity); XML text is parsed as an
    integer."""

    def to_internal_value(self, data):
        if isinstance(data, str) and is_xml_request(self):
            return super().to_internal_value(data.strip())
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and (not math.isfinite(data) or data != int(data)):
            self.fail("invalid")
        return super().to_internal_value(int(data))


class WholeNumberField(StrictIntegerField):
    """A count the vendor's spec types as ``number`` (Oracle's ``impactedCustomers``, ``sequence``): published as
    a number with ``multipleOf: 1``; on the wire a whole number (``10`` or ``10.0``), a fraction refused (400)."""


class WholeNumberOutField(serializers.IntegerField):
    """The answer's side of :class:`WholeNumberField`: an integer, published as the spec's ``number``."""


class WholeNumberFieldExtension(OpenApiSerializerFieldExtension):
    target_class = WholeNumberField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "number", "multipleOf": 1}
        if self.target.min_value is not None:
            schema["minimum"] = self.target.min_value
        if self.target.max_value is not None:
            schema["maximum"] = self.target.max_value
        return schema


class WholeNumberOutFieldExtension(WholeNumberFieldExtension):
    target_class = WholeNumberOutField


class StrictFloatField(serializers.FloatField):
    """A JSON number (a string or boolean is refused); XML text is parsed as a number."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, str) and not is_xml_request(self)):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true``/``false`` only; in XML the text ``true`` or ``false`` (not 0, 1, yes...)."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and is_xml_request(self) and data.strip().lower() in ("true", "false"):
            return data.strip().lower() == "true"
        self.fail("invalid", input=data)


class CodeField(serializers.ChoiceField):
    """A spec code compared trimmed and always kept in the spec's own form (padding included).

    ``aliases`` maps other spellings the spec itself shows (the contact origin example's ``CCB``) to a code.
    """

    def __init__(self, *, choices, aliases: dict[str, str] | None = None, **kwargs):
        self.aliases = aliases or {}
        super().__init__(choices=choices, **kwargs)
        self._by_trimmed = {str(code).strip(): code for code in self.choices}

    def to_internal_value(self, data):
        if data == "" and self.allow_blank:
            return ""
        if isinstance(data, str) and len(data) <= 4 + 2 * 16:
            trimmed = data.strip()
            code = self._by_trimmed.get(trimmed) or self.aliases.get(trimmed)
            if code is not None:
                return code
        self.fail("invalid_choice", input=data)
        return None  # pragma: no cover - fail() raises

    def to_representation(self, value):
        return value


class CodeFieldExtension(OpenApiSerializerFieldExtension):
    """Document a code inline (no shared enum component: several apps have ``status`` enums)."""

    target_class = CodeField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        return {"type": "string", "enum": [str(code) for code in field.choices], "maxLength": 4}


class WireDateTimeField(serializers.DateTimeField):
    """ISO 8601 date-time that keeps the sender's UTC offset (``-08:00`` goes back out as ``-08:00``), bounded so
    that every stored value can be read back, converted and compared (years 1 to 9999, as sent and in UTC)."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def enforce_timezone(self, value):
        if timezone.is_aware(value):
            return value
        return super().enforce_timezone(value)

    def to_internal_value(self, value):
        result = super().to_internal_value(value)
        if not within_storable_range(result):
            self.fail("out_of_range")
        return result
