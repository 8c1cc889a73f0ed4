"""LLM-as-judge evaluators: faithfulness (is the answer supported by the retrieved text) and
helpfulness (does it answer the question), each a 1-5 grade mapped to 0-1.

The judge is any model spec (``--judge default``, ``--judge openai:http://host/v1#model``, ...).
The embedded default (135M parameters) is allowed but is a weak judge: it often repeats the scale
or grades the question rather than the answer, so treat its grades as a smoke signal and use a
larger model for decisions. A reply without a readable grade scores None (left out of the mean).
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


def _ask(model: Any, text: str) -> str:
    import langsmith
    from langchain_core.messages import HumanMessage

    from graph.models.factory import generation_kwargs
    from graph.tracing import tracing_enabled

    # The judge's own model call is traced only when tracing is on; offline there is nowhere to send it.
    with langsmith.tracing_context(enabled=tracing_enabled()):
        reply = model.invoke([HumanMessage(content=text)], **generation_kwargs(model, 16, 0.0, ""))
    return str(reply.content)


def judge_evaluators(spec: str) -> list[Evaluator]:
    """Faithfulness and helpfulness evaluators that ask the model ``spec``."""
    from graph.models.factory import get_chat_model

    model = get_chat_model(spec)

    def faithfulness(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
        context = outputs.get("context") or ""
        if not context or not outputs.get("answer") or outputs.get("refused"):
            return {"key": "judge_faithfulness", "score": None}
        reply = _ask(model, prompts.render("evals/judge_faithfulness", question=inputs.get("question", ""),
                                           context=context[:3000], answer=outputs["answer"]))
        return {"key": "judge_faithfulness", "score": parse_grade(reply), "comment": reply[:200]}

    def helpfulness(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
        if not outputs.get("answer"):
            return {"key": "judge_helpfulness", "score": None}
        reference = reference_outputs.get("answer") or ", ".join(reference_outputs.get("facts") or [])
        reply = _ask(model, prompts.render("evals/judge_helpfulness", question=inputs.get("question", ""),
                                           reference=reference, answer=outputs["answer"]))
        return {"key": "judge_helpfulness", "score": parse_grade(reply), "comment": reply[:200]}

    return [faithfulness, helpfulness]
