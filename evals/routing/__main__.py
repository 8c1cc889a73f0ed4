"""``python -m evals.routing``: route labelled requests (route-only runs of the real graph) and report accuracy.

A row: ``text``, ``strategy`` (the label) and optionally ``accept`` (every strategy that counts as
right; reasoning requests accept cot, self_consistency and tot). Needs the default knowledge base
for the ``rag`` rows: ``--ingest docs`` ingests it first. ``--json`` ends with one line of metrics.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

from tqdm.auto import tqdm

from evals.data import read_rows
from evals.report import write_report

REQUESTS = Path(__file__).parent / "requests.jsonl"


async def route_all(rows: list[dict]) -> list[dict]:
    from langchain_core.messages import HumanMessage

    from graph.context import Context
    from graph.graph import build_graph

    agent = build_graph()
    for row in tqdm(rows, desc="routing", unit="request", file=sys.stderr):
        state = await agent.ainvoke({"messages": [HumanMessage(content=row["text"])]}, context=Context(route_only=True))
        row["routed"] = state["strategy"]
        row["reason"] = state["route_reason"]
        row["correct"] = row["routed"] in (row.get("accept") or [row["strategy"]])
    return rows


def summarise(rows: list[dict]) -> dict:
    metrics: dict = {"requests": len(rows), "route_accuracy": round(sum(r["correct"] for r in rows) / len(rows), 3)}
    for label in sorted({r["strategy"] for r in rows}):
        group = [r for r in rows if r["strategy"] == label]
        metrics[f"accuracy_{label}"] = round(sum(r["correct"] for r in group) / len(group), 3)
    metrics["routed_to"] = dict(Counter(r["routed"] for r in rows))
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.routing", description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=Path, default=REQUESTS)
    parser.add_argument("--ingest", nargs="*", default=None, metavar="PATH", help="ingest into the default collection first")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = read_rows(args.requests, ("text", "strategy"))
    if args.ingest:
        from tools.kb.ingest import ingest
        from tools.settings import get_settings

        ingest(args.ingest, get_settings().collection, progress=False)
    rows = asyncio.run(route_all(rows))
    metrics = summarise(rows)
    paths = write_report("routing", rows, metrics, columns=["strategy", "routed", "correct", "text", "reason"])
    if args.json:
        print(json.dumps({"suite": "routing", **metrics, "report": str(paths["json"])}))
    else:
        for row in rows:
            if not row["correct"]:
                print(f"wrong: {row['text'][:70]!r} -> {row['routed']} (want {row['strategy']}): {row['reason'][:100]}")
        for key, value in metrics.items():
            print(f"{key:24s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
