"""XML on the wire, built on djangorestframework-xml (``rest_framework_xml``): its ``XMLParser`` and
``XMLRenderer``, subclassed for the Oracle Utilities family and the analyst API.

What the library does: its parser reads a body with defusedxml (no DTD) into dicts, lists (children named
``list-item``) and values whose type it guesses (``"007"`` becomes the integer 7, ``"1.50"`` a Decimal, a
``YYYY-MM-DD HH:MM:SS`` text a datetime); its renderer writes a ``<root>`` element with Django's
``SimplerXMLGenerator``, a list's items as ``<list-item>`` and ``None`` as an empty element.

What the subclasses change (docs/wire-families.md, "XML rules"):

- **No type guessing**: ``_type_convert`` keeps every value as the text sent, so codes and leading zeros survive
  (``<accountId>007</accountId>`` is ``"007"``). The only conversions are the ones the endpoint's request
  serializer asks for (a boolean field reads ``true``/``false``, a number field a number), never a guess.
- **The input discipline of** ``core/wire/parsers.py``: the body limit (413), defusedxml with DTDs, entities and
  external references all refused (400), the nesting limit ``WIRE_MAX_DEPTH`` and the character rule of
  ``core/text.py`` (NUL, C0 controls, lone surrogates) on every text, naming its path.
- **Oracle shapes**: any request root; an array is its element repeated once per item
  (``<customers>..</customers><customers>..</customers>``), so the parser reads the endpoint's request serializer
  to know which elements are lists; the response root is the spec's response schema name (``C1OutEvtsUpd``,
  ``problemDetailDocument``...), a ``None`` is left out and a boolean is ``true``/``false``.
- **What XML 1.0 cannot hold** in an answer (a control character or lone surrogate stored before the rules) is
  written as a visible ``\\uXXXX`` escape, as the exports do, instead of failing the whole answer.
"""

import re
from io import StringIO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.encoding import force_str
from django.utils.xmlutils import SimplerXMLGenerator
from rest_framework import exceptions, serializers
from rest_framework_xml.parsers import XMLParser
from rest_framework_xml.renderers import XMLRenderer

from core.text import text_problem

from .parsers import max_depth, read_body

XML_MEDIA_TYPE = "application/xml"

# What an XML 1.0 document cannot carry (the characters the XLSX exports escape too, core/lists/writers.py).
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value) -> str:
    """A value as XML text: what XML 1.0 cannot hold written as a visible ``\\uXXXX`` escape."""
    return XML_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", force_str(value))


def _tag(element: Element) -> str:
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and tag.startswith("{") else tag


def parse_root(raw: bytes) -> Element:
    """The root element of a body, parsed by defusedxml with DTDs, entities and external references refused;
    every failure is a ParseError (400)."""
    if not raw or not raw.strip():
        raise exceptions.ParseError("XML body is empty.")
    try:
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        refused = f"XML refused: {type(exc).__name__} (DTDs and entities are not accepted)."
        raise exceptions.ParseError(refused) from None
    except (LookupError, UnicodeError) as exc:  # encoding="nope", or bytes that are not the declared encoding
        raise exceptions.ParseError(f"XML encoding refused: {force_str(exc)}") from None
    except (ParseError, ValueError) as exc:
        raise exceptions.ParseError(f"XML parse error: {force_str(exc)}") from None


def check_tree(root: Element) -> None:
    """Refuse elements nested deeper than ``WIRE_MAX_DEPTH`` and text the character rule of ``core/text.py``
    refuses (a 400 naming the element's path, ``outageMessages.customers.accountId``). Iterative, before any
    recursion. (expat already refuses NUL and control characters; this holds whatever parser is underneath.)"""
    limit = max_depth()
    stack = [(root, 1, "")]
    while stack:
        element, depth, path = stack.pop()
        if depth > limit:
            raise exceptions.ParseError(f"XML nested more than {limit} levels deep.")
        for text in (element.text, *element.attrib.values()):
            problem = text_problem(text) if text else None
            if problem:
                raise exceptions.ValidationError({path: [problem]} if path else [problem])
        for child in element:
            name = _tag(child)
            stack.append((child, depth + 1, f"{path}.{name}" if path else name))


