"""``refuse``: answer a blocked turn with a short reason, without calling the model."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

import prompts
from graph.state import State


async def refuse(state: State) -> dict[str, Any]:
    verdict = state.get("guard", {}).get("input", {})
    name = verdict.get("prompt", "guard/empty_input")
    values = {k: verdict[k] for k in prompts.load(name).variables if k in verdict}
    return {"messages": [AIMessage(content=prompts.render(name, **values))], "strategy": "refuse"}
