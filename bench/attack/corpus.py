"""The hostile corpus, generated from the :class:`~bench.attack.surface.Surface`: every door, every field it reaches,
every hostile value of :mod:`bench.attack.hostile`, then sampled down to a budget per door.

Candidates are cheap closures (a body of 100 kB is built only when its request is sent), drawn deterministically
(``seed``) so a run can be repeated. The budget per door is ``DOOR_BUDGET`` x ``scale``; a candidate marked
``always`` (the whole-body corpus, every SSRF target, every criteria sentence) is kept before the sampled ones.
"""

import base64
import copy
import io
import random
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import hostile
from .hostile import CRITERIA, JSON_BODIES, SSRF_TARGETS, VALUES, XML_BODIES, Raw, encode_json, quoted, to_xml
from .sending import Req
from .surface import Operation, Surface

DOOR_BUDGET = {
    "oracle": 3000,
    "bmc": 3000,
    "uim": 1500,
    "tmf-hub": 800,
    "analyst": 5000,
    "webhooks": 1500,
    "auth": 800,
    "admin": 4000,
    "other": 200,
}
MAX_LEAVES = 40


@dataclass
class Candidate:
    door: str
    build: Callable[[], Req]
    always: bool = False


def _leaves(value, path=()) -> Iterator[tuple]:
    """Paths of every field of a JSON value (containers too), breadth first-ish, bounded."""
    yield path
    if len(path) > 4:
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _leaves(sub, (*path, key))
    elif isinstance(value, list) and value:
        yield from _leaves(value[0], (*path, 0))


def _replaced(document, path: tuple, new):
    if not path:
        return new
    out = copy.deepcopy(document)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return out


def _value_at(document, path: tuple):
    node = document
    for key in path:
        node = node[key]
    return node


def _is_criteria(path: tuple) -> bool:
    name = str(path[-1]).lower() if path else ""
    return any(word in name for word in ("criteria", "filter", "query"))


def _is_url(path: tuple) -> bool:
    name = str(path[-1]).lower() if path else ""
    return any(word in name for word in ("callback", "target", "url"))


def _json_type(op: Operation) -> str:
    return "application/json"


def _xml_ok(op: Operation) -> bool:
    return op.door in ("oracle", "uim", "tmf-hub") or any("xml" in t for t in op.content_types)


def _auth_for(op: Operation) -> tuple[str, str]:
    """(role, auth): the superuser through the family's credentials (BMC takes JWTs only)."""
    return "superuser", "bearer"


