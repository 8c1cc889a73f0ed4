"""``python -m evals.routing``: route labelled requests (route-only runs of the real graph), as an experiment.

A row: ``text``, ``strategy`` (the label) and optionally ``accept`` (every strategy that counts as
right; reasoning requests accept cot, self_consistency and tot). Needs the default knowledge base
for the ``rag`` rows: ``--ingest docs`` ingests it first. ``--json`` ends with one line of metrics.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from evals.agent import Agent, context_from
from evals.data import read_rows
from evals.runner import Experiment, Suite, add_common_arguments, finish, print_metrics, run_suite

REQUESTS = Path(__file__).parent / "requests.jsonl"


def route_evaluator(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
    accept = reference_outputs.get("accept") or [reference_outputs["strategy"]]
    return {"key": "route_correct", "score": float(outputs.get("strategy") in accept)}


def summarise(rows: list[dict]) -> dict:
    metrics: dict = {
        "requests": len(rows),
        "route_accuracy": round(sum(r["scores"].get("route_correct") or 0 for r in rows) / len(rows), 3),
    }
    for label in sorted({r["reference"]["strategy"] for r in rows}):
        group = [r for r in rows if r["reference"]["strategy"] == label]
        metrics[f"accuracy_{label}"] = round(sum(r["scores"].get("route_correct") or 0 for r in group) / len(group), 3)
    metrics["routed_to"] = dict(Counter(r["outputs"].get("strategy", "") for r in rows))
    return metrics


def build(args: argparse.Namespace) -> Suite:
    rows = read_rows(args.requests, ("text", "strategy"))[: args.limit or None]
    if args.ingest:
        from tools.kb.ingest import ingest
        from tools.settings import get_settings

        ingest(args.ingest, get_settings().collection, progress=False)
    agent = Agent()
    context = context_from(args, route_only=True)

    async def target(inputs: dict) -> dict:
        state, _ = await agent.ask(inputs["text"], context)
        return {"strategy": state["strategy"], "reason": state["route_reason"]}

    return Suite(
        name="routing",
        examples=[
            {
                "id": r.get("id") or f"r{n}",
                "inputs": {"text": r["text"]},
                "outputs": {"strategy": r["strategy"], "accept": r.get("accept") or [r["strategy"]]},
            }
            for n, r in enumerate(rows, start=1)
        ],
        target=target,
        evaluators=[route_evaluator],
        summarise=summarise,
        columns=["id", "reference.strategy", "outputs.strategy", "scores.route_correct", "inputs.text"],
        config={"adapter": args.adapter, "model": args.model or "", "requests": str(args.requests)},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.routing", description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--requests", type=Path, default=REQUESTS)
    parser.add_argument(
        "--ingest", nargs="*", default=None, metavar="PATH", help="ingest into the default collection first"
    )
    args = parser.parse_args(argv)
    return finish(run_suite(build(args), offline=args.offline, prefix=args.prefix), args.json, show=_show)


def _show(experiment: Experiment) -> None:
    for row in experiment.rows:
        if not row["scores"].get("route_correct"):
            print(
                f"wrong: {row['inputs']['text'][:70]!r} -> {row['outputs'].get('strategy')} "
                f"(want {row['reference']['strategy']}): {str(row['outputs'].get('reason'))[:100]}"
            )
    print_metrics(experiment)


if __name__ == "__main__":
    sys.exit(main())
