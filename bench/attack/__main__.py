"""``make attack`` / ``python -m bench.attack``: the attack run of issue #21, repeatable.

Production settings on loopback (gunicorn, a Celery worker and beat, PostgreSQL and Redis from ``DATABASE_URL``
and ``REDIS_URL``) on a fresh database with demo data and one user per role; then, each bounded:

1. the access matrix (every API operation and every admin page, action and extra URL x every role);
2. Schemathesis with every check over every operation of the live ``/api/schema/``;
3. the hostile corpus (about 20,000 requests at ``ATTACK_SCALE=1``) at every door;
4. every analyst list exported in every format (what the corpus stored must not break a later read).

It writes a JSON report (``$VAR_DIR/attack-report.json`` unless ``--report``) and prints a summary; it exits 1
when any answer was ≥ 500 (or none came), Schemathesis found a failure, or an access fell outside the expected
table. Every process it started is stopped at the end, on failure too.
"""

import argparse
import json
import os
import signal
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from . import corpus as corpus_module
from . import matrix as matrix_module
from . import schemathesis_run
from .sending import LiveSender, Req, Result, run_all
from .stack import Stack


class Records(list):
    """(request, result) pairs, appended from the sending threads."""

    def append_pair(self, req: Req, result: Result) -> None:
        self.append((req, result))


def _summary_5xx(records: list[tuple[Req, Result]], limit: int = 400) -> list[dict]:
    """Every answer ≥ 500 (or none), grouped by door, method, path and kind: one example request each."""
    groups: dict[tuple, dict] = {}
    for req, result in records:
        if result.status and result.status < 500:
            continue
        key = (req.door, req.method, req.path.split("?", 1)[0], req.kind, result.status)
        if key not in groups:
            groups[key] = {
                "status": result.status,
                "count": 0,
                "request": req.describe(),
                "answer": result.excerpt or result.error,
                "elapsed_s": round(result.elapsed, 2),
            }
        groups[key]["count"] += 1
    return sorted(groups.values(), key=lambda g: (g["request"]["door"], g["request"]["path"]))[:limit]


def _door_counts(records) -> dict:
    out: dict[str, Counter] = defaultdict(Counter)
    for req, result in records:
        bucket = "no answer" if not result.status else f"{result.status // 100}xx"
        out[req.door][bucket] += 1
        out[req.door]["requests"] += 1
    return {door: dict(sorted(c.items())) for door, c in sorted(out.items())}


def _slowest(records, n: int = 15) -> list[dict]:
    ranked = sorted(records, key=lambda r: -r[1].elapsed)[:n]
    return [{"elapsed_s": round(r.elapsed, 2), "status": r.status, **q.describe()} for q, r in ranked]


