"""LLM-as-judge evaluators: faithfulness and helpfulness, each a 1-5 grade mapped to 0-1.

Faithfulness: is the answer supported by the retrieved text; helpfulness: does it answer the question.

The judge is any model spec (``--judge default``, ``--judge openai:http://host/v1#model``, ...), or
a reward model trained with ``python -m training.reward`` (``--judge reward:NAME`` or
``reward:NAME@vN``): its score for the answer, squashed to 0-1 by the logistic function (0.5: the
reward model has no preference), is ``judge_reward``.
A local model is not asked to write its grade: the five replies "Score: 1" ... "Score: 5" are
scored by likelihood and the grade is their probability-weighted mean, because a small model
asked to write one mostly repeats the answer instead. Other models write the grade; a reply
without one scores None (left out of the mean). The embedded default (135M parameters) is allowed
but weak: its grades vary little between good and bad answers, so treat them as a smoke signal
and use a larger judge for decisions.
"""

from __future__ import annotations

import re
from typing import Any

import prompts
from evals.evaluators import Evaluator

_SCORE = re.compile(r"score\s*[:=]?\s*([1-5])\b", re.IGNORECASE)
_DIGIT = re.compile(r"\b([1-5])\b")


def parse_grade(reply: str) -> float | None:
    """The 1-5 grade in a judge's reply as 0-1, or None when there is none."""
    found = _SCORE.search(reply) or _DIGIT.search(reply)
    return (int(found.group(1)) - 1) / 4 if found else None


GRADES = [f"Score: {k}" for k in range(1, 6)]


def likelihood_grade(model: Any, text: str) -> tuple[float, str]:
    """(0-1 grade, distribution) from a local model's probabilities of the five grade replies."""
    import math

    from langchain_core.messages import HumanMessage

    runtime = model.runtime
    logprobs = runtime.option_logprobs(runtime.encode([HumanMessage(content=text)]), GRADES)
    top = max(logprobs)
    weights = [math.exp(lp - top) for lp in logprobs]
    probs = [w / sum(weights) for w in weights]
    expected = sum(p * k for p, k in zip(probs, range(1, 6), strict=True))
    return (expected - 1) / 4, "p(1..5) = " + " ".join(f"{p:.2f}" for p in probs)


def _grade(model: Any, text: str) -> tuple[float | None, str]:
    from graph.models.runtime import runtime_of

    if runtime_of(model) is not None:
        return likelihood_grade(model, text)
    reply = _ask(model, text)
    return parse_grade(reply), reply[:200]


def _ask(model: Any, text: str) -> str:
    import langsmith
    from langchain_core.messages import HumanMessage

    from graph.models.factory import generation_kwargs
    from graph.tracing import tracing_enabled

    # The judge's own model call is traced only when tracing is on; offline there is nowhere to send it.
    with langsmith.tracing_context(enabled=tracing_enabled()):
        reply = model.invoke([HumanMessage(content=text)], **generation_kwargs(model, 16, 0.0, ""))
    return str(reply.content)


def reward_evaluator(spec: str) -> Evaluator:
    """``judge_reward``: how the reward model ``spec`` scores the answer to the question (0-1)."""
    import math

    from graph.models.reward import get_scorer

    scorer = get_scorer(spec)

    def reward(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
        if not outputs.get("answer"):
            return {"key": "judge_reward", "score": None}
        raw = scorer.score(inputs.get("question", ""), [outputs["answer"]])[0]
        return {"key": "judge_reward", "score": 1 / (1 + math.exp(-raw)), "comment": f"reward {raw:+.3f}"}

    return reward


def judge_evaluators(spec: str) -> list[Evaluator]:
    """Faithfulness and helpfulness evaluators that ask the model ``spec``.

    For ``reward:NAME``, the reward model's score instead.
    """
    from graph.models.factory import get_chat_model

    if spec.startswith("reward:"):
        return [reward_evaluator(spec.removeprefix("reward:"))]
    model = get_chat_model(spec)

    def faithfulness(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
        context = outputs.get("context") or ""
        if not context or not outputs.get("answer") or outputs.get("refused"):
            return {"key": "judge_faithfulness", "score": None}
        score, comment = _grade(
            model,
            prompts.render(
                "evals/judge_faithfulness",
                question=inputs.get("question", ""),
                context=context[:3000],
                answer=outputs["answer"],
            ),
        )
        return {"key": "judge_faithfulness", "score": score, "comment": comment}

    def helpfulness(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
        if not outputs.get("answer"):
            return {"key": "judge_helpfulness", "score": None}
        reference = reference_outputs.get("answer") or ", ".join(reference_outputs.get("facts") or [])
        score, comment = _grade(
            model,
            prompts.render(
                "evals/judge_helpfulness",
                question=inputs.get("question", ""),
                reference=reference,
                answer=outputs["answer"],
            ),
        )
        return {"key": "judge_helpfulness", "score": score, "comment": comment}

    return [faithfulness, helpfulness]
