"""``python -m evals.strategies``: the same questions through several strategies, side by side.

Per strategy: accuracy (the stated or extracted final answer matches), model calls per question
(self-consistency counts each sample; tree of thoughts each propose, value and answer call) and
seconds per question. ``--json`` ends with one line of metrics.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from tqdm.auto import tqdm

from evals.data import read_rows
from evals.report import write_report

QUESTIONS = Path(__file__).parent / "questions.jsonl"
STRATEGIES = ("direct", "cot", "self_consistency", "tot")


def final_answer(strategy: str, text: str, reasoning: dict) -> str | None:
    from graph.extract import extract_answer

    stated = (reasoning.get(strategy) or {}).get("answer") if strategy != "direct" else None
    return stated if stated is not None else extract_answer(text)


def correct(expected: str, answer: str | None, text: str) -> bool:
    from graph.extract import normalise

    want = normalise(expected)
    if answer is not None and normalise(answer) == want:
        return True
    # Word answers ("yes", "carl") count when the stated answer says them.
    return not want.replace(".", "").isdigit() and answer is not None and want in answer.lower()


def model_calls(strategy: str, reasoning: dict) -> int:
    return int(reasoning.get("model_calls", 1)) if strategy in ("self_consistency", "tot") else 1


async def run(rows: list[dict], strategies: list[str], max_new_tokens: int) -> list[dict]:
    from langchain_core.messages import HumanMessage

    from graph.answer import result_of
    from graph.context import Context
    from graph.graph import build_graph

    agent = build_graph()
    out = []
    for strategy in strategies:
        ctx = Context(strategy=strategy, max_new_tokens=max_new_tokens)
        for row in tqdm(rows, desc=strategy, unit="q", file=sys.stderr):
            started = time.perf_counter()
            state = await agent.ainvoke({"messages": [HumanMessage(content=row["question"])]}, context=ctx)
            result = result_of(state)
            answer = final_answer(strategy, result["answer"], result["reasoning"])
            out.append({"id": row["id"], "strategy": strategy, "expected": row["answer"], "answer": answer,
                        "correct": correct(row["answer"], answer, result["answer"]),
                        "calls": model_calls(strategy, result["reasoning"]),
                        "seconds": round(time.perf_counter() - started, 2), "text": result["answer"]})
    return out


def summarise(rows: list[dict], strategies: list[str]) -> dict:
    metrics: dict = {"questions": len({r["id"] for r in rows})}
    for strategy in strategies:
        group = [r for r in rows if r["strategy"] == strategy]
        metrics[f"{strategy}_accuracy"] = round(sum(r["correct"] for r in group) / len(group), 3)
        metrics[f"{strategy}_calls_per_question"] = round(sum(r["calls"] for r in group) / len(group), 2)
        metrics[f"{strategy}_seconds_per_question"] = round(sum(r["seconds"] for r in group) / len(group), 2)
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.strategies", description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--strategies", default=",".join(STRATEGIES), help="comma-separated")
    parser.add_argument("--limit", type=int, default=0, help="first N questions only")
    parser.add_argument("--max-new-tokens", type=int, default=160)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        parser.error(f"unknown strategies {unknown}; choose from {', '.join(STRATEGIES)}")
    rows = read_rows(args.questions, ("id", "question", "answer"))[: args.limit or None]
    results = asyncio.run(run(rows, strategies, args.max_new_tokens))
    metrics = summarise(results, strategies)
    paths = write_report("strategies", results, metrics, columns=["strategy", "id", "expected", "answer", "correct", "calls"])
    if args.json:
        print(json.dumps({"suite": "strategies", **metrics, "report": str(paths["json"])}))
    else:
        for key, value in metrics.items():
            print(f"{key:36s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
