"""``cot``: chain of thought - reason step by step, then read the final answer from a stated format.

Writes the answer to ``messages`` (the reasoning, ending in "Answer: ..."), the adapter used, and
``reasoning.cot`` = {"mode", "answer", "examples"}. ``cot_mode`` "few_shot" shows worked arithmetic
examples chosen by meaning; "zero_shot" only asks to think step by step.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

from graph.answer_rails import guarded
from graph.context import Context
from graph.deps import Deps
from graph.extract import extract_answer
from graph.nodes.common import CotOptions, complete, context_of, cot_messages, latest_question, model_for, stated
from graph.state import State
from graph.strategies import Strategy, with_deps


async def cot(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx = context_of(runtime)
    policy = deps.guard.policy()
    options = ctx.options(CotOptions)
    question = latest_question(state, policy)
    model, adapter = await model_for(deps, ctx, "cot")
    messages, examples = await asyncio.to_thread(cot_messages, options, policy, question)
    text = await complete(guarded(model, state, deps), messages, ctx.max_new_tokens, ctx.temperature, adapter)
    answer = extract_answer(text)
    reasoning = dict(state.get("reasoning") or {})
    reasoning["cot"] = {"mode": options.cot_mode, "answer": answer, "examples": [e["input"] for e in examples]}
    return {"messages": [AIMessage(content=stated(text, answer))], "adapter": adapter or "", "reasoning": reasoning}


STRATEGY = Strategy(
    "cot",
    nodes=(("cot", with_deps(cot)),),
    group="reasoning",
    system_prompts=("cot/system",),
    options=CotOptions,
    rank=2,
)
