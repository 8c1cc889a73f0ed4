"""``route``: pick the strategy that answers this turn and say why.

Writes ``strategy``, ``route_reason`` and ``reasoning.route`` (confidence, top scores, rules that
fired, nearest exemplar). An explicit strategy in the run's context wins; a collection named in the
context means "answer from it" (``rag``). Otherwise the semantic router (graph/router.py) decides,
using the default knowledge base's relevance when one exists; the chunks that probe found are kept
in ``documents`` for ``retrieve`` to reuse.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.graph import END
from langgraph.runtime import Runtime

from graph.context import Context
from graph.nodes.common import context_of, documents_of, latest_question, options_for
from graph.router import decide
from graph.state import State
from graph.strategies import AUTO, STRATEGY_NODES
from tools.kb.errors import KBError
from tools.kb.retrieval import retrieve
from tools.kb.store import has_collection
from tools.settings import get_settings


def _probe(ctx: Context, question: str):
    """The default collection's chunks for the question, or None when there is no such collection."""
    default = get_settings().collection
    if not has_collection(default):
        return None
    try:
        return retrieve(default, question, options_for(ctx))
    except KBError:
        return None


async def route(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    if ctx.strategy != AUTO:
        return {"strategy": ctx.strategy, "route_reason": f"strategy {ctx.strategy!r} was set in the run's context"}
    if ctx.collection:
        return {"strategy": "rag", "route_reason": f"auto: collection {ctx.collection!r} was set in the run's context"}
    question = latest_question(state)
    probe = await asyncio.to_thread(_probe, ctx, question)
    default = get_settings().collection
    decision = await asyncio.to_thread(
        decide, question, probe.best_relevance if probe else None, ctx.min_relevance, default
    )
    reasoning = dict(state.get("reasoning") or {})
    reasoning["route"] = {**decision.as_dict(), "kb_relevance": probe.best_relevance if probe else None}
    update: dict[str, Any] = {
        "strategy": decision.strategy,
        "route_reason": f"auto: {decision.strategy} (confidence {decision.confidence:.2f}): {decision.reason}",
        "reasoning": reasoning,
    }
    if decision.strategy == "rag" and probe is not None and probe.hits:
        update["documents"] = documents_of(probe)
        reasoning["retrieval"] = {"collection": default, "queries": probe.queries, "hypothetical_answer": "",
                                  "best_relevance": probe.best_relevance, "min_relevance": ctx.min_relevance,
                                  "dropped": probe.dropped}
    return update


def next_after_route(state: State, runtime: Runtime[Context]) -> str:
    """Edge after ``route``: the chosen strategy's node, or the end for route-only runs."""
    if context_of(runtime).route_only:
        return END
    strategy = state.get("strategy", "")
    if strategy not in STRATEGY_NODES:  # a wrong name must fail here, not as a missing node later
        raise ValueError(f"route chose strategy {strategy!r}, which has no node; known: {', '.join(STRATEGY_NODES)}")
    return STRATEGY_NODES[strategy]
