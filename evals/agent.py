"""The agent as an eval target: one compiled graph per suite run, a Context from the shared flags."""

from __future__ import annotations

import argparse
from typing import Any


def context_from(args: argparse.Namespace, **overrides: Any) -> Any:
    from graph.context import Context

    values: dict[str, Any] = {"adapter": getattr(args, "adapter", "") or ""}
    if getattr(args, "model", None):
        values["model"] = args.model
    values.update(overrides)
    return Context(**values)


class Agent:
    """Answers one question per call with the real graph (no checkpointer: each example is a new thread)."""

    def __init__(self) -> None:
        from graph.graph import build_graph

        self.graph = build_graph()

    async def ask(self, question: str, context: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        from langchain_core.messages import HumanMessage

        from graph.answer import result_of

        state = await self.graph.ainvoke({"messages": [HumanMessage(content=question)]}, context=context)
        return state, result_of(state)


def refused(result: dict[str, Any]) -> bool:
    """The agent declined: the input guard blocked it, or retrieval found nothing to answer from."""
    guard_in = (result.get("guard") or {}).get("input") or {}
    rag_mode = ((result.get("reasoning") or {}).get("rag") or {}).get("mode")
    answer = (result.get("answer") or "").lower()
    return (
        guard_in.get("verdict") == "block"
        or rag_mode == "not_found"
        or answer.startswith(("i don't know", "i do not know"))
    )
