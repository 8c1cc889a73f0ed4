"""The one JSON shape a turn's result is reported in, whichever way the agent was reached."""

from __future__ import annotations

from typing import Any

RESULT_KEYS = ("answer", "strategy", "route_reason", "citations", "reasoning", "guard", "adapter")


def _content(message: Any) -> tuple[str, str]:
    """(type, text) of a message given as a LangChain object or as the server's JSON."""
    if isinstance(message, dict):
        kind, content = message.get("type") or message.get("role", ""), message.get("content", "")
    else:
        kind, content = getattr(message, "type", ""), getattr(message, "content", "")
    if isinstance(content, list):
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return kind, str(content)


def result_of(state: dict[str, Any]) -> dict[str, Any]:
    """Turn a final graph state into ``{"answer", "strategy", "route_reason", ...}``."""
    messages = state.get("messages") or []
    answer = ""
    if messages:
        kind, text = _content(messages[-1])
        answer = text if kind in ("ai", "assistant") else ""
    return {
        "answer": answer,
        "strategy": state.get("strategy", ""),
        "route_reason": state.get("route_reason", ""),
        "citations": state.get("citations") or [],
        "reasoning": state.get("reasoning") or {},
        "guard": state.get("guard") or {},
        "adapter": state.get("adapter", ""),
    }