def _body_candidates(op: Operation) -> Iterator[Candidate]:
    example = op.body_example if op.body_example is not None else {}
    path = op.path()
    role, auth = _auth_for(op)
    ctype = _json_type(op)

    def req(kind, body, content_type=ctype, **kw):
        return Req(op.door, kind, op.method, path, role=role, auth=auth, body=body, content_type=content_type, **kw)

    leaves = list(_leaves(example))[:MAX_LEAVES]
    for leaf in leaves:
        values = list(VALUES)
        if _is_criteria(leaf):
            values += [(f"criteria: {c[:40]}", c) for c in CRITERIA]
        if _is_url(leaf):
            values += [(f"SSRF target {t[:60]}", t) for t in SSRF_TARGETS]
        for name, value in values:
            special = name.startswith(("criteria", "SSRF"))
            where = ".".join(map(str, leaf)) or "(body)"
            yield Candidate(
                op.door,
                lambda leaf=leaf, value=value, name=name, where=where: req(
                    f"{name} at {where}", encode_json(_replaced(example, leaf, value))
                ),
                always=special,
            )
        # duplicate keys: the valid value first, the hostile one after it (and the reverse)
        if leaf and isinstance(leaf[-1], str):
            for name, value in VALUES[::6]:
                yield Candidate(
                    op.door,
                    lambda leaf=leaf, value=value, name=name: req(
                        f"duplicate key {leaf[-1]} ({name})", _duplicate_key(example, leaf, value)
                    ),
                )
        # a huge (bounded) array where the example has one
        if leaf and isinstance(_value_at(example, leaf), list) and _value_at(example, leaf):
            yield Candidate(
                op.door,
                lambda leaf=leaf: req(
                    f"array of 10,001 at {'.'.join(map(str, leaf))}",
                    encode_json(_replaced(example, leaf, _value_at(example, leaf)[:1] * 10_001)),
                ),
                always=True,
            )
    if isinstance(example, dict):  # a whole-body array where an object is expected, 10,001 long
        yield Candidate(op.door, lambda: req("10,001 bodies in an array", encode_json([example] * 10_001)), True)
    for name, body, content_type in JSON_BODIES:
        yield Candidate(
            op.door, lambda name=name, body=body, ct=content_type: req(name, body, ct or ctype), always=True
        )
    yield Candidate(op.door, lambda: req("no content type", encode_json(example), None), always=True)
    if _xml_ok(op):
        for name, body in XML_BODIES.items():
            yield Candidate(op.door, lambda name=name, body=body: req(f"XML {name}", body, "application/xml"), True)
        for leaf in leaves:
            for name, value in VALUES[::3]:
                if isinstance(value, Raw):
                    continue
                yield Candidate(
                    op.door,
                    lambda leaf=leaf, value=value, name=name: req(
                        f"XML {name} at {'.'.join(map(str, leaf)) or '(body)'}",
                        _xml_bytes(_replaced(example, leaf, value)),
                        "application/xml",
                    ),
                )


def _xml_bytes(document) -> bytes:
    return to_xml(document).encode("utf-8", "surrogatepass")


def _duplicate_key(example, leaf: tuple, value) -> bytes:
    parent = _value_at(example, leaf[:-1]) if len(leaf) > 1 else example
    if not isinstance(parent, dict):
        return encode_json(example)
    key = leaf[-1]
    marker = "__attack_duplicate__"
    doubled = dict(parent)
    doubled[marker] = value
    document = _replaced(example, leaf[:-1], doubled) if len(leaf) > 1 else doubled
    return encode_json(document).replace(f'"{marker}"'.encode(), encode_json(key))


def _path_candidates(op: Operation) -> Iterator[Candidate]:
    role, auth = _auth_for(op)
    for param in op.path_params:
        for name, value in [*VALUES, ("dot-dot", ".."), ("slash traversal", "../../admin/")]:
            text = value if name in ("dot-dot", "slash traversal") else quoted(value)
            yield Candidate(
                op.door,
                lambda param=param, text=text, name=name: Req(
                    op.door,
                    f"path {param['name']}: {name}",
                    op.method,
                    op.path(**{param["name"]: text or "%20"}),
                    role=role,
                    auth=auth,
                    body=encode_json(op.body_example) if op.body_schema else None,
                    content_type="application/json" if op.body_schema else None,
                ),
            )


def _query_candidates(op: Operation) -> Iterator[Candidate]:
    role, auth = _auth_for(op)
    base = op.path()
    params = [p["name"] for p in op.query_params] or ["unknown"]
    for param in params:
        for name, value in VALUES:
            yield Candidate(
                op.door,
                lambda param=param, value=value, name=name: Req(
                    op.door, f"query {param}: {name}", op.method, f"{base}?{param}={quoted(value)}", role, auth
                ),
            )
        yield Candidate(
            op.door,
            lambda param=param: Req(
                op.door, f"query {param} twice", op.method, f"{base}?{param}=1&{param}=2", role, auth
            ),
        )
    yield Candidate(
        op.door,
        lambda: Req(
            op.door, "query 2,000 parameters", op.method, base + "?" + "&".join(f"p{i}=1" for i in range(2000))
        ),
        True,
    )


