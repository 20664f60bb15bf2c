"""The hostile values, and how each goes into a JSON body, an XML body, a query string or a path.

A value is a Python object (str, int, float, list, dict, None) or :class:`Raw`: bytes put into a JSON document
verbatim (``1e309``, a raw lone surrogate, ``NaN``). Strings are JSON-escaped, so ``"\\ud800"`` travels as the
escape ``\\ud800``; :data:`RAW_SURROGATE` sends the bytes themselves.
"""

import json
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Raw:
    token: bytes


CATASTROPHIC = "((([a-z0-9]{0,5}){0,5}){0,5}){0,8}zq"
RAW_SURROGATE = Raw(b'"\xed\xa0\x80x"')  # a lone surrogate as (invalid) UTF-8 bytes

# (name, value): put into every field the corpus reaches.
VALUES: list[tuple[str, object]] = [
    ("empty string", ""),
    ("whitespace", " \t "),
    ("oversized 100k", "A" * 100_000),
    ("NUL", "a\x00b"),
    ("control characters", "bell\x07\x1b[31mx\x0b\x0c\x1f"),
    ("lone surrogate escape", "x\ud800y"),
    ("lone low surrogate escape", "\udc00"),
    ("lone surrogate raw bytes", RAW_SURROGATE),
    ("right-to-left override", "abc\u202edef"),
    ("astral", "\U0001f4a9\U00010000"),
    ("year 1", "0001-01-01T00:00:00Z"),
    ("year 9999", "9999-12-31T23:59:59Z"),
    ("year 10000", "10000-01-01T00:00:00Z"),
    ("date offset +25h", "2025-02-06T02:00:00+25:00"),
    ("1e309", Raw(b"1e309")),
    ("-1e309", Raw(b"-1e309")),
    ("NaN", Raw(b"NaN")),
    ("huge integer", 10**40),
    ("int64 overflow", 2**63),
    ("negative", -1),
    ("zero", 0),
    ("float", 1.5),
    ("true", True),
    ("null", None),
    ("empty array", []),
    ("empty object", {}),
    ("array of strings", ["a", "b"]),
    ("object", {"a": {"b": 1}}),
    ("SQL quote", "' OR 1=1 --"),
    ("SQL comment", "1; DROP TABLE auth_user; --"),
    ("LIKE wildcards", "%_%\\"),
    ("regex metacharacters", ".*[(\\"),
    ("catastrophic regex", CATASTROPHIC),
    ("ReDoS classic", "(a+)+$"),
    ("path traversal", "../../../../etc/passwd"),
    ("encoded traversal", "..%2f..%2f..%2fetc%2fpasswd"),
    ("HTML", "<script>alert(1)</script>"),
    ("spreadsheet formula", '=HYPERLINK("http://x","y")'),
    ("CRLF", "a\r\nSet-Cookie: x=1"),
    ("template", "{{7*7}}${7*7}%s%n"),
    ("unicode digits", "١٢٣"),
    ("BOM", "\ufeffx"),
]

# Sentences of the criteria language (BMC policies, the preview, webhook filters): the regex ones must be bounded.
CRITERIA = [
    f"msg matches '{CATASTROPHIC}'",
    f"( msg matches '{CATASTROPHIC}' ) OR ( class matches '{CATASTROPHIC}' )",
    "msg matches '(a+)+$'",
    "msg matches '" + "(" * 50 + "a" + ")" * 50 + "'",
    "msg contains '" + "x" * 10_000 + "'",
    "class equals 'a\x00b'",
    "class equals 'a\x07b'",
    "( " * 500 + "class equals 'A'" + " )" * 500,
    "class in (" + ", ".join(f"'c{i}'" for i in range(5000)) + ")",
    "severity > 'MAJOR' AND",
    "msg matches '\\\\'",
]

# Webhook targets and hub callbacks: every one must be refused (or, if stored, never reached: a dead proxy).
SSRF_TARGETS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:6379/",
    "http://localhost/",
    "http://localhost.:8000/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:a00:1::]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://127.0.0.1.nip.io/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.0.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://127.0.0.1\\@93.184.216.34/",
    "http://93.184.216.34\\@127.0.0.1/",
    "http://user:pass@127.0.0.1/",
    "http://93.184.216.34@127.0.0.1/",
    "http://93.184.216.34:22/",
    "http://93.184.216.34:6379/",
    "http://93.184.216.34:0/",
    "http://93.184.216.34:99999/",
    "https://example.com:25/",
    "gopher://127.0.0.1:6379/_INFO",
    "file:///etc/passwd",
    "dict://127.0.0.1:11211/",
    "ftp://127.0.0.1/",
    "http:///etc/passwd",
    "http://" + "a" * 300 + ".example.com/",
    "http://exa\x00mple.com/",
    "http://exa mple.com/",
    "http://\u0440\u0430\u0443pal.com/",
    "//127.0.0.1/",
    "http://127.0.0.1#@example.com/",
    "http://example.com%2F@127.0.0.1/",
    "javascript:alert(1)",
    "",
]


def _default(obj):
    raise TypeError(obj)