def export_requests(surface) -> list[Req]:
    """Every analyst list in every export format, as the superuser (after the corpus)."""
    out = []
    for lst in surface.lists:
        for fmt in corpus_module.FORMATS:
            out.append(Req("exports", f"export {fmt}", "GET", f"{lst.path}?format={fmt}", "superuser", "bearer"))
        out.append(Req("exports", "page", "GET", f"{lst.path}?page_size=1000", "superuser", "bearer"))
    for model in surface.admin:
        for url in model.extra_urls:
            if url.rstrip("/").endswith("export"):
                for fmt in ("csv", "xlsx"):
                    out.append(
                        Req("exports", f"admin export {fmt}", "GET", f"{url}?format={fmt}", "superuser", "session")
                    )
        out.append(Req("exports", "admin changelist", "GET", model.base, "superuser", "session"))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("ATTACK_SCALE", "1")),
        help="the corpus budget (1: about 20,000 requests) and Schemathesis' examples scale with it",
    )
    parser.add_argument(
        "--minutes",
        type=float,
        default=float(os.environ.get("ATTACK_MINUTES", "20")),
        help="time budget of the whole run; each phase gets its share",
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--phases", default=os.environ.get("ATTACK_PHASES", "matrix,schemathesis,corpus,exports"))
    parser.add_argument("--report", default=os.environ.get("ATTACK_REPORT", ""))
    parser.add_argument("--allow-sqlite", action="store_true", help="run on SQLite (with a warning)")
    parser.add_argument("--keep-db", action="store_true", help="keep the attack database (to investigate)")
    args = parser.parse_args(argv)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    started = time.monotonic()
    deadline = started + args.minutes * 60
    var_dir = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parents[2] / "var")  # before the run's own
    stack = Stack(allow_sqlite=args.allow_sqlite)
    report_path = Path(args.report) if args.report else None
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    report: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "scale": args.scale, "phases": {}}
    failed = False
    try:
        stack.setup_django()
        from django.conf import settings
        from django.contrib.auth import get_user_model

        report_path = report_path or var_dir / "attack-report.json"
        report_path.parent.mkdir(parents=True, exist_ok=True)
        print(f"preparing the database ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})…", flush=True)
        stack.prepare_database()
        from .roles import create_users
        from .surface import read_surface

        credentials = create_users()
        users = {
            role: (get_user_model().objects.get(pk=c.user_id) if c.user_id else None) for role, c in credentials.items()
        }
        surface = read_surface()
        report["surface"] = {
            "operations": len(surface.operations),
            "analyst_lists": len(surface.lists),
            "admin_models": len(surface.admin),
            "admin_actions": sum(len(m.actions) for m in surface.admin),
            "admin_extra_urls": sum(len(m.extra_urls) + len(m.extra_urls_with_id) for m in surface.admin),
            "corpus_candidates": corpus_module.candidate_counts(surface),
        }
        from django.db import connection

        connection.close()
        print("starting gunicorn, a Celery worker and beat…", flush=True)
        stack.start()
        print(f"up at {stack.base_url} (logs in {stack.run_dir})", flush=True)
        send = LiveSender(stack.base_url, credentials)
        # The matrix and the exports are complete by construction (only the global deadline stops them); the
        # corpus and Schemathesis share what is left, keeping a reserve for the phases after them.
        shares = {"schemathesis": 0.4, "corpus": 0.6}
        reserve = {"matrix": 120.0, "exports": 90.0}

        def budget(phase: str) -> float:
            now = time.monotonic()
            if phase not in shares:
                return deadline
            later = phases[phases.index(phase) + 1 :]
            left = deadline - now - sum(reserve.get(p, 0.0) for p in later)
            weight = sum(shares.get(p, 0.0) for p in [phase, *later]) or 1.0
            return now + max(30.0, left * shares[phase] / weight)

        for phase in phases:
            t0 = time.monotonic()
            print(f"phase {phase}…", flush=True)
            if phase == "matrix":
                records = Records()
                sent = run_all(
                    send,
                    matrix_module.build(surface) + matrix_module.ownership(credentials),
                    concurrency=args.concurrency,
                    deadline=budget(phase),
                    on_result=records.append_pair,
                )
                result = matrix_module.judge(records, users)
                result["sent"] = sent
                failed |= bool(result["outside_expected"] or result["errors"])
            elif phase == "schemathesis":
                result = schemathesis_run.run(
                    stack.base_url,
                    credentials["superuser"].bearer,
                    scale=args.scale,
                    until=budget(phase),
                    run_dir=stack.run_dir,
                )
                failed |= bool(result.get("failures_total") or result.get("error"))
            elif phase in ("corpus", "exports"):
                records = Records()
                requests = (
                    corpus_module.corpus(surface, scale=args.scale, seed=args.seed)
                    if phase == "corpus"
                    else export_requests(surface)
                )
                sent = run_all(
                    send,
                    requests,
                    concurrency=args.concurrency,
                    deadline=budget(phase),
                    on_result=records.append_pair,
                )
                errors = _summary_5xx(records)
                result = {
                    "sent": sent,
                    "by_door": _door_counts(records),
                    "responses_5xx_or_none": sum(1 for _, r in records if not r.status or r.status >= 500),
                    "distinct_5xx": errors,
                    "slowest": _slowest(records),
                }
                failed |= bool(errors)
            else:
                raise SystemExit(f"unknown phase {phase!r}")
            result["seconds"] = round(time.monotonic() - t0, 1)
            report["phases"][phase] = result
            dead = stack.dead_processes()
            if dead:
                report.setdefault("dead_processes", []).append({"after": phase, "processes": dead})
                failed = True
            print(f"phase {phase}: {_one_line(phase, result)}", flush=True)
        report["server_errors_logged"] = _logged_errors(stack)
    except KeyboardInterrupt:
        report["interrupted"] = True
        failed = True
    finally:
        if args.keep_db:
            stack._dropped = True
            print(f"kept database: {stack.db_url}")
        try:
            lingering = stack.close()
        except Exception as exc:
            lingering = [{"error": f"closing: {exc}"}]
        if lingering:  # statements that outlived gunicorn: a query no timeout bounds
            report["queries_outliving_the_servers"] = lingering
            failed = True
        report["seconds"] = round(time.monotonic() - started, 1)
        if report_path is not None:
            report_path.write_text(json.dumps(report, indent=1, default=str))
            print(f"report: {report_path}", flush=True)
    print(("FAIL" if failed else "PASS") + f" in {report['seconds']:.0f}s")
    return 1 if failed else 0


def _one_line(phase: str, result: dict) -> str:
    if phase == "matrix":
        return (
            f"{result['sent']} requests, {result['judged']} judged, {len(result['outside_expected'])} outside "
            f"the expected table, {len(result['errors'])} errors ({result['seconds']}s)"
        )
    if phase == "schemathesis":
        return (
            f"{result.get('cases', '?')} cases, {result.get('failures_total', '?')} failures "
            f"{result.get('failures_by_check', {})} ({result['seconds']}s)"
        )
    return (
        f"{result['sent']} requests, {result['responses_5xx_or_none']} answered ≥ 500 or not at all, "
        f"{len(result['distinct_5xx'])} distinct ({result['seconds']}s)"
    )


def _logged_errors(stack: Stack, limit: int = 60) -> list[str]:
    """The last lines of each traceback the web and the worker logged (the exception line), deduplicated."""
    seen: Counter = Counter()
    for name in ("web", "worker", "beat"):
        lines = stack.log_tail(name, chars=5_000_000).splitlines()
        for i, line in enumerate(lines):
            if line.startswith("Traceback"):
                j = i + 1
                while j < len(lines) and (lines[j].startswith((" ", "\t")) or not lines[j].strip()):
                    j += 1
                if j < len(lines):
                    seen[f"{name}: {lines[j][:300]}"] += 1
    return [f"{count}x {line}" for line, count in seen.most_common(limit)]


if __name__ == "__main__":
    sys.exit(main())
