"""The access matrix: every API operation of the schema and every admin page, action and extra URL x every role,
each answer compared with :func:`bench.attack.expected.expected`.

API operations are called with made-up ids (``999999999``): a role that passes the permission check gets 404 or
400, one that does not 401 or 403 — nothing real is deleted. Admin actions are posted on the model's first row and
followed to the page that says whether the action ran ("No action selected" when the action is not the role's).
"""

import re
from collections import Counter

from . import expected as expectations
from .expected import ALLOW, DENY, EITHER, Target
from .roles import ROLES
from .sending import Req, Result
from .surface import Surface

FAKE_ID = "999999999"
FAKE_UUID = "00000000-0000-4000-8000-00000000abcd"
# The page after an action that did not run: nothing selected, or the role table's refusal (core.admin.RoleAdminMixin).
NOT_RUN = ("No action selected", "Items must be selected", "was not run:")


def _fake_path(op) -> str:
    values = {}
    for param in op.path_params:
        schema = param.get("schema", {})
        if schema.get("enum") or param["name"] == "version":
            continue
        values[param["name"]] = FAKE_UUID if schema.get("format") == "uuid" or "policy" in param["name"] else FAKE_ID
    return op.path(**values)


def _api_body(op):
    from .hostile import encode_json

    return encode_json(op.body_example) if op.body_schema is not None else None


HUB = "/InventoryRSOpenAPI/serviceInventoryManagement/v1/hub/"


def ownership(credentials: dict) -> list[Req]:
    """``integration`` reading and removing another integration's hub listener: each must answer 404 (the read
    first; the removal, if it wrongly succeeded, is seen in the report)."""
    listener = credentials["integration"].extra.get("foreign_listener") if "integration" in credentials else None
    if not listener:
        return []
    return [
        Req(
            "tmf-hub",
            "access matrix",
            method,
            HUB + listener,
            "integration",
            "bearer",
            meta={"target": Target("owned", method, HUB + listener, template=HUB + "{hub_id} (another's)")},
        )
        for method in ("GET", "DELETE")
    ]


def build(surface: Surface) -> list[Req]:
    """Every request of the matrix, each carrying its :class:`Target` in ``meta``."""
    out = []
    for role in ROLES:
        for op in surface.operations:
            path = _fake_path(op)
            public, required = expectations.view_requirements(op.method, path)
            target = Target("api", op.method, path, template=op.template, required=required, public=public)
            body = _api_body(op)
            out.append(
                Req(
                    op.door,
                    "access matrix",
                    op.method,
                    path,
                    role,
                    "bearer",
                    body,
                    "application/json" if body is not None else None,
                    meta={"target": target},
                )
            )
            if op.method == "GET" and op.door == "analyst" and "{" not in op.template:
                export = f"{path}?format=csv"
                public, required = expectations.view_requirements("GET", export)
                target = Target(
                    "api", "GET", export, template=op.template + "?format=csv", required=required, public=public
                )
                out.append(Req(op.door, "access matrix", "GET", export, role, "bearer", meta={"target": target}))
        for model in surface.admin:
            pages = {"changelist": model.base, "add": f"{model.base}add/"}
            if model.sample_pk:
                for page in ("change", "history", "delete"):
                    pages[page] = f"{model.base}{model.sample_pk}/{page}/"
            for page, path in pages.items():
                target = Target(
                    "admin-page", "GET", path, model=model.label, page=page, extra={"capable": model.capabilities}
                )
                out.append(
                    Req(
                        "admin",
                        "access matrix",
                        "GET",
                        path,
                        role,
                        "session",
                        keep_body=page == "changelist",
                        meta={"target": target},
                    )
                )
            for action in model.actions if model.sample_pk else ():
                target = Target(
                    "admin-action",
                    "POST",
                    model.base,
                    model=model.label,
                    page=action,
                    action_permissions=model.action_permissions.get(action),
                    extra={"capable": model.capabilities},
                )
                body = f"action={action}&_selected_action={model.sample_pk}&index=0".encode()
                out.append(
                    Req(
                        "admin",
                        "access matrix",
                        "POST",
                        model.base,
                        role,
                        "session",
                        body,
                        "application/x-www-form-urlencoded",
                        keep_body=True,
                        follow=True,
                        meta={"target": target},
                    )
                )
            for url in model.extra_urls:
                declared, model_action = model.extra_permissions.get(url, (None, None))
                target = Target(
                    "admin-extra",
                    "GET",
                    url,
                    model=model.label,
                    page=url,
                    action_permissions=declared,
                    extra={"capable": model.capabilities, "model_action": model_action},
                )
                out.append(Req("admin", "access matrix", "GET", url, role, "session", meta={"target": target}))
    return out


