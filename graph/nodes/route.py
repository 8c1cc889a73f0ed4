"""``route``: pick the strategy that answers this turn and say why.

Writes ``strategy`` and ``route_reason``. An explicit strategy in the run's context wins.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import END
from langgraph.runtime import Runtime

from graph.context import Context
from graph.nodes.common import context_of
from graph.state import State
from graph.strategies import AUTO, STRATEGY_NODES


async def route(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    if ctx.strategy != AUTO:
        return {"strategy": ctx.strategy, "route_reason": f"strategy {ctx.strategy!r} was set in the run's context"}
    return {"strategy": "direct", "route_reason": "auto: plain chat (direct) is the only strategy in this build"}


def next_after_route(state: State, runtime: Runtime[Context]) -> str:
    """Edge after ``route``: the chosen strategy's node, or the end for route-only runs."""
    if context_of(runtime).route_only:
        return END
    return STRATEGY_NODES[state["strategy"]]
