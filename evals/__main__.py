"""``python -m evals run --suite SUITE [options]`` and ``python -m evals compare A B``.

``SUITE`` is rag, routing, strategies, guardrails, adapters or all. Each suite is also its own module
(``python -m evals.rag`` ...); options after the suite name are passed to it
(``python -m evals run --suite rag --retrieval-only --json``). Shared options: ``--offline``, ``--json``,
``--adapter NAME``, ``--model SPEC``, ``--judge SPEC``, ``--limit N``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

SUITES = ("rag", "routing", "strategies", "guardrails", "adapters")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one suite, or all of them")
    run.add_argument("--suite", choices=[*SUITES, "all"], required=True)
    compare = sub.add_parser("compare", help="two experiments side by side")
    compare.add_argument("a", help="report file, experiment name, or suite name (its newest report)")
    compare.add_argument("b")
    compare.add_argument("--json", action="store_true", help="end with one JSON line")
    args, rest = parser.parse_known_args(argv)
    if args.command == "compare":
        if rest:
            parser.error(f"unknown arguments {rest}")
        from evals.compare import CompareError, print_comparison, write_comparison
        from evals.compare import compare as compare_runs

        try:
            result = compare_runs(args.a, args.b)
        except CompareError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        paths = write_comparison(result)
        if args.json:
            print(json.dumps({**result, "report": str(paths["markdown"])}))
        else:
            print_comparison(result)
            print(f"report: {paths['markdown']}")
        return 0
    status = 0
    for suite in SUITES if args.suite == "all" else (args.suite,):
        module = importlib.import_module(f"evals.{suite}.__main__")
        status = max(status, module.main(rest))
    return status


if __name__ == "__main__":
    sys.exit(main())