def encode_json(value, *, sort_keys: bool = False) -> bytes:
    """JSON bytes, with every :class:`Raw` put in verbatim."""
    raws: list[bytes] = []

    def swap(node):
        if isinstance(node, Raw):
            raws.append(node.token)
            return f"\x00RAW{len(raws) - 1}\x00"
        if isinstance(node, dict):
            return {k: swap(v) for k, v in node.items()}
        if isinstance(node, list):
            return [swap(v) for v in node]
        return node

    text = json.dumps(swap(value), ensure_ascii=True, sort_keys=sort_keys, default=_default)
    data = text.encode("ascii")
    for i, token in enumerate(raws):
        data = data.replace(f'"\\u0000RAW{i}\\u0000"'.encode(), token)
    return data


def as_text(value) -> str:
    """The value as a query-string or form text (a JSON text for containers)."""
    if isinstance(value, Raw):
        return value.token.decode("utf-8", "surrogateescape").strip('"')
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def quoted(value) -> str:
    """Percent-encoded for a path segment or a query value (lone surrogates as their UTF-8 bytes)."""
    return quote(as_text(value).encode("utf-8", "surrogatepass"), safe="")


def xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_xml(value, tag: str = "root") -> str:
    """A naive XML rendering of a JSON value (lists repeat the element); enough for a hostile body."""
    if isinstance(value, dict):
        return f"<{tag}>" + "".join(to_xml(v, k if k.isidentifier() else "x") for k, v in value.items()) + f"</{tag}>"
    if isinstance(value, list):
        return "".join(to_xml(v, tag) for v in value) or f"<{tag}/>"
    return f"<{tag}>{xml_escape(as_text(value))}</{tag}>"


XML_BODIES: dict[str, bytes] = {
    "XXE file": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><a>&x;</a></r>',
    "XXE http": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><r><a>&x;</a></r>',
    "external DTD": b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>',
    "parameter entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><r/>',
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8))
        + b"]><r><a>&i;</a></r>"
    ),
    "XInclude": b'<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd"/></r>',
    "nested 1,000 deep": b"<r>" + b"<a>" * 1000 + b"</a>" * 1000 + b"</r>",
    "NUL reference": b"<r><a>&#0;</a></r>",
    "control reference": b"<r><a>&#x1;</a></r>",
    "surrogate reference": b"<r><a>&#xD800;</a></r>",
    "unknown encoding": b'<?xml version="1.0" encoding="nope"?><r><a>1</a></r>',
    "UTF-16 declared, UTF-8 sent": b'<?xml version="1.0" encoding="UTF-16"?><r><a>1</a></r>',
    "invalid UTF-8": b"<r><a>\xff\xfe</a></r>",
    "truncated": b"<r><a>1</a>",
    "processing instruction": b'<?xml version="1.0"?><?xml-stylesheet href="file:///etc/passwd"?><r/>',
    "CDATA": b"<r><a><![CDATA[\x07]]></a></r>",
    "huge attribute": b'<r a="' + b"x" * 1_000_000 + b'"/>',
    "many attributes": b"<r " + b" ".join(f'a{i}="1"'.encode() for i in range(10_000)) + b"/>",
}

# Whole-body hostility for a JSON endpoint: (name, body bytes, content type or None for the endpoint's own).
JSON_BODIES: list[tuple[str, bytes, str | None]] = [
    ("array nested 1,000 deep", b"[" * 1000 + b"]" * 1000, None),
    ("object nested 1,000 deep", b'{"a":' * 1000 + b"1" + b"}" * 1000, None),
    ("array nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, None),
    ("scalar", b"12", None),
    ("null", b"null", None),
    ("string", b'"x"', None),
    ("empty body", b"", None),
    ("truncated", b'{"a": [1, 2', None),
    ("invalid UTF-8", b'{"a": "\xff\xfe"}', None),
    ("UTF-8 BOM", b'\xef\xbb\xbf{"a": 1}', None),
    ("UTF-16 body", '{"a": 1}'.encode("utf-16"), None),
    ("huge number literal", b'{"a": 1' + b"0" * 100_000 + b"}", None),
    ("deep float exponent", b'{"a": 1e99999999999}', None),
    ("charset raw_unicode_escape", b'{"a": "\\ud800\xed\xa0\x80"}', "application/json; charset=raw_unicode_escape"),
    ("charset unicode_escape", b'{"a": "\\x00\\ud800"}', "application/json; charset=unicode_escape"),
    ("charset utf-16 mismatch", b'{"a": 1}', "application/json; charset=utf-16"),
    ("charset unknown", b'{"a": 1}', "application/json; charset=nope-42"),
    ("charset rot13", b'{"a": 1}', "application/json; charset=rot13"),
    ("charset zlib", b'{"a": 1}', "application/json; charset=zlib"),
    ("charset latin-1 with high bytes", b'{"a": "\xe9"}', "application/json; charset=latin-1"),
    ("charset empty", b'{"a": 1}', "application/json; charset="),
    ("content type text/plain", b'{"a": 1}', "text/plain"),
    ("content type multipart no boundary", b"--x\r\n", "multipart/form-data"),
    ("content type form", b"a=1&a=2&%00=%ff", "application/x-www-form-urlencoded"),
    ("content type garbage", b'{"a": 1}', "\x7f/\x00"),
    ("content type very long", b'{"a": 1}', "application/json; x=" + "y" * 8000),
]
