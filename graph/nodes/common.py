"""Small helpers every node shares."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from langgraph.runtime import Runtime

from graph.context import Context


def context_of(runtime: Runtime[Context] | None) -> Context:
    """The run's context as a validated :class:`Context`, whatever form the caller gave it in."""
    value: Any = getattr(runtime, "context", None)
    if value is None:
        return Context()
    if isinstance(value, Context):
        return value
    if isinstance(value, dict):
        return Context.from_mapping(value)
    return Context.from_mapping(vars(value))


def last_ai(messages: list[BaseMessage]) -> AIMessage | None:
    return next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