def outcome(target: Target, result: Result) -> str:
    """``allowed``, ``denied`` or ``error`` (no answer or ≥ 500), read from the answer."""
    status = result.status
    if status == 0 or status >= 500:
        return "error"
    if target.kind == "owned":
        return "denied" if status == 404 else "allowed"
    if target.kind == "api":
        return "denied" if status in (401, 403) else "allowed"
    if status == 403 or (status in (301, 302) and "/login/" in result.location):
        return "denied"
    if target.kind == "admin-action":
        if status == 200 and ("/login/" in result.body[:3000] and 'name="password"' in result.body):
            return "denied"
        if any(text in result.body for text in NOT_RUN):
            return "denied"
        if not result.redirected and 'id="changelist"' in result.body:
            return "denied"  # the changelist drawn again, nothing ran (a role without any action)
        return "allowed"  # it ran (redirected without "No action selected") or drew its own page
    if target.kind == "admin-extra":
        return "allowed"  # past the permission check (`requires` refuses with 403 first), e.g. a POST-only page's 405
    return "allowed" if status in (200, 301, 302, 404) else "denied"


def offered_actions(html: str) -> set[str]:
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', html, re.S)
    return set(re.findall(r'<option value="([^"]+)"', select.group(1))) - {""} if select else set()


def judge(records: list[tuple[Req, Result]], users: dict) -> dict:
    """Compare every answer with the expectation; also every action offered on a changelist."""
    counts: Counter = Counter()
    outside, errors = [], []
    offered: dict[tuple[str, str], set[str]] = {}
    for req, result in records:
        target = req.meta["target"]
        if target.kind == "admin-page" and target.page == "changelist" and result.status == 200:
            offered[(req.role, target.model)] = offered_actions(result.body)
    for req, result in records:
        target: Target = req.meta["target"]
        expect = expectations.expected(req.role, users.get(req.role), target)
        got = outcome(target, result)
        counts[f"{target.kind}: {expect} → {got}"] += 1
        entry = {
            "role": req.role,
            "kind": target.kind,
            "method": req.method,
            "path": req.path,
            "expected": expect,
            "got": got,
            "status": result.status,
            "required": list((target.required if target.kind == "api" else target.action_permissions) or ()),
        }
        if got == "error":
            errors.append({**entry, "excerpt": result.excerpt})
        elif (expect == ALLOW and got == "denied") or (expect == DENY and got == "allowed"):
            outside.append(entry)
        if target.kind == "admin-action":
            shown = target.page in offered.get((req.role, target.model), set())
            if expect == DENY and shown:
                outside.append({**entry, "got": "offered", "note": "the action is offered on the changelist"})
            elif expect == ALLOW and not shown:
                outside.append({**entry, "got": "not offered", "note": "the action is not offered on the changelist"})
    judged = sum(v for k, v in counts.items() if f": {EITHER} →" not in k)
    return {
        "requests": len(records),
        "judged": judged,
        "by_outcome": dict(sorted(counts.items())),
        "outside_expected": outside,
        "errors": errors,
    }
