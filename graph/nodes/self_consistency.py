"""``self_consistency``: sample several chains of thought, read each one's answer, take the majority vote.

With ``select: "reward"``, the sample the run's reward model scores highest is kept instead.

Writes the answer to ``messages`` (the first sampled chain that reached the winning answer, or the
best-scored one), the adapter used, and ``reasoning.samples`` ([{"text", "answer"}, plus "reward"
when scored]), ``reasoning.votes`` ({answer: count}) and ``reasoning.model_calls``. On a local model all samples come from one batched
``generate``. Sampling needs randomness: with temperature 0 in the context, 0.7 is used.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from graph.context import Context, ContextError, check_choice, check_number
from graph.deps import Deps
from graph.extract import extract_answer
from graph.models.sampling import sample
from graph.nodes.common import CotOptions, context_of, cot_messages, latest_question, model_for, stated
from graph.state import State
from graph.strategies import Strategy, with_deps

SAMPLING_TEMPERATURE = 0.7
SELECTIONS = ("vote", "reward")


@dataclass(frozen=True)
class SelfConsistencyOptions(CotOptions):
    """The chain-of-thought fields, and what self-consistency adds.

    samples: reasoning paths sampled and voted over.
    select: how the answer is picked among them: "vote" (the majority answer) or "reward" (the sample the
        reward model scores highest; needs reward_model).
    reward_model: a registered reward model (``python -m training.reward``), ``name`` or ``name@vN``.
    """

    samples: int = 5
    select: str = "vote"
    reward_model: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_number("samples", self.samples, int, 1, 20)
        check_choice("select", self.select, SELECTIONS)
        if not isinstance(self.reward_model, str):
            raise ContextError("reward_model must be a string naming a registered reward model.")
        if self.select == "reward" and not self.reward_model:
            raise ContextError(
                'select "reward" needs reward_model: a reward model trained with '
                "`python -m training.reward --name NAME`."
            )


def vote(answers: list[str | None]) -> tuple[str | None, dict[str, int]]:
    """The most frequent answer (ties go to the one seen first) and the counts; None when no answers."""
    counts = Counter(a for a in answers if a is not None)
    if not counts:
        return None, {}
    best = max(counts.values())
    winner = next(a for a in answers if a is not None and counts[a] == best)
    return winner, dict(counts.most_common())


async def self_consistency(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx = context_of(runtime)
    options = ctx.options(SelfConsistencyOptions)
    policy = deps.guard.policy()
    question = latest_question(state, policy)
    model, adapter = await model_for(deps, ctx, "self_consistency")
    messages, _ = await asyncio.to_thread(cot_messages, options, policy, question)
    n = min(options.samples, ctx.max_model_calls)
    temperature = ctx.temperature if ctx.temperature > 0 else SAMPLING_TEMPERATURE
    texts = await sample(model, messages, n, ctx.max_new_tokens, temperature, adapter)
    answers = [extract_answer(t) for t in texts]
    winner, votes = vote(answers)
    chosen = next((t for t, a in zip(texts, answers, strict=True) if a == winner), texts[0])
    samples: list[dict[str, Any]] = [{"text": t.strip(), "answer": a} for t, a in zip(texts, answers, strict=True)]
    if options.select == "reward":
        scorer = await asyncio.to_thread(deps.models.reward, options.reward_model)
        rewards = await asyncio.to_thread(scorer.score, question, texts)
        best = max(range(len(texts)), key=rewards.__getitem__)  # ties go to the first sample
        chosen, winner = texts[best], answers[best]
        for item, reward in zip(samples, rewards, strict=True):
            item["reward"] = round(reward, 4)
    reasoning = dict(state.get("reasoning") or {})
    reasoning.update(
        samples=samples,
        votes=votes,
        model_calls=n,
        self_consistency={
            "answer": winner,
            "temperature": temperature,
            "select": options.select,
            **({"reward_model": options.reward_model} if options.select == "reward" else {}),
        },
    )
    return {"messages": [AIMessage(content=stated(chosen, winner))], "adapter": adapter or "", "reasoning": reasoning}


STRATEGY = Strategy(
    "self_consistency",
    nodes=(("self_consistency", with_deps(self_consistency)),),
    group="reasoning",
    system_prompts=("cot/system",),
    options=SelfConsistencyOptions,
    rank=3,
)
