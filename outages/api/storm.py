"""Storm-scale customer lists read straight from the JSON body, without an object per customer (issue #25).

A notification of 1,000,000 customers is a 50 MB body; parsed whole, its customers are a million dicts (over 1 GB
with their validated copies). The JSON parser of the notification view lifts every ``customers`` array that is
*plainly valid* out of the body before ``json.loads`` and keeps it as a :class:`CompactCustomers` (a span of the
body's bytes and a count); the rest of the document is parsed as before. The span is then read by regular
expressions, in C, each time it is needed: written to the database (COPY rows), answered (the 200 echoes the list)
and logged (the message's text).

*Plainly valid* means every item is ``{"accountId": "...", "spId": "..."}`` in that order, both values printable
ASCII without a quote or a backslash (so no escape), at most 10 characters as sent, and at least one of the two not
blank once trimmed: exactly what the serializer accepts, for a subset of what it reads. Anything else (another key
order, a missing key, ``null``, a number, a long value, an escape, non-ASCII, a blank customer, another place in
the document) leaves the array in the body, for the ordinary parse and validation, with today's errors and paths.
The rule that decides is :data:`ARRAY`; ``tests/outages/test_storm.py`` holds the fast path to the ordinary one.
"""

import re
import uuid
from collections.abc import Iterator

from django.utils.http import parse_header_parameters
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer

from core.wire.parsers import WireJSONParser, check_charset, max_depth, parse_json_bytes, read_body
from outages.domain import Customer

_WS = rb"[ \t\n\r]*"  # JSON's whitespace (not \f nor \v, which \s would take)
_CHAR = rb"[ !#-\[\]-~]"  # printable ASCII but the quote and the backslash: no escape, nothing to escape anywhere
_SOLID = rb"[!#-\[\]-~]"
# A value of at most 10 characters; the group is the value trimmed (None when blank).
_VALUE = rb'"(?=' + _CHAR + rb'{0,10}") *(' + _SOLID + rb"(?:" + _CHAR + rb"*" + _SOLID + rb")?)? *\""
_SENT = rb'"(' + _CHAR + rb'{0,10})"'  # the same value as sent


def _item(value: bytes) -> bytes:
    account = rb'"accountId"' + _WS + b":" + _WS + value
    sp = rb'"spId"' + _WS + b":" + _WS + value
    return rb"\{" + _WS + account + _WS + b"," + _WS + sp + _WS + rb"\}"


_ITEM = _item(_VALUE)
ARRAY = re.compile(rb"\[" + _WS + _ITEM + _WS + rb"(?:," + _WS + _ITEM + _WS + rb")*+\]")
_START = re.compile(rb'"customers"' + _WS + b":" + _WS + rb"(?=\[)")
_BLANK = re.compile(_item(rb'" *"'))
_TRIMMED = re.compile(_WS + _ITEM + _WS + b",?")
_AS_SENT = re.compile(_WS + _item(_SENT) + _WS + b",?")
_ITEM_END = re.compile(rb'"' + _WS + rb"\}" + _WS + b",")
_CHUNK = 1 << 20  # bytes of the body read per block
# The list exactly as ``json.dumps`` writes it, no value to trim: the usual case, rewritten by ``bytes.replace``
# (every replaced sequence holds a quote, which no value holds).
_TRIM_FREE = rb'"(?:' + _SOLID + rb"(?:" + _CHAR + rb"{0,8}" + _SOLID + rb')?)?"'
_CANONICAL_ITEM = rb'\{"accountId": ' + _TRIM_FREE + rb', "spId": ' + _TRIM_FREE + rb"\}"
_CANONICAL = re.compile(rb"\[" + _CANONICAL_ITEM + rb"(?:, " + _CANONICAL_ITEM + rb")*+\]")
_CANONICAL_CUT = b'"}, {"'
_CANONICAL_BLANK = b'{"accountId": "", "spId": ""}'

MAX_CUSTOMERS = 1_000_000  # customers of a message (``serializers.MAX_CUSTOMERS``, the bound of the list)
MIN_DEPTH = 6  # the depth of a customer object in the document (root, list, message, information, list, item)


