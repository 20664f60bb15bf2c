"""A small benchmark harness: named scenarios, each run in its own process, reported as one table.

A scenario is a function registered with ``@scenario("name")`` that returns a list of :class:`Result`
(one per measured variant, the baseline among them). Each scenario runs in a fresh subprocess so that its
peak RSS is its own. Benchmarks report; they never assert wall-clock limits.
"""

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

SCENARIOS: dict[str, Callable[[], list["Result"]]] = {}


@dataclass
class Result:
    scenario: str
    variant: str
    size: int
    seconds: float
    unit: str = "req/s"  # what `size` counts per second: req/s, rows/s, events/s...
    baseline: bool = False
    peak_rss_mb: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.size / self.seconds if self.seconds else 0.0


def scenario(name: str):
    def register(func):
        SCENARIOS[name] = func
        return func

    return register


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


@contextmanager
def timed():
    box = {"seconds": 0.0}
    start = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - start


FAILED = "FAILED (its output is above the table)"


def run_in_subprocess(name: str) -> list[Result]:
    env = dict(os.environ, TESTING="1")
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--child", name], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:  # the run goes on: the other scenarios' figures are not lost with this one
        sys.stderr.write(proc.stdout + proc.stderr + f"scenario {name} failed\n")
        return [Result(name, FAILED, 0, 0.0)]
    payload = proc.stdout.strip().splitlines()[-1]
    return [Result(**item) for item in json.loads(payload)]


def child_main(name: str) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    results = SCENARIOS[name]()
    rss = peak_rss_mb()
    for result in results:
        result.peak_rss_mb = result.peak_rss_mb or rss
    print(json.dumps([asdict(r) for r in results]))


def format_table(results: list[Result]) -> str:
    header = ["scenario", "variant", "size", "seconds", "rate", "peak RSS MB", "ratio to baseline", "notes"]
    rows = []
    baselines = {r.scenario: r for r in results if r.baseline}
    for r in results:
        base = baselines.get(r.scenario)
        ratio = f"{r.rate / base.rate:.2f}" if base and base.rate and not r.baseline else ("1.00" if r.baseline else "")
        notes = ", ".join(f"{k}={v}" for k, v in r.extra.items())
        rate = f"{r.rate:,.0f} {r.unit}"
        rows.append(
            [r.scenario, r.variant, str(r.size), f"{r.seconds:.3f}", rate, f"{r.peak_rss_mb:.0f}", ratio, notes]
        )
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)