def _credential_candidates(op: Operation) -> Iterator[Candidate]:
    """Broken credentials at every door (no 500, counted like any failure)."""
    path = op.path()
    body = encode_json(op.body_example) if op.body_schema else None
    ctype = "application/json" if op.body_schema else None
    basics = {
        "Basic NUL in username": b"atk_integration\x00x:y",
        "Basic NUL in password": b"atk_integration:y\x00",
        "Basic invalid UTF-8": b"\xff\xfe:\xff",
        "Basic no colon": b"atk_integration",
        "Basic empty": b":",
        "Basic 10 kB username": b"u" * 10_000 + b":p",
        "Basic lone surrogate": "x\ud800:y".encode("utf-8", "surrogatepass"),
    }
    headers = {name: "Basic " + base64.b64encode(raw).decode() for name, raw in basics.items()}
    headers |= {
        "Basic not base64": "Basic !!!!",
        "Bearer garbage": "Bearer " + "x" * 50,
        "Bearer alg none": "Bearer "
        + base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
        + "."
        + base64.urlsafe_b64encode(b'{"user_id":1,"token_type":"access","exp":9999999999}').decode().rstrip("=")
        + ".",
        "Bearer empty": "Bearer ",
        "unknown scheme": "Digest username=x",
        "Authorization with Latin-1": "Basic \xe9\xe9",
    }
    for name, value in headers.items():
        yield Candidate(
            op.door,
            lambda name=name, value=value: Req(
                op.door,
                name,
                op.method,
                path,
                auth="raw",
                headers={"Authorization": value},
                body=body,
                content_type=ctype,
                role="anonymous",
            ),
            always=True,
        )


def _operation_candidates(op: Operation) -> Iterator[Candidate]:
    if op.body_schema is not None:
        yield from _body_candidates(op)
    yield from _path_candidates(op)
    if op.method == "GET":
        yield from _query_candidates(op)


LIST_LOOKUPS = ("", "__gte", "__lte", "__in", "__isnull", "__regex", "__exact", "__year")
FORMATS = ("csv", "xlsx", "json", "jsonl")


def _list_candidates(surface: Surface) -> Iterator[Candidate]:
    for lst in surface.lists:

        def get(kind, query, role="superuser", auth="bearer", lst=lst):
            return Req("analyst", kind, "GET", f"{lst.path}?{query}" if query else lst.path, role, auth)

        for flt in lst.filters:
            for name, value in VALUES:
                yield Candidate(
                    "analyst",
                    lambda flt=flt, value=value, name=name, get=get: get(
                        f"filter {flt}: {name}", f"{flt}={quoted(value)}"
                    ),
                )
            for fmt in FORMATS:
                for name, value in VALUES[::4]:
                    yield Candidate(
                        "analyst",
                        lambda flt=flt, fmt=fmt, value=value, name=name, get=get: get(
                            f"export {fmt}, filter {flt}: {name}", f"format={fmt}&{flt}={quoted(value)}"
                        ),
                    )
            yield Candidate("analyst", lambda flt=flt, get=get: get(f"filter {flt} twice", f"{flt}=1&{flt}=2"))
        for param in ("ordering", "fields", "search", "page", "page_size", "format", "cursor"):
            for name, value in VALUES:
                yield Candidate(
                    "analyst",
                    lambda param=param, value=value, name=name, get=get: get(
                        f"{param}: {name}", f"{param}={quoted(value)}"
                    ),
                )
        for query in (
            "page=99999999999999999999",
            "page_size=1000&page=2",
            "format=csv&format=xlsx",
            "ordering=-" + ",".join(lst.columns),
            "fields=" + ",".join(lst.columns * 3),
            "search=" + quoted(hostile.CATASTROPHIC),
        ):
            yield Candidate("analyst", lambda query=query, get=get: get(f"odd query {query[:40]}", query), True)
        for column in lst.columns:
            for lookup in LIST_LOOKUPS[1:]:
                yield Candidate(
                    "analyst", lambda c=column, lk=lookup, get=get: get(f"ORM lookup {c}{lk}", f"{c}{lk}=x")
                )
        for name, value in VALUES:
            yield Candidate(
                "analyst",
                lambda value=value, name=name, lst=lst: Req(
                    "analyst", f"detail id: {name}", "GET", f"{lst.path}{quoted(value) or '%20'}/"
                ),
            )


