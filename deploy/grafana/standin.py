"""A stand-in for Grafana (none runs offline here): the dashboard's own panels, evaluated over a bench-like run.

Runs a workload in process (outage notifications, some stale and refused; BMC events; a failed and a completed
activation would need the inventory demo, so bundles stay at zero), scrapes ``core.metrics.exposition()`` after each
step, evaluates each panel's PromQL with a small evaluator that knows only the shapes the dashboard uses (``sum by``
of ``rate``/``increase``, ``max``, ``histogram_quantile``, ``topk``), lays the panels out by their ``gridPos``, and
screenshots the page with Debian's chromium. It is not Grafana: the layout, titles, queries and thresholds are the
dashboard's, the drawing is ours.

    TESTING=1 .venv/bin/python deploy/grafana/standin.py docs/img/operations-dashboard.png
"""

import json
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DASHBOARD = json.loads((Path(__file__).with_name("backoffice-dashboard.json")).read_text())
STEP_SECONDS = 60  # each workload step stands for a minute of traffic
STEPS = 40


def _workload(step: int, client, auth) -> None:
    from blackouts import services as blackouts

    body = lambda oid, ref: {  # noqa: E731
        "externalSystem": "CCB-NMS integration" if oid != "bad" else "Nobody",
        "outageMessages": [{"eventDetails": {"externalOutageId": oid, "messageReference": str(ref)}}],
    }
    busy = 6 + (step % 10) * 2 if step < 25 else 30  # a storm from step 25
    for i in range(busy):
        client.post(
            "/rest/apis/customer/service/outageEventNotifications/",
            json.dumps(body(f"S{step}-{i}", 5)),
            content_type="application/json",
            **auth,
        )
    if step % 3 == 0:  # an OMS replaying an old message
        client.post(
            "/rest/apis/customer/service/outageEventNotifications/",
            json.dumps(body(f"S{step}-0", 1)),
            content_type="application/json",
            **auth,
        )
    if step in (12, 13, 30):
        client.post(
            "/rest/apis/customer/service/outageEventNotifications/",
            json.dumps(body("bad", 1)),
            content_type="application/json",
            **auth,
        )
    for _ in range(step % 4):
        client.get("/rest/apis/customer/service/outageEvent/search")  # anonymous: 401
    client.get("/api/outages/events/", **auth)
    events = [
        {
            "_identifier": f"e{step}-{i}",
            "class": "DB" if i % 2 else "WEB",
            "msg": "m",
            "status": "OPEN",
            "severity": "MAJOR",
        }
        for i in range(5 + step % 7)
    ]
    blackouts.events_ingest(events=events)


def _scrape() -> dict:
    from prometheus_client.parser import text_string_to_metric_families

    from core import metrics

    samples = defaultdict(list)
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for sample in family.samples:
            samples[sample.name].append((sample.labels, sample.value))
    return samples


# --- a tiny evaluator for the dashboard's query shapes ---------------------------------------------------------
def _selector(text: str):
    rules = re.findall(r'(\w+)(=~|=)"([^"]*)"', text or "")
    return lambda labels: all(
        (re.fullmatch(v, labels.get(k, "")) if op == "=~" else labels.get(k, "") == v) for k, op, v in rules
    )


def _series(samples, name, sel):
    match = _selector(sel)
    return [(labels, value) for labels, value in samples.get(name, []) if match(labels)]


def _group(items, by):
    out = defaultdict(float)
    for labels, value in items:
        out[tuple(labels.get(k, "") for k in by)] += value
    return out


def _rate(history, t, name, sel, by):
    if t == 0:
        return {}
    now, before = _group(_series(history[t], name, sel), by), _group(_series(history[t - 1], name, sel), by)
    return {k: (v - before.get(k, 0.0)) / STEP_SECONDS for k, v in now.items()}


