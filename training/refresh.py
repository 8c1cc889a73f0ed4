"""``python -m training.refresh --name NAME``: train the next version of an adapter from the feedback store.

The method follows the feedback there is, and the plan is printed with its reasons before any step runs:

- corrections, and the adapter has no current version yet: SFT on the corrections and good answers first;
- preference pairs (a correction, or a good and a bad answer to one question): DPO from the current version;
- otherwise single thumbs, with both good and bad ones: KTO (unpaired; weighted for the imbalance);
- otherwise only good answers: SFT on them.

An SFT step also trains on anchor rows (``--anchors``, default 24): the current version's own answers
to everyday requests, so that the corrections do not leak into unrelated answers (see
:mod:`training.anchors`). Every step goes through the same registration, verification, eval gate and promotion as its own CLI
(``--gate-suite`` and the other options are passed on) and continues from the version current at that
moment. Exits 3 when there is nothing to learn from, 1 when a step fails; a step the gate refuses is
reported, and the steps after it continue from the version that is still current.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.feedback import FeedbackStore
from tools.settings import get_settings
from training.feedback import build_rows, build_unpaired, write_jsonl
from training.registry import Registry, check_name


@dataclass(frozen=True)
class Step:
    """One training step of a refresh: its method, the export file it trains on, and why it runs."""

    method: str  # sft | dpo | kto
    data: str  # which export file it trains on
    reason: str


def plan(counts: dict[str, int], corrections: int, has_current: bool) -> list[Step]:
    """The steps for this feedback (empty: nothing to learn from)."""
    steps: list[Step] = []
    if corrections and not has_current and counts["sft_rows"]:
        steps.append(
            Step(
                "sft",
                "sft",
                f"{corrections} corrections and no current version to continue: supervised fine-tuning on them first",
            )
        )
    if counts["dpo_pairs"]:
        steps.append(
            Step(
                "dpo",
                "dpo",
                f"{counts['dpo_pairs']} preference pairs (a better answer beside a worse one "
                "to the same question): DPO",
            )
        )
    elif counts["kto_desirable"] and counts["kto_undesirable"]:
        steps.append(
            Step(
                "kto",
                "kto",
                f"no pairs, but {counts['kto_desirable']} good and {counts['kto_undesirable']} bad "
                "single ratings: KTO learns from unpaired thumbs",
            )
        )
    elif not steps and counts["sft_rows"]:
        steps.append(Step("sft", "sft", f"only good answers ({counts['sft_rows']}): supervised fine-tuning on them"))
    return steps


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m training.refresh", description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="tailor", help="adapter to train the next version of (default tailor)")
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for the exported data (default TAILOR_DATA_DIR/refresh)"
    )
    parser.add_argument(
        "--store", type=Path, default=None, help="feedback database (default TAILOR_DATA_DIR/feedback.sqlite)"
    )
    parser.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    parser.add_argument(
        "--anchors",
        type=int,
        default=24,
        help="everyday requests whose current answers an SFT step keeps (0: none; at most the bank's size)",
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line: the plan and what each step did")
    # Anything else (--gate-suite adapters, --max-steps 20, --lr 1e-3 ...) goes to every training step.
    return parser.parse_known_args(argv)


def main(argv: list[str] | None = None) -> int:
    args, passed_on = parse_args(argv)
    check_name(args.name)
    out = args.out or get_settings().data_dir / "refresh"
    items = FeedbackStore(args.store).list(limit=0)
    sft, dpo, counts = build_rows(items)
    kto, kto_counts = build_unpaired(items)
    counts.update(kto_counts)
    corrections = sum(1 for item in items if item.correction.strip())
    registry = Registry()
    steps = plan(counts, corrections, registry.current(args.name) is not None)
    print(
        f"refresh {args.name}: {counts['feedback']} pieces of feedback ({corrections} corrections, "
        f"{counts['dpo_pairs']} pairs, {counts['kto_desirable']} good and {counts['kto_undesirable']} bad ratings)"
    )
    if not steps:
        print(
            "error: nothing to learn from yet: rate answers (Good/Bad answer in the web app, /good and /bad in "
            "graph.chat) or correct one (Correct it, /fix).",
            file=sys.stderr,
        )
        return 3
    for number, step in enumerate(steps, start=1):
        print(f"plan {number}/{len(steps)}: {step.method.upper()}, because {step.reason}")
    if args.dry_run:
        return 0
    files = {"sft": (out / "sft.jsonl", sft), "dpo": (out / "dpo.jsonl", dpo), "kto": (out / "kto.jsonl", kto)}
    for path, rows in files.values():
        write_jsonl(path, rows)
    anchors = out / "anchors.jsonl"
    if args.anchors > 0 and any(step.method == "sft" for step in steps):
        from training.anchors import anchor_rows

        kept = anchor_rows(args.name, args.anchors)
        write_jsonl(anchors, kept)
        print(f"anchors: {len(kept)} everyday requests keep the answers the current version gives them")
    done = []
    for step in steps:
        before = registry.pointer(args.name).get("current")
        data = [str(files[step.data][0])] + ([str(anchors)] if step.method == "sft" and args.anchors > 0 else [])
        step_argv = ["--data", *data, "--name", args.name, *passed_on]
        if before:
            step_argv += ["--from-adapter", args.name]
        print(f"{step.method}: python -m training.{step.method} {' '.join(step_argv)}", flush=True)
        code = _trainer(step.method)(step_argv)
        after = registry.pointer(args.name).get("current")
        done.append(
            {"method": step.method, "reason": step.reason, "exit": code, "promoted": after != before, "current": after}
        )
        if code != 0:
            print(
                f"error: the {step.method} step failed (exit {code}); the current version stays {before or 'none'}.",
                file=sys.stderr,
            )
            break
        print(
            f"{step.method}: {'promoted ' + str(after) if after != before else 'not promoted; current stays ' + str(before)}"
        )
    if args.json:
        print(json.dumps({"name": args.name, "counts": counts, "steps": done}))
    return 1 if any(s["exit"] for s in done) else 0


def _trainer(method: str):
    if method == "sft":
        from training.sft import main as train
    elif method == "dpo":
        from training.dpo import main as train
    else:
        from training.kto import main as train
    return train


if __name__ == "__main__":
    sys.exit(main())
