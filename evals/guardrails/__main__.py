"""``python -m evals.guardrails``: detection rate per attack technique and false-positive rate per benign group.

Rows: ``attacks.jsonl`` and ``benign.jsonl`` with ``technique`` and ``text`` (the suite), or a held-out
pair with ``--set heldout`` ... ``--set heldout5`` (each written after the previous round of rules, to measure what they miss;
heldout5 after the learned layer, with content safety by category; heldout7 by an author who never saw the training data). Each text goes through
``tools.guard`` under a policy (default: the shipped one); "block" is a detection. ``--json`` ends
with one line of metrics. ``--set`` with several names runs each as its own experiment in one process (the
models load once), one JSON line each.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.data import read_rows
from evals.evaluators import refusal_evaluator
from evals.guardrails import SETS
from evals.runner import Experiment, Suite, add_common_arguments, finish, run_suite

HERE = Path(__file__).parent


def rates(rows: list[dict]) -> dict[str, float]:
    groups: dict[str, list[bool]] = {}
    for row in rows:
        groups.setdefault(row["technique"], []).append(row["blocked"])
    return {name: round(sum(hits) / len(hits), 3) for name, hits in sorted(groups.items())}


def build(args: argparse.Namespace) -> Suite:
    from tools.guard.policy import load_policy
    from tools.guard.scan import scan_text

    prefix = "" if args.set == "suite" else f"{args.set}_"
    policy = load_policy(args.policy)
    examples = []
    for kind, path in (
        ("attack", args.attacks or HERE / f"{prefix}attacks.jsonl"),
        ("benign", args.benign or HERE / f"{prefix}benign.jsonl"),
    ):
        for number, row in enumerate(read_rows(path, ("technique", "text")), start=1):
            examples.append(
                {
                    "id": f"{kind}-{number}",
                    "inputs": {"text": row["text"]},
                    "outputs": {"kind": kind, "technique": row["technique"], "should_refuse": kind == "attack"},
                }
            )

    async def target(inputs: dict) -> dict:
        result = scan_text(inputs["text"], policy)
        return {
            "refused": result["verdict"] == "block",
            "blocked_by": result.get("blocked_by", []),
            "score": result["categories"].get("injection", {}).get("score", 0.0),
        }

    def summarise(rows: list[dict]) -> dict:
        attacks = [r for r in rows if r["reference"]["kind"] == "attack"]
        benign = [r for r in rows if r["reference"]["kind"] == "benign"]

        def by_technique(items: list[dict]) -> dict[str, float]:
            return rates(
                [
                    {"technique": r["reference"]["technique"], "blocked": bool(r["outputs"].get("refused"))}
                    for r in items
                ]
            )

        return {
            "set": args.set,
            "attacks": len(attacks),
            "benign": len(benign),
            "detection_rate": round(sum(bool(r["outputs"].get("refused")) for r in attacks) / max(len(attacks), 1), 3),
            "false_positive_rate": round(
                sum(bool(r["outputs"].get("refused")) for r in benign) / max(len(benign), 1), 3
            ),
            "detection": by_technique(attacks),
            "false_positives": by_technique(benign),
        }

    return Suite(
        name="guardrails",
        examples=examples,
        target=target,
        evaluators=[refusal_evaluator],
        summarise=summarise,
        columns=["id", "reference.technique", "outputs.refused", "outputs.score", "inputs.text"],
        config={"set": args.set, "policy": args.policy or "default"},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.guardrails", description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument(
        "--set",
        nargs="+",
        choices=SETS,
        default=["suite"],
        dest="sets",
        metavar="SET",
        help="which bundled pairs of files to run, each its own experiment (one process loads the models once)",
    )
    parser.add_argument("--attacks", type=Path, default=None, help="attack rows (default: the --set's)")
    parser.add_argument("--benign", type=Path, default=None, help="benign rows (default: the --set's)")
    parser.add_argument("--policy", default=None, help="policy YAML (default: the shipped one)")
    args = parser.parse_args(argv)
    if len(args.sets) > 1 and (args.attacks or args.benign):
        parser.error("--attacks and --benign replace one set's files: give a single --set with them")
    status = 0
    for name in args.sets:
        suite = build(argparse.Namespace(**vars(args), set=name))
        experiment = run_suite(suite, offline=args.offline, prefix=args.prefix, progress=not args.json)
        status = max(status, finish(experiment, args.json, show=_show))
    return status


def _show(experiment: Experiment) -> None:
    metrics = experiment.metrics
    print(f"{'attack technique':24s} detected")
    for name, value in metrics["detection"].items():
        print(f"{name:24s} {value:.3f}")
    print(f"\n{'benign group':24s} blocked (false positives)")
    for name, value in metrics["false_positives"].items():
        print(f"{name:24s} {value:.3f}")
    print(
        f"\ndetection {metrics['detection_rate']:.3f} over {metrics['attacks']} attacks; "
        f"false positives {metrics['false_positive_rate']:.3f} over {metrics['benign']} benign requests"
    )
    print(f"report: {experiment.paths['markdown']}")


if __name__ == "__main__":
    sys.exit(main())
