"""The table of `make mutate`: mutmut's results per module (killed, survived, score), failing under the bar.

Run by the Makefile after ``mutmut run``, from the project directory: ``python -m tests.mutation_report``.
A timeout counts as killed (the mutant was detected); "no tests" (a function no selected test reached, e.g. the
PostgreSQL forms of the keys on SQLite) and "suspicious" count as not killed.
"""

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

MINIMUM_SCORE = 90.0
LINE = re.compile(r"^\s*(?P<module>[\w.]+?)\.x(?:_|ǁ)(?P<name>\S+?)__mutmut_\d+: (?P<status>.+?)\s*$")
KILLED = {"killed", "timeout"}


def main() -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    out = subprocess.run([str(mutmut), "results", "--all", "true"], capture_output=True, text=True, check=True).stdout
    by_module: dict[str, Counter] = defaultdict(Counter)
    others = []
    for line in out.splitlines():
        found = LINE.match(line)
        if found is None:
            continue
        status = found["status"]
        by_module[found["module"]][status] += 1
        if status not in KILLED:
            others.append(line.strip())
    if not by_module:
        print("no mutants found: did `mutmut run` run?", file=sys.stderr)
        return 1
    rows = ["| module | mutants | killed | survived | score |", "| --- | ---: | ---: | ---: | ---: |"]
    total = Counter()
    for module, counts in sorted(by_module.items()):
        mutants, killed = sum(counts.values()), sum(counts[s] for s in KILLED)
        total.update(mutants=mutants, killed=killed)
        rows.append(f"| {module} | {mutants} | {killed} | {mutants - killed} | {100 * killed / mutants:.1f}% |")
    score = 100 * total["killed"] / total["mutants"]
    rows.append(
        f"| **all** | {total['mutants']} | {total['killed']} | {total['mutants'] - total['killed']} | {score:.1f}% |"
    )
    print("\n".join(rows))
    if others:
        print("\nNot killed (docs/testing.md says why):\n  " + "\n  ".join(others))
    if score < MINIMUM_SCORE:
        print(f"\nmutation score {score:.1f}% is under {MINIMUM_SCORE}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
