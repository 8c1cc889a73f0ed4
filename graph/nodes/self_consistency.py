"""``self_consistency``: sample several chains of thought, read each one's answer, majority vote (or,
with ``select: "reward"``, keep the sample the run's reward model scores highest).

Writes the answer to ``messages`` (the first sampled chain that reached the winning answer, or the
best-scored one), the adapter used, and ``reasoning.samples`` ([{"text", "answer"}, plus "reward"
when scored]), ``reasoning.votes`` ({answer: count}) and ``reasoning.model_calls``. On a local model all samples come from one batched
``generate``. Sampling needs randomness: with temperature 0 in the context, 0.7 is used.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from graph.context import Context
from graph.extract import extract_answer
from graph.models.reward import get_scorer
from graph.models.sampling import sample
from graph.nodes.common import context_of, cot_messages, latest_question, stated
from graph.nodes.llm import model_for
from graph.state import State

SAMPLING_TEMPERATURE = 0.7


def vote(answers: list[str | None]) -> tuple[str | None, dict[str, int]]:
    """The most frequent answer (ties go to the one seen first) and the counts; None when no answers."""
    counts = Counter(a for a in answers if a is not None)
    if not counts:
        return None, {}
    best = max(counts.values())
    winner = next(a for a in answers if a is not None and counts[a] == best)
    return winner, dict(counts.most_common())


async def self_consistency(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    question = latest_question(state)
    model, adapter = await model_for(ctx, "self_consistency")
    messages, _ = await asyncio.to_thread(cot_messages, ctx, question)
    n = min(ctx.samples, ctx.max_model_calls)
    temperature = ctx.temperature if ctx.temperature > 0 else SAMPLING_TEMPERATURE
    texts = await sample(model, messages, n, ctx.max_new_tokens, temperature, adapter)
    answers = [extract_answer(t) for t in texts]
    winner, votes = vote(answers)
    chosen = next((t for t, a in zip(texts, answers) if a == winner), texts[0])
    samples = [{"text": t.strip(), "answer": a} for t, a in zip(texts, answers)]
    if ctx.select == "reward":
        scorer = await asyncio.to_thread(get_scorer, ctx.reward_model)
        rewards = await asyncio.to_thread(scorer.score, question, texts)
        best = max(range(len(texts)), key=rewards.__getitem__)  # ties go to the first sample
        chosen, winner = texts[best], answers[best]
        for item, reward in zip(samples, rewards):
            item["reward"] = round(reward, 4)
    reasoning = dict(state.get("reasoning") or {})
    reasoning.update(
        samples=samples,
        votes=votes,
        model_calls=n,
        self_consistency={"answer": winner, "temperature": temperature, "select": ctx.select,
                          **({"reward_model": ctx.reward_model} if ctx.select == "reward" else {})},
    )
    return {"messages": [AIMessage(content=stated(chosen, winner))], "adapter": adapter or "", "reasoning": reasoning}
