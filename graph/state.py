"""What flows through the graph: the conversation plus what each step decided.

Fields written per turn (reset by ``guard_input``):
    guard:        {"input": {...verdict}, "output": {...verdict}}
    strategy:     the strategy that answers this turn
    route_reason: why the router chose it
    documents:    retrieved chunks (n, source, section, chunk_id, score, text) the answer may cite
    citations:    the subset of documents the answer cites
    reasoning:    strategy internals (examples, samples, branches)
    adapter:      the adapter that answered ("" for the base model)
"""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class InputState(TypedDict):
    """What a turn brings in: the conversation's messages."""

    messages: Annotated[list[AnyMessage], add_messages]


class State(InputState, total=False):
    """The graph's full state: the messages plus what each step of the turn decided (see above)."""

    guard: dict[str, Any]
    strategy: str
    route_reason: str
    documents: list[dict[str, Any]]
    citations: list[dict[str, Any]]
    reasoning: dict[str, Any]
    adapter: str
