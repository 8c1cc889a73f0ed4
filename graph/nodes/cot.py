"""``cot``: chain of thought - reason step by step, then read the final answer from a stated format.

Writes the answer to ``messages`` (the reasoning, ending in "Answer: ..."), the adapter used, and
``reasoning.cot`` = {"mode", "answer", "examples"}. ``cot_mode`` "few_shot" shows worked arithmetic
examples chosen by meaning; "zero_shot" only asks to think step by step.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langgraph.runtime import Runtime

import prompts
from graph.context import Context
from graph.example_selector import COT_BANKS, select
from graph.extract import extract_answer
from graph.nodes.common import context_of
from graph.nodes.llm import complete, guarded, model_for, system_message
from graph.nodes.retrieve import latest_question
from graph.state import State

MAX_COT_EXAMPLES = 3  # worked examples are long; more crowd out the question on small windows


def cot_messages(ctx: Context, question: str) -> tuple[list[BaseMessage], list[dict]]:
    """The chain-of-thought prompt and the worked examples in it (blocking: may embed the question)."""
    messages: list[BaseMessage] = [system_message("cot/system")]
    examples = select(COT_BANKS, question, min(ctx.few_shot_k, MAX_COT_EXAMPLES)) if ctx.cot_mode == "few_shot" else []
    for example in examples:
        messages.append(HumanMessage(content=prompts.render("cot/example_question", question=example["input"])))
        messages.append(AIMessage(content=prompts.render(
            "cot/example_answer", reasoning=example["reasoning"], answer=example["output"])))
    messages.append(HumanMessage(content=prompts.render("cot/zero_shot", question=question)))
    return messages, examples


def stated(text: str, answer: str | None) -> str:
    """The reasoning with its answer stated last, in the one format clients can rely on."""
    text = text.strip()
    if answer is None or text.splitlines()[-1:] == [f"Answer: {answer}"]:
        return text
    return f"{text}\nAnswer: {answer}"


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
