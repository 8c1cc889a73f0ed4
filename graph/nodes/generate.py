"""``generate``: answer with the model, the history trimmed to the model's context budget (strategy ``direct``).

Writes the answer to ``messages`` and the adapter used (``name@version``) to ``adapter``. Model loading, token
counting and generation all run in worker threads: the server's event loop never blocks. The model sees
the conversation with personal data replaced by placeholders, and its answer streams through the
output rails (graph/answer_rails.py).
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, SystemMessage
from langgraph.runtime import Runtime

from graph.answer_rails import guarded
from graph.context import Context
from graph.deps import Deps
from graph.history import fit_history
from graph.models.factory import generation_kwargs
from graph.nodes.common import context_of, model_for, prompt_budget, token_counter
from graph.privacy import latest_request, private_messages
from graph.state import State
from graph.strategies import Strategy, with_deps
from graph.system_prompt import system_message
from tools.guard import json_answer


def build_prompt(
    model: BaseChatModel, system: SystemMessage, history: list[BaseMessage], max_new_tokens: int
) -> list[BaseMessage]:
    return fit_history(system, history, token_counter(model), prompt_budget(model, max_new_tokens))


async def generate(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx = context_of(runtime)
    policy = deps.guard.policy()
    model, adapter_key = await model_for(deps, ctx, "generate", state.get("strategy", ""))
    history, _ = private_messages(list(state["messages"]), policy)
    system = system_message("system/direct", policy)
    prompt = await asyncio.to_thread(build_prompt, model, system, history, ctx.max_new_tokens)
    # A request for JSON is answered under llama.cpp's JSON grammar where the runtime has one: it parses by
    # construction (guard_output's repair call remains for runtimes without grammars).
    wants = policy.json.enabled and json_answer.wants_json(latest_request(history))
    kwargs = generation_kwargs(model, ctx.max_new_tokens, ctx.temperature, adapter_key, json=wants)
    answer = await guarded(model, state, deps).ainvoke(prompt, **kwargs)
    return {"messages": [answer], "adapter": adapter_key or ""}


STRATEGY = Strategy("direct", nodes=(("generate", with_deps(generate)),), system_prompts=("system/direct",), rank=0)
