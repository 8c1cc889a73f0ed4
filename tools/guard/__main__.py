"""``python -m tools.guard scan [TEXT] [--input FILE|-] [--json] [--policy FILE]``: guard verdicts for texts.

One result per input: ``verdict`` (allow or block), ``categories`` with scores, and ``redacted``
(personal data replaced by typed placeholders such as ``<EMAIL_1>``; the text unchanged when there
is none). ``--input`` reads JSONL rows ``{"text": ...}`` (or plain lines); ``-`` is standard input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator

from tools.guard.perplexity import Scorer
from tools.guard.policy import PolicyError, load_policy
from tools.guard.scan import scan_text


def _inputs(args: argparse.Namespace) -> Iterator[str]:
    if args.text is not None:
        yield args.text
        return
    stream = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8")
    with stream:
        for number, line in enumerate(stream, start=1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if line.lstrip().startswith("{"):
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{args.input}:{number}: not valid JSON ({exc.msg}).") from None
                if not isinstance(row.get("text"), str):
                    raise ValueError(f'{args.input}:{number}: needs a string field "text".')
                yield row["text"]
            else:
                yield line


def _scorer(spec: str) -> Scorer | None:
    """The agent's model for the perplexity layer, reached by name.

    Tools never import the graph, and only this command line (not the library) wants the agent's model factory.
    """
    import importlib

    scorer: Scorer | None = importlib.import_module("graph.models.factory").guard_scorer(spec)
    return scorer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.guard", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser("scan", help="verdict, category scores and redacted text")
    scan.add_argument("text", nargs="?", default=None)
    scan.add_argument("--input", "-i", default=None, help='JSONL {"text": ...} rows or plain lines; - for stdin')
    scan.add_argument("--json", action="store_true", help="one JSON object per input")
    scan.add_argument("--policy", default=None, help="policy YAML (default tools/guard/policies/default.yaml)")
    args = parser.parse_args(argv)
    if (args.text is None) == (args.input is None):
        parser.error("give a TEXT or --input FILE (one of them)")
    try:
        policy = load_policy(args.policy)
        scorer = _scorer(str(policy.perplexity.option("model", "auto"))) if policy.perplexity.enabled else None
        for text in _inputs(args):
            result = scan_text(text, policy, scorer=scorer)
            if args.json:
                print(json.dumps(result, ensure_ascii=False))
            else:
                scores = ", ".join(f"{k} {v['score']:.2f}" for k, v in result["categories"].items())
                print(f"{result['verdict']}\t{scores}\t{result['redacted']}")
    except (PolicyError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
