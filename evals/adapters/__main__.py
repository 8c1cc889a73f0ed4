"""``python -m evals.adapters``: held-out questions on what the bundled SFT data teaches, answered directly.

No retrieval: the base model or an adapter (``--adapter tailor``, ``--adapter tailor@v2``) answers.

Scores: exact match, contains (a key fact), token F1 and ROUGE-L against the reference answer, and
the LLM judge's faithfulness/helpfulness with ``--judge``. This is the suite the eval gate runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evals.agent import Agent, context_from
from evals.data import read_rows
from evals.evaluators import text_evaluators
from evals.runner import Suite, add_common_arguments, finish, run_suite

QUESTIONS = Path(__file__).parent / "questions.jsonl"


def build(args: argparse.Namespace) -> Suite:
    rows = read_rows(args.questions, ("id", "question", "answer"))[: args.limit or None]
    agent = Agent()
    context = context_from(args, strategy="direct", max_new_tokens=args.max_new_tokens, temperature=0.0)

    async def target(inputs: dict) -> dict:
        _, result = await agent.ask(inputs["question"], context)
        return {"answer": result["answer"], "adapter": result["adapter"]}

    evaluators = text_evaluators()
    if args.judge:
        from evals.judge import judge_evaluators

        evaluators += [e for e in judge_evaluators(args.judge) if e.__name__ in ("helpfulness", "reward")]
    return Suite(
        name="adapters",
        examples=[
            {
                "id": r["id"],
                "inputs": {"question": r["question"]},
                "outputs": {"answer": r["answer"], "facts": r.get("facts", [])},
            }
            for r in rows
        ],
        target=target,
        evaluators=evaluators,
        columns=["id", "scores.contains", "scores.token_f1", "scores.rouge_l", "outputs.answer"],
        config={"adapter": args.adapter, "model": args.model or "", "judge": args.judge, "strategy": "direct"},
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals.adapters", description=__doc__.splitlines()[0])
    add_common_arguments(p)
    p.add_argument("--questions", type=Path, default=QUESTIONS)
    p.add_argument("--max-new-tokens", type=int, default=64)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return finish(run_suite(build(args), offline=args.offline, prefix=args.prefix), args.json)


if __name__ == "__main__":
    sys.exit(main())