def _admin_candidates(surface: Surface) -> Iterator[Candidate]:
    for model in surface.admin:
        base = model.base

        def get(kind, path, role="superuser"):
            return Req("admin", kind, "GET", path, role, "session")

        def post(kind, path, form: dict | list, role="superuser"):
            items = form.items() if isinstance(form, dict) else form
            body = "&".join(f"{quoted(k)}={quoted(v)}" for k, v in items).encode()
            return Req("admin", kind, "POST", path, role, "session", body, "application/x-www-form-urlencoded")

        yield Candidate("admin", lambda base=base, get=get: get("changelist", base), True)
        yield Candidate("admin", lambda base=base, get=get: get("add form", f"{base}add/"), True)
        if model.sample_pk:
            pk = quoted(model.sample_pk)
            for page in ("change/", "history/", "delete/"):
                yield Candidate(
                    "admin", lambda base=base, pk=pk, page=page, get=get: get(page, f"{base}{pk}/{page}"), True
                )
        params = ["q", "o", "p", "all", "e", "_to_field", "_popup", "_changelist_filters", "pk__in", "id__gt"]
        params += [f"{f}{lk}" for f in model.list_filters for lk in ("__exact", "__gte", "__lt", "__isnull", "")]
        params += ["password__startswith", "user__password__startswith", "created__year", "_facets"]
        for param in params:
            for name, value in VALUES:
                yield Candidate(
                    "admin",
                    lambda base=base, param=param, value=value, name=name, get=get: get(
                        f"changelist {param}: {name}", f"{base}?{param}={quoted(value)}"
                    ),
                )
        for name, value in VALUES:
            yield Candidate(
                "admin",
                lambda base=base, value=value, name=name, get=get: get(
                    f"change page id: {name}", f"{base}{quoted(value) or '%20'}/change/"
                ),
            )
            yield Candidate(
                "admin",
                lambda base=base, value=value, name=name, get=get: get(
                    f"history page id: {name}", f"{base}{quoted(value) or '%20'}/history/"
                ),
            )
        for field in model.form_fields:
            for name, value in VALUES:
                yield Candidate(
                    "admin",
                    lambda base=base, field=field, value=value, name=name, post=post: post(
                        f"add form {field}: {name}", f"{base}add/", {field: hostile.as_text(value)}
                    ),
                )
        for action in model.actions:
            if action == "delete_selected":
                continue  # its confirmation page is attacked; the deletion itself would empty the lists
            for name, value in VALUES[::3]:
                yield Candidate(
                    "admin",
                    lambda base=base, action=action, value=value, name=name, post=post: post(
                        f"action {action} on id {name}",
                        base,
                        [("action", action), ("_selected_action", hostile.as_text(value)), ("index", "0")],
                    ),
                )
            yield Candidate(
                "admin",
                lambda base=base, action=action, post=post: post(
                    f"action {action} select_across", base, [("action", action), ("select_across", "1"), ("index", "x")]
                ),
                True,
            )
        for url in model.extra_urls:
            for name, value in VALUES[::2]:
                yield Candidate(
                    "admin",
                    lambda url=url, value=value, name=name, get=get: get(
                        f"{url.rstrip('/').rsplit('/', 1)[-1]} page: {name}",
                        f"{url}?format={quoted(value)}&q={quoted(value)}&policy={quoted(value)}&year={quoted(value)}"
                        f"&month={quoted(value)}&start={quoted(value)}",
                    ),
                )
            if url.rstrip("/").endswith("import"):
                for name, content, filename in IMPORT_FILES:
                    yield Candidate(
                        "admin",
                        lambda url=url, name=name, content=content, filename=filename: _multipart(
                            f"import {name}", url, filename, content
                        ),
                        True,
                    )
        for url in model.extra_urls_with_id:
            for name, value in VALUES[::3]:
                yield Candidate(
                    "admin",
                    lambda url=url, value=value, name=name, get=get: get(
                        f"{url} with id {name}", url.replace("/1/", f"/{quoted(value) or '%20'}/")
                    ),
                )