class CompactCustomers:
    """A validated ``customers`` array as a span of the request body: iterates as :class:`Customer` (trimmed),
    renders as JSON or COPY rows in blocks."""

    def __init__(self, raw: bytes, start: int, end: int, count: int, canonical: bool | None = None):
        self.body, self.start, self.end, self.count = raw, start, end, count
        self.canonical = _CANONICAL.fullmatch(raw, start, end) is not None if canonical is None else canonical

    def _canonical_blocks(self) -> Iterator[bytes]:
        """The items of a canonical list in blocks, each block ``{...}, ..., {...}`` (no separator around)."""
        position, stop = self.start + 1, self.end - 1
        while position < stop:
            cut = self.body.find(_CANONICAL_CUT, position + _CHUNK, stop) if position + _CHUNK < stop else -1
            end = stop if cut < 0 else cut + 2
            yield self.body[position:end]
            position = end + 2  # past ", "

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return f"<CompactCustomers {self.count} customers>"

    def __iter__(self) -> Iterator[Customer]:
        for match in _TRIMMED.finditer(self.body, self.start + 1, self.end - 1):
            account, sp = match.group(1, 2)
            yield Customer(account.decode() if account else "", sp.decode() if sp else "")

    def blocks(self, template: bytes, *, sent: bool = False) -> Iterator[bytes]:
        """Each customer as ``template`` (``\\1``: accountId, ``\\2``: spId; trimmed unless ``sent``), in blocks
        of whole customers."""
        pattern = _AS_SENT if sent else _TRIMMED
        position, stop = self.start + 1, self.end - 1
        while position < stop:
            cut = _ITEM_END.search(self.body, min(position + _CHUNK, stop), stop) if position + _CHUNK < stop else None
            end = cut.end() if cut else stop
            yield pattern.sub(template, self.body[position:end])
            position = end

    def copy_blocks(self, event_id: int) -> Iterator[bytes]:
        """COPY text rows ``event_id, accountId, spId`` (no value needs COPY's escapes)."""
        prefix = f"{event_id}\t".encode()
        if not self.canonical:
            yield from self.blocks(prefix + rb"\1" + b"\t" + rb"\2" + b"\n")
            return
        for block in self._canonical_blocks():
            yield (
                block.replace(b'{"accountId": "', prefix).replace(b'", "spId": "', b"\t").replace(b'"}, ', b"\n")[:-2]
                + b"\n"
            )

    def json(self, *, compact: bool = True, sent: bool = False) -> bytes:
        """The list as ``json.dumps`` writes it (DRF's compact separators, or the default ones)."""
        return b"".join(self.json_pieces(compact=compact, sent=sent))

    def json_pieces(self, *, compact: bool = True, sent: bool = False) -> list:
        """:meth:`json` in pieces (joined once with what surrounds them: one copy of the list, not three)."""
        if self.canonical and not compact:
            return [memoryview(self.body)[self.start : self.end]]  # as sent, which is as validated
        if self.canonical:
            pieces = [b"["]
            for block in self._canonical_blocks():
                pieces += [block.replace(b'": "', b'":"').replace(b'", "', b'","').replace(b'"}, {"', b'"},{"'), b","]
            pieces[-1] = b"]"
            return pieces
        if compact:
            item, separator = rb'{"accountId":"\1","spId":"\2"}', b","
        else:
            item, separator = rb'{"accountId": "\1", "spId": "\2"}', b", "
        pieces = [b"[", *self.blocks(item + separator, sent=sent)]
        pieces[-1] = pieces[-1][: -len(separator)]
        pieces.append(b"]")
        return pieces

    def dicts(self, *, sent: bool = False) -> list[dict]:
        """The list as dicts (the XML answer; small lists): trimmed as validated, or as sent."""
        pattern = _AS_SENT if sent else _TRIMMED
        return [
            {"accountId": (m[1] or b"").decode(), "spId": (m[2] or b"").decode()}
            for m in pattern.finditer(self.body, self.start + 1, self.end - 1)
        ]


def lift_customers(raw: bytes) -> tuple[bytes, dict[str, CompactCustomers]]:
    """The body with each plainly valid ``customers`` array replaced by a token (a string no sender can know),
    and the arrays by token."""
    nonce = uuid.uuid4().hex
    pieces, found, position = [], {}, 0
    for match in _START.finditer(raw):
        if match.start() < position:
            continue
        canonical = _CANONICAL.match(raw, match.end())  # a third of ARRAY's time, and implies it
        array = canonical or ARRAY.match(raw, match.end())
        if array is None:
            continue
        start, end = array.span()
        count = raw.count(b'"spId"', start, end)  # a key: no value holds a quote
        blank = raw.find(_CANONICAL_BLANK, start, end) >= 0 if canonical else _BLANK.search(raw, start, end)
        if count > MAX_CUSTOMERS or blank:
            continue  # the ordinary validation answers these
        token = f"{nonce}-{len(found)}"
        pieces += [raw[position:start], b'"' + token.encode() + b'"']
        found[token] = CompactCustomers(raw, start, end, count, canonical=canonical is not None)
        position = end
    if not found:
        return raw, {}
    pieces.append(raw[position:])
    return b"".join(pieces), found


