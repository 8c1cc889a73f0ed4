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

from graph.context import Context
from graph.extract import extract_answer
from graph.nodes.common import context_of, cot_messages, latest_question, stated
from graph.nodes.llm import complete, guarded, model_for
from graph.state import State





async def cot(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    question = latest_question(state)
    model, adapter = await model_for(ctx, "cot")
    messages, examples = await asyncio.to_thread(cot_messages, ctx, question)
    text = await complete(guarded(model, state), messages, ctx.max_new_tokens, ctx.temperature, adapter)
    answer = extract_answer(text)
    reasoning = dict(state.get("reasoning") or {})
    reasoning["cot"] = {"mode": ctx.cot_mode, "answer": answer, "examples": [e["input"] for e in examples]}
    return {"messages": [AIMessage(content=stated(text, answer))], "adapter": adapter or "", "reasoning": reasoning}
