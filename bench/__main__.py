"""``make bench`` / ``python -m bench [names...]``: run scenarios and print a Markdown table."""

import argparse
import importlib
import pkgutil
import sys

from bench import scenarios as scenarios_pkg
from bench.harness import FAILED, SCENARIOS, child_main, format_table, run_in_subprocess


def load_scenarios() -> None:
    for module in pkgutil.iter_modules(scenarios_pkg.__path__):
        importlib.import_module(f"bench.scenarios.{module.name}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="scenarios to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list scenarios")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    load_scenarios()
    if args.child:
        child_main(args.child)
        return 0
    if args.list:
        print("\n".join(sorted(SCENARIOS)))
        return 0
    names = args.names or sorted(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)} (see --list)")
    results = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows = run_in_subprocess(name)
        print(format_table(rows), file=sys.stderr, flush=True)  # each scenario's rows as soon as it ends
        results.extend(rows)
    print(format_table(results))
    return 1 if any(result.variant == FAILED for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