def _place(data, found: dict[str, CompactCustomers]) -> bool:
    """Put each array back where its token was parsed; True when every one was at
    ``outageMessages[i].customerInformation.customers`` (nowhere else is a list of customers)."""
    placed = 0
    messages = data.get("outageMessages") if isinstance(data, dict) else None
    for message in messages if isinstance(messages, list) else ():
        info = message.get("customerInformation") if isinstance(message, dict) else None
        token = info.get("customers") if isinstance(info, dict) else None
        if isinstance(token, str) and token in found:
            info["customers"] = found[token]
            placed += 1
    return placed == len(found)


class NotificationsJSONParser(WireJSONParser):
    """:class:`~core.wire.parsers.WireJSONParser` (same rules, same errors) with the customer lists lifted out.

    When the body without its lists does not parse, or a list was somewhere else, the whole body is parsed the
    ordinary way: what is answered is then exactly what it was before."""

    def parse(self, stream, media_type=None, parser_context=None):
        _, params = parse_header_parameters(media_type or "")
        check_charset(params.get("charset"))
        encoding = params.get("charset") or "utf-8"
        raw = read_body(stream, parser_context or {})
        if max_depth() >= MIN_DEPTH:
            lifted, found = lift_customers(raw)
            if found:
                try:
                    data = parse_json_bytes(lifted, encoding)
                except (exceptions.ParseError, exceptions.ValidationError):
                    data = None
                del lifted
                if data is not None and _place(data, found):
                    return data
        return parse_json_bytes(raw, encoding)


def _tokens(data) -> tuple[object, dict[str, CompactCustomers]]:
    """``data`` with its compact lists as tokens (copies along their paths; the rest shared)."""
    found: dict[str, CompactCustomers] = {}
    messages = data.get("outageMessages") if isinstance(data, dict) else None
    if not isinstance(messages, list) or not any(_compact_of(m) is not None for m in messages):
        return data, found
    nonce = uuid.uuid4().hex
    copied = []
    for message in messages:
        compact = _compact_of(message)
        if compact is None:
            copied.append(message)
            continue
        token = f"{nonce}-{len(found)}"
        found[token] = compact
        info = {**message["customerInformation"], "customers": token}
        copied.append({**message, "customerInformation": info})
    return {**data, "outageMessages": copied}, found


def _compact_of(message) -> CompactCustomers | None:
    info = message.get("customerInformation") if isinstance(message, dict) else None
    customers = info.get("customers") if isinstance(info, dict) else None
    return customers if isinstance(customers, CompactCustomers) else None


def _splice(text: bytes, found: dict[str, CompactCustomers], **json_options) -> bytes:
    """``text`` with each token replaced by its list's JSON, joined once."""
    pieces, rest = [], text
    for token, compact in found.items():
        before, _, rest = rest.partition(b'"' + token.encode() + b'"')
        pieces += [before, *compact.json_pieces(**json_options)]
    pieces.append(rest)
    return b"".join(pieces)


def dumps_message(message: dict, dumps, *, sent: bool = False) -> str:
    """``dumps({"m": message})``'s text of one message whose customers may be compact (``json.dumps``'s default
    separators), validated (trimmed) or as ``sent``."""
    wrapped, found = _tokens({"outageMessages": [message]})
    text = dumps(wrapped["outageMessages"][0])
    if not found:
        return text
    return str(_splice(text.encode(), found, compact=False, sent=sent), "utf-8")


def materialized(data):
    """``data`` with every compact list as dicts (the XML renderer, an indented JSON answer)."""
    wrapped, found = _tokens(data)
    for message in wrapped.get("outageMessages", ()) if found else ():
        info = message.get("customerInformation") if isinstance(message, dict) else None
        if isinstance(info, dict) and info.get("customers") in found:
            info["customers"] = found[info["customers"]].dicts()
    return wrapped


class NotificationsJSONRenderer(JSONRenderer):
    """DRF's JSON renderer; a compact customer list is written from the body's bytes into the answer."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(materialized(data), accepted_media_type, renderer_context)
        tokenized, found = _tokens(data)
        text = super().render(tokenized, accepted_media_type, renderer_context)
        return _splice(text, found) if found else text
