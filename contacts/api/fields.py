"""Serializer fields for the Oracle Utilities 4-character codes."""

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers


class CodeField(serializers.ChoiceField):
    """A spec code compared trimmed (``"SMS"``, ``" SMS "`` and ``"SMS "`` are one code), always kept in the
    spec's own form (``"SMS "``, padding included). ``aliases`` maps other spellings the spec itself shows
    (its origin example is ``CCB``) to a code.
    """

    def __init__(self, *, choices, aliases: dict[str, str] | None = None, **kwargs):
        self.aliases = aliases or {}
        super().__init__(choices=choices, **kwargs)
        self._by_trimmed = {str(code).strip(): code for code in self.choices}

    def to_internal_value(self, data):
        if isinstance(data, str):
            trimmed = data.strip()
            code = self._by_trimmed.get(trimmed) or self.aliases.get(trimmed)
            if code is not None:
                return code
        self.fail("invalid_choice", input=data)
        return None  # pragma: no cover - fail() raises


class CodeFieldExtension(OpenApiSerializerFieldExtension):
    """Document a code inline (no shared enum component: other apps have ``status`` enums too)."""

    target_class = CodeField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        return {"type": "string", "enum": [str(code) for code in field.choices], "maxLength": 4}


class StrictCharField(serializers.CharField):
    """A string and only a string: DRF's CharField would turn ``0`` or ``true`` into text, which the spec's
    string fields do not accept. NUL characters are dropped (PostgreSQL text cannot hold them)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data.replace("\x00", ""))


class DeliveryValueField(StrictCharField):
    """``deliveryValue``: validated against the channel by the service (an e-mail for EMAI, a phone for the rest).

    Its 254-character limit is checked here rather than declared as ``max_length`` (see the extension below).
    """

    limit = 254
    default_error_messages = {"too_long": "Ensure this field has no more than {limit} characters."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if len(value) > self.limit:
            self.fail("too_long", limit=self.limit)
        return value


class DeliveryValueFieldExtension(OpenApiSerializerFieldExtension):
    """Documented with an example and its limit in words, not as ``maxLength``: whether a value fits depends on
    ``deliveryChannel`` (and on the stored channel), which a schema cannot say, and a schema-driven generator
    would otherwise take any 254-character string for valid."""

    target_class = DeliveryValueField

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "example": "+14155552671"}
