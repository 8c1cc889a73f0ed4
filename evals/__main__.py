"""``python -m evals run --suite rag|routing|strategies|guardrails|all [suite options]``: run eval suites.

Each suite is also its own module (``python -m evals.rag`` ...); options after the suite name are
passed to it (``python -m evals run --suite rag --retrieval-only --json``).
"""

from __future__ import annotations

import argparse
import importlib
import sys

SUITES = ("rag", "routing", "strategies", "guardrails")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one suite, or all of them")
    run.add_argument("--suite", choices=[*SUITES, "all"], required=True)
    args, rest = parser.parse_known_args(argv)
    status = 0
    for suite in SUITES if args.suite == "all" else (args.suite,):
        module = importlib.import_module(f"evals.{suite}.__main__")
        status = max(status, module.main(rest))
    return status


if __name__ == "__main__":
    sys.exit(main())
