"""``refuse``: answer a blocked turn with a short reason, without calling the model."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime

import prompts
from graph.context import Context
from graph.deps import Deps
from graph.state import State


async def refuse(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    verdict = state.get("guard", {}).get("input", {})
    name = verdict.get("prompt", "guard/empty_input")
    values = {k: verdict[k] for k in prompts.load(name).variables if k in verdict}
    return {"messages": [AIMessage(content=prompts.render(name, **values))], "strategy": "refuse"}
