"""``guard_input``: decide whether the latest user message can be answered at all.

Writes ``guard.input`` = {"verdict": "allow"|"block", "reason", "prompt"} and clears the
per-turn fields (documents, citations, reasoning, strategy, route_reason, adapter) of the previous turn.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import BaseMessage
from langgraph.runtime import Runtime

from graph.context import Context
from graph.models.local import message_text
from graph.state import State
from tools.settings import get_settings


def check_input(messages: list[BaseMessage], max_chars: int) -> dict[str, Any]:
    """The verdict on a turn's latest message; ``prompt`` names what to say when blocked."""
    if not messages or messages[-1].type != "human":
        return {"verdict": "block", "reason": "no_user_message", "prompt": "guard/no_user_message"}
    text = message_text(messages[-1])
    if not text.strip():
        return {"verdict": "block", "reason": "empty_input", "prompt": "guard/empty_input"}
    if len(text) > max_chars:
        return {
            "verdict": "block",
            "reason": "oversized_input",
            "prompt": "guard/oversized_input",
            "length": len(text),
            "limit": max_chars,
        }
    return {"verdict": "allow", "reason": "ok", "length": len(text)}


async def guard_input(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    verdict = check_input(state.get("messages", []), get_settings().max_input_chars)
    return {
        "guard": {"input": verdict},
        "strategy": "",
        "route_reason": "",
        "documents": [],
        "citations": [],
        "reasoning": {},
        "adapter": "",
    }


def input_allowed(state: State) -> str:
    """Edge after ``guard_input``: on to ``route`` or to ``refuse``."""
    return "route" if state.get("guard", {}).get("input", {}).get("verdict") == "allow" else "refuse"