def evaluate(expr: str, history: list, t: int) -> dict:
    expr = expr.replace("$__rate_interval", "1m")
    if m := re.fullmatch(r"topk\((\d+), (.*)\)", expr):
        values = evaluate(m.group(2), history, t)
        return dict(sorted(values.items(), key=lambda kv: -kv[1])[: int(m.group(1))])
    scale = 1.0
    if m := re.fullmatch(r"(.*) \* (\d+)", expr):
        expr, scale = m.group(1), float(m.group(2))
    if m := re.fullmatch(
        r"histogram_quantile\(([\d.]+), sum by \(([\w, ]+)\) \(rate\((\w+)(\{[^}]*\})?\[1m\]\)\)\)", expr
    ):
        q, by = float(m.group(1)), [k.strip() for k in m.group(2).split(",") if k.strip() != "le"]
        rates = _rate(history, t, m.group(3), m.group(4), [*by, "le"])
        grouped = defaultdict(list)
        for key, value in rates.items():
            grouped[key[:-1]].append((float(key[-1]), value))
        out = {}
        for key, buckets in grouped.items():
            buckets.sort()
            total = buckets[-1][1]
            if total <= 0:
                continue
            out[key] = next(le for le, count in buckets if count >= q * total)
        return out
    if m := re.fullmatch(r"sum(?: by \(([\w, ]+)\) )?\((rate|increase)\((\w+)(\{[^}]*\})?\[(\w+)\]\)\)", expr):
        by = [k.strip() for k in (m.group(1) or "").split(",") if k.strip()]
        if m.group(2) == "increase":  # over the window: the whole run so far, or its last hour
            start = max(0, t - (60 if m.group(5) == "1h" else 5))
            now = _group(_series(history[t], m.group(3), m.group(4)), by)
            before = _group(_series(history[start], m.group(3), m.group(4)), by)
            return {k: v - before.get(k, 0.0) for k, v in now.items()}
        return {k: v * scale for k, v in _rate(history, t, m.group(3), m.group(4), by).items()}
    if m := re.fullmatch(r"max(?: by \(([\w, ]+)\) )?\((\w+)\)", expr):
        by = [k.strip() for k in (m.group(1) or "").split(",") if k.strip()]
        out = {}
        for labels, value in _series(history[t], m.group(2), ""):
            key = tuple(labels.get(k, "") for k in by)
            out[key] = max(out.get(key, value), value)
        return out
    raise ValueError(f"the stand-in does not evaluate: {expr}")


# --- drawing ---------------------------------------------------------------------------------------------------
COLOURS = ["#73bf69", "#f2cc0c", "#8ab8ff", "#ff780a", "#f2495c", "#5794f2", "#b877d9", "#fade2a"]


def _fmt(value: float, unit: str | None) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.0f} s"
    if unit == "reqps":
        return f"{value:.2f} req/s"
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.2f}"


def _stat(panel, history) -> str:
    t = len(history) - 1
    unit = panel["fieldConfig"]["defaults"].get("unit")
    steps = panel["fieldConfig"]["defaults"].get("thresholds", {}).get("steps", [])
    parts = []
    for target in panel["targets"]:
        value = sum(evaluate(target["expr"], history, t).values())
        colour = "#1f7a3a"
        for step in steps:
            if step["value"] is not None and value >= step["value"]:
                colour = {"orange": "#b45f06", "red": "#a31520"}.get(step["color"], colour)
        label = f"<div class=small>{target['legendFormat']}</div>" if target["legendFormat"] else ""
        parts.append(f"<div class=stat style='background:{colour}'>{label}<b>{_fmt(value, unit)}</b></div>")
    return "".join(parts)


def _timeseries(panel, history, width, height) -> str:
    unit = panel["fieldConfig"]["defaults"].get("unit")
    lines: dict[str, list] = defaultdict(lambda: [None] * len(history))
    for target in panel["targets"]:
        for t in range(len(history)):
            for key, value in evaluate(target["expr"], history, t).items():
                label = target["legendFormat"]
                for name, part in zip(re.findall(r"\{\{(\w+)\}\}", label), key, strict=False):
                    label = label.replace("{{" + name + "}}", part)
                lines[label or "value"][t] = value
    top = max([v for vs in lines.values() for v in vs if v is not None] or [1]) or 1
    w, h = width - 20, height - 70
    svg = [f"<svg width={width - 10} height={h + 20}>"]
    for i in range(5):
        y = 5 + h * i / 4
        svg.append(f"<line x1=40 x2={w} y1={y} y2={y} stroke='#2c3235'/>")
        svg.append(f"<text x=0 y={y + 4} fill='#8e8e8e' font-size=10>{_fmt(top * (4 - i) / 4, unit)}</text>")
    legend = []
    for n, (label, values) in enumerate(sorted(lines.items())[:8]):
        colour = COLOURS[n % len(COLOURS)]
        points = [
            f"{40 + (w - 40) * t / max(1, len(values) - 1):.1f},{5 + h - h * v / top:.1f}"
            for t, v in enumerate(values)
            if v is not None
        ]
        svg.append(f"<polyline fill=none stroke='{colour}' stroke-width=1.5 points='{' '.join(points)}'/>")
        last = next((v for v in reversed(values) if v is not None), 0)
        legend.append(f"<span style='color:{colour}'>&#9644;</span> {label} <span class=dim>{_fmt(last, unit)}</span>")
    svg.append("</svg>")
    return "".join(svg) + "<div class=legend>" + " &nbsp; ".join(legend) + "</div>"


