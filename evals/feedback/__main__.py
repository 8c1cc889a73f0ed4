"""``python -m evals.feedback``: the questions people corrected or rated good, answered directly.

The base model or an adapter answers, scored against what they said the answer should be.

The references come from the feedback store (``TAILOR_DATA_DIR/feedback.sqlite``): for each question,
its newest correction, else its newest answer rated good. This is the suite that shows whether a
refresh learned what it was taught; the eval gate runs it beside the regression suite
(``--gate-suite adapters,feedback``), so a version that learns the corrections without losing the rest
is promoted. Scores: exact match, contains, token F1 and ROUGE-L, as in the adapters suite.
"""

from __future__ import annotations

import argparse
import sys

from evals.agent import Agent, context_from
from evals.evaluators import text_evaluators
from evals.runner import Suite, SuiteNotReady, add_common_arguments, suite_main


def references(items) -> list[dict[str, str]]:
    """One row per question: the newest correction, else the newest good answer (items come newest first)."""
    rows: dict[str, dict[str, str]] = {}
    for item in items:
        if item.source != "user" or not item.question.strip():
            continue
        key = " ".join(item.question.lower().split())
        reference = item.correction.strip() or (item.answer.strip() if item.good else "")
        if not reference:
            continue
        if key not in rows or (item.correction.strip() and not rows[key]["corrected"]):
            rows[key] = {"question": item.question, "answer": reference, "corrected": bool(item.correction.strip())}
    return [
        {"id": f"feedback-{n}", "question": r["question"], "answer": r["answer"]}
        for n, r in enumerate(rows.values(), 1)
    ]


def build(args: argparse.Namespace) -> Suite:
    from tools.feedback import FeedbackStore

    rows = references(FeedbackStore().list(limit=0))[: args.limit or None]
    if not rows:
        raise SuiteNotReady(
            "the feedback store has no corrections or good ratings yet: there is nothing to check "
            "a version against (give feedback first, or gate on the adapters suite alone)."
        )
    agent = Agent()
    context = context_from(args, strategy="direct", max_new_tokens=args.max_new_tokens, temperature=0.0)

    async def target(inputs: dict) -> dict:
        _, result = await agent.ask(inputs["question"], context)
        return {"answer": result["answer"], "adapter": result["adapter"]}

    return Suite(
        name="feedback",
        examples=[
            {"id": r["id"], "inputs": {"question": r["question"]}, "outputs": {"answer": r["answer"]}} for r in rows
        ],
        target=target,
        evaluators=text_evaluators(),
        columns=["id", "inputs.question", "scores.contains", "scores.token_f1", "outputs.answer"],
        config={"adapter": args.adapter, "model": args.model or "", "strategy": "direct", "questions": len(rows)},
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m evals.feedback", description=__doc__.splitlines()[0])
    add_common_arguments(p)
    p.add_argument("--max-new-tokens", type=int, default=64)
    return p


def main(argv: list[str] | None = None) -> int:
    return suite_main(build, parser(), argv)


if __name__ == "__main__":
    sys.exit(main())
