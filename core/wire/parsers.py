"""One input discipline for every family: bounded bodies, strict encodings, bounded nesting, no NUL, no lone
surrogates. What the database or Python cannot hold is refused here, at the door, with a 4xx in the family's
envelope — never a 500 later on a read.

- A body over ``WIRE_MAX_BODY_BYTES`` is a **413**, decided from ``Content-Length`` before anything is read (and,
  for a chunked body, after reading one byte past the limit, never the whole body).
- JSON must be UTF-8 (RFC 8259 §8.1): a ``charset`` other than UTF-8 (or its ASCII subset) in ``Content-Type``,
  known or not, is a **415** (``raw_unicode_escape`` would decode ``\\ud800`` into a lone surrogate itself, past
  the checks below); ``NaN``/``Infinity`` are refused; nesting deeper than ``WIRE_MAX_DEPTH`` is a 400 (far below
  Python's recursion limit, so no later ``json.dumps`` or serializer recursion can fail on stored data).
- A NUL or another C0 control character but tab, LF and CR anywhere in a JSON string or key (``\\u0000``,
  ``\\u0007``, ``\\b``) is refused: the one rule of ``core/text.py``, every family. A lone UTF-16 surrogate
  (``"\\ud800"``) is refused: it cannot be encoded as UTF-8.
- A number too large for a float (``1e309``, which Python would read as infinity) is a 400 naming its path, in
  every field of every family: infinity is no number a field, a database column or a JSON answer can hold.
"""

import codecs
import json
import math
import re

from django.conf import settings
from django.utils.http import parse_header_parameters
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser

from core.text import text_problem

OVERFLOW_MESSAGE = "Number too large: it must lie between -1.7976931348623157e308 and 1.7976931348623157e308."

DEFAULT_MAX_DEPTH = 64

# The JSON escapes of a UTF-16 surrogate and of a C0 control character (a raw one is a parse error): the only ways
# a lone surrogate or a control character can reach a Python string from JSON.
_CHECKED_ESCAPE = re.compile(r"\\(?:u[dD][89a-fA-F]|u00[01][0-9a-fA-F]|[bf])")


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "Request body too large."
    default_code = "too_large"


def max_body_bytes() -> int:
    return int(getattr(settings, "WIRE_MAX_BODY_BYTES", settings.DATA_UPLOAD_MAX_MEMORY_SIZE))


def max_depth() -> int:
    return int(getattr(settings, "WIRE_MAX_DEPTH", DEFAULT_MAX_DEPTH))


def check_declared_length(request) -> None:
    """413 when the request declares a body over the limit (nothing is read)."""
    limit = max_body_bytes()
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    try:
        if declared and int(declared) > limit:
            raise RequestTooLarge(f"Request body too large: {int(declared):,} bytes; the limit is {limit:,}.")
    except ValueError:
        raise exceptions.ParseError("Invalid Content-Length header.") from None


def read_body(stream, parser_context) -> bytes:
    """The raw body, refused with 413 above the limit without reading more than one byte past it."""
    limit = max_body_bytes()
    check_declared_length((parser_context or {}).get("request"))
    if stream is None:
        return b""
    raw = stream.read(limit + 1)
    if len(raw) > limit:
        raise RequestTooLarge(f"Request body too large: the limit is {limit:,} bytes.")
    return raw


def _refuse_constant(name: str):
    raise exceptions.ParseError(f"JSON parse error - {name} is not a valid JSON value.")


def _check_structure(data, *, check_text: bool, check_numbers: bool = False) -> None:
    """Walk containers iteratively: refuse nesting over the limit and (when asked) strings with a NUL or a lone
    surrogate and numbers that overflowed to infinity, naming the value's path
    (``outageMessages[0].customers[2].accountId``)."""
    limit = max_depth()
    stack = [(data, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict):
            if depth > limit:
                raise exceptions.ParseError(f"JSON nested more than {limit} levels deep.")
            for key, item in value.items():
                sub = f"{path}.{key}" if path else str(key)
                if check_text:
                    _check_text(key, sub)
                stack.append((item, depth + 1, sub))
        elif isinstance(value, list):
            if depth > limit:
                raise exceptions.ParseError(f"JSON nested more than {limit} levels deep.")
            stack.extend((item, depth + 1, f"{path}[{index}]") for index, item in enumerate(value))
        elif check_text and isinstance(value, str):
            _check_text(value, path)
        elif check_numbers and isinstance(value, float) and not math.isfinite(value):
            raise exceptions.ValidationError({path: [OVERFLOW_MESSAGE]} if path else [OVERFLOW_MESSAGE])


def _check_text(text: str, path: str) -> None:
    """A NUL, a control character or a lone surrogate is a 400 naming the field (as a validation error, so
    families list it)."""
    problem = text_problem(text)
    if problem:
        raise exceptions.ValidationError({path: [problem]} if path else [problem])


JSON_CHARSETS = {"utf-8", "ascii"}  # codecs' names: utf8, UTF-8, us-ascii... all land here


def check_charset(charset: str | None) -> None:
    """A 415 unless ``charset`` (a Content-Type parameter; None: absent) names UTF-8 or ASCII."""
    if charset is None:
        return
    try:
        name = codecs.lookup(charset).name
    except (LookupError, ValueError):
        name = None
    if name not in JSON_CHARSETS:
        shown = charset if len(charset) <= 40 else charset[:37] + "..."
        raise exceptions.UnsupportedMediaType(
            f"application/json; charset={shown}",
            detail=f'JSON must be UTF-8 (RFC 8259): charset "{shown}" is not accepted; send charset=utf-8 or none.',
        )


def parse_json_bytes(raw: bytes, encoding: str = "utf-8"):
    """Decode and parse a JSON body under the rules of this module (raise ParseError; 415 for a charset other
    than UTF-8)."""
    check_charset(encoding)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise exceptions.ParseError("JSON parse error - the body is not valid utf-8.") from None
    overflowed = False

    def parse_float(literal: str) -> float:  # called only for numbers with a fraction or an exponent
        nonlocal overflowed
        value = float(literal)
        if not math.isfinite(value):
            overflowed = True
        return value

    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=parse_float)
    except RecursionError:
        raise exceptions.ParseError(f"JSON nested more than {max_depth()} levels deep.") from None
    except ValueError as exc:
        raise exceptions.ParseError(f"JSON parse error - {exc}") from None
    # Cheap pre-checks on the text decide whether the walk is needed at all: only an escape can put a control
    # character or a surrogate in a string, and fewer brackets than the depth limit cannot nest deeper than it.
    check_text = _CHECKED_ESCAPE.search(text) is not None
    if check_text or overflowed or text.count("{") + text.count("[") > max_depth():
        _check_structure(data, check_text=check_text, check_numbers=overflowed)

    return data


class WireJSONParser(BaseParser):
    """JSON for every family and the analyst/auth endpoints (``REST_FRAMEWORK['DEFAULT_PARSER_CLASSES']``)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        # The charset as sent: Django keeps request.encoding at its default for a charset it cannot look up.
        _, params = parse_header_parameters(media_type or "")
        check_charset(params.get("charset"))
        parser_context = parser_context or {}
        return parse_json_bytes(read_body(stream, parser_context), params.get("charset") or "utf-8")
