"""``python -m evals.strategies``: the same questions through several strategies, side by side.

Per strategy: accuracy (the stated or extracted final answer matches), model calls per question
(self-consistency counts each sample; tree of thoughts each propose, value and answer call) and
seconds per question. ``--json`` ends with one line of metrics.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.agent import Agent, context_from
from evals.data import read_rows
from evals.runner import Suite, add_common_arguments, finish, run_suite

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


def accuracy_evaluator(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
    return {
        "key": "accuracy",
        "score": float(correct(reference_outputs["answer"], outputs.get("final"), outputs.get("answer", ""))),
    }


def summarise(rows: list[dict]) -> dict:
    strategies = list(dict.fromkeys(r["inputs"]["strategy"] for r in rows))
    metrics: dict = {"questions": len({r["id"].rsplit(":", 1)[0] for r in rows})}
    for strategy in strategies:
        group = [r for r in rows if r["inputs"]["strategy"] == strategy]
        metrics[f"{strategy}_accuracy"] = round(sum(r["scores"].get("accuracy") or 0 for r in group) / len(group), 3)
        metrics[f"{strategy}_calls_per_question"] = round(
            sum(r["outputs"].get("calls", 0) for r in group) / len(group), 2
        )
        metrics[f"{strategy}_seconds_per_question"] = round(sum(r["seconds"] for r in group) / len(group), 2)
    return metrics


def build(args: argparse.Namespace) -> Suite:
    strategies = [s.strip() for s in args.strategies.split(",") if s.strip()]
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        raise SystemExit(f"unknown strategies {unknown}; choose from {', '.join(STRATEGIES)}")
    rows = read_rows(args.questions, ("id", "question", "answer"))[: args.limit or None]
    agent = Agent()

    async def target(inputs: dict) -> dict:
        strategy = inputs["strategy"]
        _, result = await agent.ask(
            inputs["question"], context_from(args, strategy=strategy, max_new_tokens=args.max_new_tokens)
        )
        return {
            "answer": result["answer"],
            "final": final_answer(strategy, result["answer"], result["reasoning"]),
            "calls": model_calls(strategy, result["reasoning"]),
        }

    return Suite(
        name="strategies",
        examples=[
            {
                "id": f"{r['id']}:{strategy}",
                "inputs": {"question": r["question"], "strategy": strategy},
                "outputs": {"answer": r["answer"]},
            }
            for strategy in strategies
            for r in rows
        ],
        target=target,
        evaluators=[accuracy_evaluator],
        summarise=summarise,
        columns=["id", "reference.answer", "outputs.final", "scores.accuracy", "outputs.calls"],
        config={"adapter": args.adapter, "model": args.model or "", "strategies": strategies},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.strategies", description=__doc__.splitlines()[0])
    add_common_arguments(parser)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--strategies", default=",".join(STRATEGIES), help="comma-separated")
    parser.add_argument("--max-new-tokens", type=int, default=160)
    args = parser.parse_args(argv)
    return finish(run_suite(build(args), offline=args.offline, prefix=args.prefix), args.json)


if __name__ == "__main__":
    sys.exit(main())