def render(history) -> str:
    unit_w, unit_h = 60, 34
    cells = []
    for panel in DASHBOARD["panels"]:
        g = panel["gridPos"]
        style = f"left:{g['x'] * unit_w}px;top:{g['y'] * unit_h}px;width:{g['w'] * unit_w - 8}px;"
        if panel["type"] == "row":
            cells.append(f"<div class=row style='{style}height:{unit_h - 8}px'>{panel['title']}</div>")
            continue
        height = g["h"] * unit_h - 8
        body = (
            _stat(panel, history) if panel["type"] == "stat" else _timeseries(panel, history, g["w"] * unit_w, height)
        )
        cells.append(
            f"<div class=panel style='{style}height:{height}px'><div class=title>{panel['title']}</div>{body}</div>"
        )
    bottom = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in DASHBOARD["panels"]) * unit_h
    return f"""<!doctype html><html><head><meta charset=utf-8><style>
body {{ background:#111217; color:#ccccdc; font-family: sans-serif; margin:0; }}
.head {{ padding:10px 14px; font-size:18px; border-bottom:1px solid #2c3235; }}
.head span {{ color:#8e8e8e; font-size:12px; margin-left:12px; }}
.grid {{ position:relative; margin:10px; height:{bottom}px; width:{24 * unit_w}px; }}
.panel {{ position:absolute; background:#181b1f; border:1px solid #2c3235; border-radius:3px; overflow:hidden; }}
.row {{ position:absolute; font-weight:bold; padding-top:8px; }}
.title {{ font-size:12px; padding:6px 8px; font-weight:600; }}
.stat {{ margin:4px 8px; padding:6px; border-radius:3px; color:white; text-align:center; font-size:26px; }}
.small {{ font-size:11px; }}
.legend {{ font-size:10px; padding:0 8px; }} .dim {{ color:#8e8e8e; }}
</style></head><body><div class=head>{DASHBOARD["title"]}<span>STAND-IN RENDERING (not Grafana): the dashboard's
panels and queries evaluated over a {len(history)}-step bench workload, one step per simulated minute</span></div>
<div class=grid>{"".join(cells)}</div></body></html>"""


def main(out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("TESTING", "1")
    import django

    django.setup()
    from bench.support import fresh_database

    fresh_database()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client, override_settings
    from rest_framework_simplejwt.tokens import AccessToken

    from outages.models import ExternalSystem

    ExternalSystem.objects.create(name="CCB-NMS integration")
    user = get_user_model().objects.create_superuser("bench", "b@example.com", "bench-pass")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(user)}"}
    from blackouts.services import policies_tick, policy_create

    policy_create(
        owner="bench",
        fields={
            "name": "db maintenance",
            "execution_order": 10,
            "enabled": True,
            "selector_criteria": "class equals 'DB'",
            "timeframe": {
                "startDate": "01012025",
                "startTime": "00:00",
                "endTime": "23:59",
                "endsOn": {"never": True},
                "recurrencePattern": {"recurrence": "daily", "details": {"days": "all"}},
                "timeZone": {"id": "UTC"},
            },
        },
    )

    history = [_scrape()]
    with override_settings(DEBUG=False):
        client = Client()
        for step in range(STEPS):
            if step % 15 == 0:
                policies_tick()
            _workload(step, client, auth)
            history.append(_scrape())
    html = render(history)
    page_path = Path(out).with_suffix(".html")
    page_path.write_text(html)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 24 * 60 + 20, "height": 900})
        page.set_content(html)
        page.screenshot(path=out, full_page=True)
        browser.close()
    page_path.unlink()
    print(f"wrote {out}", file=sys.stderr)
    del settings


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "docs" / "img" / "operations-dashboard.png"))