class OracleXMLParser(XMLParser):
    """djangorestframework-xml's parser without type guessing, under the wire's input discipline, and
    schema-aware: it follows the endpoint's request serializer (``view.get_request_serializer()``)."""

    media_type = XML_MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        root = parse_root(read_body(stream, parser_context))
        check_tree(root)
        view = parser_context.get("view")
        serializer = view.get_request_serializer() if hasattr(view, "get_request_serializer") else None
        data = self._xml_convert(root, serializer)
        if not isinstance(data, dict):
            raise exceptions.ParseError("XML root element must contain child elements.")
        return data

    def _xml_convert(self, element, field=None):
        """Convert one element, guided by the serializer field that describes it (``None`` when unknown).
        Repeated children are a list; a single one is a list when its field is one."""
        children = list(element)
        fields = _children_fields(field)
        if not children:
            if fields is not None and (element.text or "").strip() == "":
                return {}
            return self._leaf(element, field)
        grouped: dict[str, list[Element]] = {}
        for child in children:
            grouped.setdefault(_tag(child), []).append(child)
        data: dict[str, object] = {}
        for name, elements in grouped.items():
            sub = fields.get(name) if fields else None
            is_list = isinstance(sub, serializers.ListSerializer | serializers.ListField)
            child_field = sub.child if is_list else sub
            values = [self._xml_convert(e, child_field) for e in elements]
            data[name] = values if is_list or len(values) > 1 else values[0]
        return data

    def _type_convert(self, value):
        """No guessing: the text as sent (``"007"`` stays ``"007"``, ``"1.50"`` stays ``"1.50"``)."""
        return value

    def _leaf(self, element: Element, field) -> object:
        text = element.text or ""
        if isinstance(field, serializers.BooleanField | serializers.IntegerField | serializers.FloatField):
            if text.strip() == "":
                return None
            try:
                return field.to_internal_value(text.strip())
            except serializers.ValidationError:
                return text  # validation reports it with the field's path
        if isinstance(field, serializers.DecimalField):
            return text.strip() or None
        if isinstance(field, serializers.CharField | serializers.ChoiceField) or field is None:
            return self._type_convert(text)
        return self._type_convert(text) if text.strip() else None


def _children_fields(field):
    if isinstance(field, serializers.ListSerializer):
        field = field.child
    if isinstance(field, serializers.Serializer):
        return field.fields
    if isinstance(field, serializers.DictField | serializers.JSONField):
        return {}
    return None


class SafeXMLRenderer(XMLRenderer):
    """djangorestframework-xml's renderer: ``None`` left out, booleans ``true``/``false``, what XML cannot hold
    escaped, empty elements short (``<a/>``), bytes in UTF-8. The root is ``root_tag_name``."""

    def root_name(self, renderer_context: dict) -> str:
        return self.root_tag_name

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        root = self.root_name(renderer_context or {})
        stream = StringIO()
        xml = SimplerXMLGenerator(stream, self.charset, short_empty_elements=True)
        xml.startDocument()
        xml.startElement(root, {})
        self._to_xml(xml, data)
        xml.endElement(root)
        xml.endDocument()
        return stream.getvalue().encode(self.charset)

    def _to_xml(self, xml, data):
        if isinstance(data, dict):
            for key, value in data.items():
                if value is not None:
                    self._element(xml, str(key), value)
        elif isinstance(data, list | tuple):
            for item in data:
                self._element(xml, self.item_tag_name, item)
        elif isinstance(data, bool):
            xml.characters("true" if data else "false")
        elif data is not None:
            xml.characters(xml_text(data))

    def _element(self, xml, name: str, value) -> None:
        xml.startElement(name, {})
        self._to_xml(xml, value)
        xml.endElement(name)


class OracleXMLRenderer(SafeXMLRenderer):
    """The Oracle Utilities answer: the root is the response schema name the view (``xml_root_name``) or the
    error handler (``response.xml_root``) gives; an array is its element repeated once per item."""

    item_tag_name = "item"  # a list directly inside a list (no Oracle schema has one)

    def root_name(self, renderer_context: dict) -> str:
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        return getattr(response, "xml_root", None) or getattr(view, "xml_root_name", None) or self.root_tag_name

    def _to_xml(self, xml, data):
        if isinstance(data, dict):
            for key, value in data.items():
                for item in value if isinstance(value, list | tuple) else [value]:
                    if item is not None:
                        self._element(xml, str(key), item)
        else:
            super()._to_xml(xml, data)


__all__ = ["XML_MEDIA_TYPE", "OracleXMLParser", "OracleXMLRenderer", "SafeXMLRenderer", "check_tree", "parse_root"]
