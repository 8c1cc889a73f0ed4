"""``few_shot``: answer after worked examples chosen for this request by meaning.

Writes the answer to ``messages``, the adapter used, and ``reasoning.examples`` (task, input,
output of each example shown, closest first). Examples come from the banks under
``prompts/examples/``; the least similar are dropped until the prompt fits the model's budget.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langgraph.runtime import Runtime

from graph.answer_rails import guarded
from graph.context import Context, check_number
from graph.deps import Deps
from graph.example_selector import FEW_SHOT_BANKS, select
from graph.nodes.common import complete, context_of, latest_question, model_for, prompt_budget, token_counter
from graph.state import State
from graph.strategies import Strategy, with_deps
from graph.system_prompt import system_message


@dataclass(frozen=True)
class FewShotOptions:
    """few_shot_k: most examples a few-shot prompt shows (fewer when the context budget is short)."""

    few_shot_k: int = 4

    def __post_init__(self) -> None:
        check_number("few_shot_k", self.few_shot_k, int, 0, 16)


def with_examples(system: SystemMessage, examples: list[dict[str, Any]], request: str) -> list[BaseMessage]:
    messages: list[BaseMessage] = [system]
    for example in examples:
        messages += [HumanMessage(content=example["input"]), AIMessage(content=example["output"])]
    return messages + [HumanMessage(content=request)]


def fit_examples(
    counter: Callable[[list[BaseMessage]], int],
    budget: int,
    system: SystemMessage,
    examples: list[dict[str, Any]],
    request: str,
) -> list[dict[str, Any]]:
    """As many of the closest examples as the token budget allows (blocking: counts tokens)."""
    kept = list(examples)
    while kept and counter(with_examples(system, kept, request)) > budget:
        kept.pop()
    return kept


async def few_shot(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx = context_of(runtime)
    policy = deps.guard.policy()
    request = latest_question(state, policy)
    model, adapter = await model_for(deps, ctx, "few_shot")
    system = system_message("few_shot/system", policy)
    chosen = await asyncio.to_thread(select, FEW_SHOT_BANKS, request, ctx.options(FewShotOptions).few_shot_k)
    budget = prompt_budget(model, ctx.max_new_tokens)
    used = await asyncio.to_thread(fit_examples, token_counter(model), budget, system, chosen, request)
    answer = await complete(
        guarded(model, state, deps), with_examples(system, used, request), ctx.max_new_tokens, ctx.temperature, adapter
    )
    reasoning = dict(state.get("reasoning") or {})
    reasoning["examples"] = [{"task": e.get("task", ""), "input": e["input"], "output": e["output"]} for e in used]
    return {"messages": [AIMessage(content=answer.strip())], "adapter": adapter or "", "reasoning": reasoning}


STRATEGY = Strategy(
    "few_shot",
    nodes=(("few_shot", with_deps(few_shot)),),
    system_prompts=("few_shot/system",),
    options=FewShotOptions,
    rank=1,
)
