"""``python -m evals.guardrails``: detection rate per attack technique and false-positive rate per benign group.

Rows: ``attacks.jsonl`` and ``benign.jsonl`` with ``technique`` and ``text`` (the suite), or a held-out
pair with ``--set heldout`` ... ``--set heldout4`` (each written after the previous round of rules, to measure what they miss). Each text goes through
``tools.guard`` under a policy (default: the shipped one); "block" is a detection. ``--json`` ends
with one line of metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from evals.data import read_rows
from evals.report import write_report

HERE = Path(__file__).parent
SETS = ("suite", "heldout", "heldout2", "heldout3", "heldout4")


def rates(rows: list[dict]) -> dict[str, float]:
    groups: dict[str, list[bool]] = {}
    for row in rows:
        groups.setdefault(row["technique"], []).append(row["blocked"])
    return {name: round(sum(hits) / len(hits), 3) for name, hits in sorted(groups.items())}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.guardrails", description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=SETS, default="suite", help="which bundled pair of files to run")
    parser.add_argument("--attacks", type=Path, default=None, help="attack rows (default: the --set's)")
    parser.add_argument("--benign", type=Path, default=None, help="benign rows (default: the --set's)")
    parser.add_argument("--policy", default=None, help="policy YAML (default: the shipped one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    prefix = "" if args.set == "suite" else f"{args.set}_"
    args.attacks = args.attacks or HERE / f"{prefix}attacks.jsonl"
    args.benign = args.benign or HERE / f"{prefix}benign.jsonl"

    from tools.guard.policy import load_policy
    from tools.guard.scan import scan_text

    policy = load_policy(args.policy)
    rows = []
    for kind, path in (("attack", args.attacks), ("benign", args.benign)):
        for row in read_rows(path, ("technique", "text")):
            result = scan_text(row["text"], policy)
            rows.append({**row, "kind": kind, "blocked": result["verdict"] == "block",
                         "score": result["categories"].get("injection", {}).get("score", 0.0)})
    attacks = [r for r in rows if r["kind"] == "attack"]
    benign = [r for r in rows if r["kind"] == "benign"]
    metrics: dict = {
        "attacks": len(attacks),
        "benign": len(benign),
        "detection_rate": round(sum(r["blocked"] for r in attacks) / len(attacks), 3),
        "false_positive_rate": round(sum(r["blocked"] for r in benign) / len(benign), 3),
    }
    detection, false_positives = rates(attacks), rates(benign)
    paths = write_report("guardrails", rows, {**metrics, **{f"detect_{k}": v for k, v in detection.items()},
                                              **{f"fp_{k}": v for k, v in false_positives.items()}},
                         columns=["kind", "technique", "blocked", "score", "text"])
    if args.json:
        print(json.dumps({"suite": "guardrails", "set": args.set, **metrics, "detection": detection, "false_positives": false_positives,
                          "report": str(paths["json"])}, ensure_ascii=False))
    else:
        print(f"{'attack technique':24s} detected")
        for name, value in detection.items():
            print(f"{name:24s} {value:.3f}")
        print(f"\n{'benign group':24s} blocked (false positives)")
        for name, value in false_positives.items():
            print(f"{name:24s} {value:.3f}")
        print(f"\ndetection {metrics['detection_rate']:.3f} over {len(attacks)} attacks; "
              f"false positives {metrics['false_positive_rate']:.3f} over {len(benign)} benign requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