def _xlsx(cell_xml: str) -> bytes:
    """A minimal XLSX whose first sheet holds one header row and one row of inline strings (raw XML: may be bad)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>id'
            '</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>' + cell_xml + '</t></is></c><c r="B2" '
            't="inlineStr"><is><t>' + cell_xml + "</t></is></c></row></sheetData></worksheet>",
        )
    return buffer.getvalue()


IMPORT_FILES = [
    ("CSV control characters", b"name,id\nbell\x07,x\x01\n", "a.csv"),
    ("CSV NUL", b"name,id\na\x00b,1\n", "a.csv"),
    ("CSV formula", b'name,id\n=HYPERLINK("x"),@SUM(1)\n', "a.csv"),
    ("CSV invalid UTF-8", b"name,id\n\xff\xfe,1\n", "a.csv"),
    ("CSV 100k columns", b",".join(b"c%d" % i for i in range(100_000)) + b"\n", "a.csv"),
    ("JSON lone surrogate", b'[{"name": "\\ud800", "id": "\\udc00"}]', "a.json"),
    ("JSON nested 1,000 deep", b"[" * 1000 + b"]" * 1000, "a.json"),
    ("JSON 1e309", b'[{"name": 1e309, "id": 99999999999999999999999999}]', "a.json"),
    ("JSON Lines year 9999", b'{"name": "9999-12-31T23:59:59Z", "start_date": "0001-01-01"}\n', "a.jsonl"),
    ("XLSX control character reference", _xlsx("a&#x1;b"), "a.xlsx"),
    ("XLSX NUL reference", _xlsx("a&#0;b"), "a.xlsx"),
    ("XLSX entity", _xlsx("&undefined;"), "a.xlsx"),
    ("XLSX not a zip", b"PK\x03\x04garbage", "a.xlsx"),
    ("empty file", b"", "a.csv"),
]


def _multipart(kind: str, url: str, filename: str, content: bytes) -> Req:
    boundary = "attackboundary7e3"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n",
        f'--{boundary}\r\nContent-Disposition: form-data; name="fmt"\r\n\r\n\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="apply_valid"\r\n\r\non\r\n'.encode(),
    ]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return Req("admin", kind, "POST", url, "superuser", "session", body, f"multipart/form-data; boundary={boundary}")


def _auth_candidates() -> Iterator[Candidate]:
    for name, value in VALUES:
        for field in ("username", "password"):
            form = {"username": "atk_superuser", "password": "x", field: value}
            yield Candidate(
                "auth",
                lambda form=form, name=name, field=field: Req(
                    "auth",
                    f"token {field}: {name}",
                    "POST",
                    "/api/auth/token/",
                    "anonymous",
                    "none",
                    encode_json(form),
                    "application/json",
                ),
            )
            yield Candidate(
                "auth",
                lambda form=form, name=name, field=field: Req(
                    "auth",
                    f"admin login {field}: {name}",
                    "POST",
                    "/admin/login/",
                    "anonymous",
                    "raw",
                    (
                        "&".join(f"{k}={quoted(v)}" for k, v in form.items()) + "&csrfmiddlewaretoken=" + _csrf()
                    ).encode(),
                    "application/x-www-form-urlencoded",
                    headers={"Cookie": f"csrftoken={_csrf()}"},
                ),
            )
        yield Candidate(
            "auth",
            lambda value=value, name=name: Req(
                "auth",
                f"refresh token: {name}",
                "POST",
                "/api/auth/token/refresh/",
                "anonymous",
                "none",
                encode_json({"refresh": value}),
                "application/json",
            ),
        )
    for name, body, content_type in JSON_BODIES:
        for path in ("/api/auth/token/", "/api/auth/token/refresh/"):
            yield Candidate(
                "auth",
                lambda name=name, body=body, ct=content_type, path=path: Req(
                    "auth", name, "POST", path, "anonymous", "none", body, ct or "application/json"
                ),
                True,
            )


def _csrf() -> str:
    from .roles import CSRF

    return CSRF


def _other_candidates(surface: Surface) -> Iterator[Candidate]:
    for path in surface.other_paths:
        for name, value in VALUES[::4]:
            yield Candidate(
                "other",
                lambda path=path, value=value, name=name: Req(
                    door_of_other(path),
                    f"{path} query: {name}",
                    "GET",
                    f"{path}?x={quoted(value)}",
                    "anonymous",
                    "none",
                ),
            )
    for raw in (
        "/%00",
        "/admin/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../etc/passwd",
        "/static/%2e%2e/settings.py",
        "/api/%ff/",
        "/rest/apis/%00",
        "/" + "a" * 8000,
        "/api/docs/?url=http://127.0.0.1:9/",
    ):
        yield Candidate("other", lambda raw=raw: Req("other", "odd path", "GET", raw, "anonymous", "none"), True)


def door_of_other(path: str) -> str:
    return "other"


def candidates(surface: Surface) -> dict[str, list[Candidate]]:
    out: dict[str, list[Candidate]] = defaultdict(list)
    for op in surface.operations:
        if op.door in ("auth",):
            continue
        for candidate in _operation_candidates(op):
            out[candidate.door].append(candidate)
    seen_doors = set()
    for op in surface.operations:  # broken credentials: every operation of one door each, and a few more
        if op.door in ("auth", "other"):
            continue
        if op.door not in seen_doors or op.method != "GET":
            seen_doors.add(op.door)
            out[op.door].extend(_credential_candidates(op))
    for generator in (
        _list_candidates(surface),
        _admin_candidates(surface),
        _auth_candidates(),
        _other_candidates(surface),
    ):
        for candidate in generator:
            out[candidate.door].append(candidate)
    return out


def plan(surface: Surface, *, scale: float = 1.0, seed: int = 21) -> list[Candidate]:
    """The candidates of a run: per door, a budget of ``DOOR_BUDGET`` x ``scale``, half of it (or more, when the
    rest runs short) from the ``always`` candidates, the rest sampled; interleaved across doors, the webhook and
    hub writes first (so that later writes meet what they stored)."""
    rng = random.Random(seed)
    chosen: dict[str, list[Candidate]] = {}
    for door, pool in sorted(candidates(surface).items()):
        budget = max(1, round(DOOR_BUDGET.get(door, 200) * scale))
        always = [c for c in pool if c.always]
        rest = [c for c in pool if not c.always]
        rng.shuffle(always)
        rng.shuffle(rest)
        take = min(len(always), max(budget // 2, budget - len(rest)))
        chosen[door] = (always[:take] + rest)[:budget]
    out: list[Candidate] = []
    order = sorted(chosen, key=lambda d: (d not in ("webhooks", "tmf-hub"), d))
    while any(chosen.values()):
        for door in order:
            if chosen[door]:
                out.append(chosen[door].pop(0))
    return out


def corpus(surface: Surface, *, scale: float = 1.0, seed: int = 21) -> Iterator[Req]:
    """The requests of a run, built one by one as they are sent (a 2 MB body lives only while it is sent)."""
    for candidate in plan(surface, scale=scale, seed=seed):
        yield candidate.build()


def candidate_counts(surface: Surface) -> dict[str, int]:
    return {door: len(pool) for door, pool in sorted(candidates(surface).items())}
