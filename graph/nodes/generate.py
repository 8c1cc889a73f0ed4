"""``generate``: answer with the model, the history trimmed to the model's context budget.

Writes the answer to ``messages`` and the adapter used (``name@version``) to ``adapter``. Model loading, token
counting and generation all run in worker threads: the server's event loop never blocks. The model sees
the conversation with personal data replaced by placeholders, and its answer streams through the
output rails (graph/nodes/llm.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, SystemMessage
from langgraph.runtime import Runtime

from graph.adapters import resolve_adapter
from graph.context import Context
from graph.history import fit_history
from graph.models.factory import generation_kwargs, get_chat_model
from graph.nodes.common import context_of, prompt_budget
from graph.nodes.llm import guarded, system_message, token_counter
from graph.privacy import latest_request, policy, private_messages
from graph.state import State
from tools.guard import json_answer




def build_prompt(model: BaseChatModel, system: SystemMessage, history: list[BaseMessage], max_new_tokens: int) -> list[BaseMessage]:
    return fit_history(system, history, token_counter(model), prompt_budget(model, max_new_tokens))


async def generate(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    model = await asyncio.to_thread(get_chat_model, ctx.model)
    history, _ = private_messages(list(state["messages"]))
    prompt = await asyncio.to_thread(build_prompt, model, system_message("system/direct"), history, ctx.max_new_tokens)
    adapter_name = ctx.adapter_for("generate", state.get("strategy", ""))
    adapter_key = await asyncio.to_thread(resolve_adapter, model, adapter_name)
    # A request for JSON is answered under llama.cpp's JSON grammar where the runtime has one: it parses by
    # construction (guard_output's repair call remains for runtimes without grammars).
    wants = policy().json.enabled and json_answer.wants_json(latest_request(history))
    kwargs = generation_kwargs(model, ctx.max_new_tokens, ctx.temperature, adapter_key, json=wants)
    answer = await guarded(model, state).ainvoke(prompt, **kwargs)
    return {"messages": [answer], "adapter": adapter_key or ""}
