"""Oracle Utilities XML: any request root, schema-aware parsing, response root named after the schema.

Arrays travel as their element repeated once per item (``<customers>..</customers><customers>..</customers>``),
so a parser cannot tell a one-item list from an object without the schema: it reads the endpoint's request
serializer to know which elements are lists, booleans and numbers.
"""

from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.encoding import force_str
from rest_framework import exceptions, serializers
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer

from .parsers import max_depth, read_body

XML_MEDIA_TYPE = "application/xml"


def _tag(element: Element) -> str:
    tag = element.tag
    return tag.split("}", 1)[1] if isinstance(tag, str) and tag.startswith("{") else tag


def _leaf(element: Element, field) -> object:
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
        return text
    return text if text.strip() else None


def _children_fields(field):
    if isinstance(field, serializers.ListSerializer):
        field = field.child
    if isinstance(field, serializers.Serializer):
        return field.fields
    if isinstance(field, serializers.DictField | serializers.JSONField):
        return {}
    return None


def element_to_data(element: Element, field=None):
    """Convert one element, guided by the serializer field that describes it (``None`` when unknown)."""
    children = list(element)
    fields = _children_fields(field)
    if not children:
        if fields is not None and (element.text or "").strip() == "":
            return {}
        return _leaf(element, field)
    grouped: dict[str, list[Element]] = {}
    for child in children:
        grouped.setdefault(_tag(child), []).append(child)
    data: dict[str, object] = {}
    for name, elements in grouped.items():
        sub = fields.get(name) if fields else None
        is_list = isinstance(sub, serializers.ListSerializer | serializers.ListField)
        child_field = sub.child if is_list else sub
        values = [element_to_data(e, child_field) for e in elements]
        data[name] = values if is_list or len(values) > 1 else values[0]
    return data


def check_depth(root: Element) -> None:
    """Refuse elements nested deeper than ``WIRE_MAX_DEPTH`` (checked iteratively, before any recursion)."""
    limit = max_depth()
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > limit:
            raise exceptions.ParseError(f"XML nested more than {limit} levels deep.")
        stack.extend((child, depth + 1) for child in element)


class OracleXMLParser(BaseParser):
    """Safe (no DTD, no entities, no external references) and schema-aware XML parser."""

    media_type = XML_MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        raw = read_body(stream, parser_context)
        if not raw or not raw.strip():
            raise exceptions.ParseError("XML body is empty.")
        try:
            root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except DefusedXmlException as exc:
            raise exceptions.ParseError(
                f"XML refused: {type(exc).__name__} (DTDs and entities are not accepted)."
            ) from None
        except (LookupError, UnicodeError) as exc:  # encoding="nope", or bytes that are not the declared encoding
            raise exceptions.ParseError(f"XML encoding refused: {force_str(exc)}") from None
        except (ParseError, ValueError) as exc:
            raise exceptions.ParseError(f"XML parse error: {force_str(exc)}") from None
        check_depth(root)
        view = parser_context.get("view")
        serializer = None
        if view is not None and hasattr(view, "get_request_serializer"):
            serializer = view.get_request_serializer()
        data = element_to_data(root, serializer)
        if not isinstance(data, dict):
            raise exceptions.ParseError("XML root element must contain child elements.")
        return data


class OracleXMLRenderer(BaseRenderer):
    """Renders the response root as the schema name the view (or the error handler) gives."""

    media_type = XML_MEDIA_TYPE
    format = "xml"
    charset = "utf-8"
    item_tag_name = "item"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        response = renderer_context.get("response")
        view = renderer_context.get("view")
        root = getattr(response, "xml_root", None) or getattr(view, "xml_root_name", None) or "root"
        element = Element(root)
        self._build(element, data)
        body = tostring(element, encoding="unicode", short_empty_elements=True)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")

    def _build(self, parent: Element, data) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                if value is None:
                    continue
                if isinstance(value, list | tuple):
                    for item in value:
                        child = Element(str(key))
                        self._build(child, item)
                        parent.append(child)
                else:
                    child = Element(str(key))
                    self._build(child, value)
                    parent.append(child)
        elif isinstance(data, list | tuple):
            for item in data:
                child = Element(self.item_tag_name)
                self._build(child, item)
                parent.append(child)
        elif isinstance(data, bool):
            parent.text = "true" if data else "false"
        else:
            parent.text = force_str(data)


__all__ = ["XML_MEDIA_TYPE", "OracleXMLParser", "OracleXMLRenderer", "element_to_data"]
