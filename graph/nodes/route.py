"""``route``: pick the strategy that answers this turn and say why.

Writes ``strategy`` and ``route_reason``. An explicit strategy in the run's context wins; a
collection named in the context means "answer from it" (``rag``); otherwise, when the default
knowledge base exists, ``rag`` is tried and ``retrieve`` falls back to ``direct`` if nothing in it is
relevant.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.graph import END
from langgraph.runtime import Runtime

from graph.context import Context
from graph.nodes.common import context_of
from graph.state import State
from graph.strategies import AUTO, STRATEGY_NODES
from tools.kb.store import has_collection
from tools.settings import get_settings


async def route(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    if ctx.strategy != AUTO:
        return {"strategy": ctx.strategy, "route_reason": f"strategy {ctx.strategy!r} was set in the run's context"}
    if ctx.collection:
        return {"strategy": "rag", "route_reason": f"auto: collection {ctx.collection!r} was set in the run's context"}
    default = get_settings().collection
    if await asyncio.to_thread(has_collection, default):
        return {"strategy": "rag", "route_reason": f"auto: the default knowledge base {default!r} is searched first"}
    return {"strategy": "direct", "route_reason": "auto: no knowledge base to search; plain chat (direct)"}


def next_after_route(state: State, runtime: Runtime[Context]) -> str:
    """Edge after ``route``: the chosen strategy's node, or the end for route-only runs."""
    if context_of(runtime).route_only:
        return END
    return STRATEGY_NODES[state["strategy"]]
