"""``route``: pick the strategy that answers this turn and say why; the one place the strategy is decided.

Writes ``strategy``, ``route_reason`` and ``reasoning.route`` (confidence, top scores, rules that
fired, nearest exemplar). An explicit strategy in the run's context wins; a collection named in the
context means "answer from it" (``rag``). Otherwise the semantic router (graph/router.py) decides,
using the default knowledge base's relevance when one exists. When it picks ``rag``, the chunks that
probe found go to ``documents`` for ``retrieve`` to reuse; when that probe found nothing that answers,
the turn is plain chat (``direct``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from langgraph.runtime import Runtime

from graph.context import Context
from graph.deps import Deps
from graph.nodes.common import context_of, documents_of, latest_question, options_for
from graph.router import RouteDecision, decide
from graph.state import State
from graph.strategies import AUTO
from tools.kb.errors import KBError
from tools.kb.retrieval import RetrievalResult
from tools.settings import get_settings


def _probe(deps: Deps, ctx: Context, question: str, collection: str) -> RetrievalResult | None:
    """The default collection's chunks for the question, or None when there is no such collection."""
    if not deps.knowledge.has(collection):
        return None
    try:
        return deps.knowledge.retrieve(collection, question, options_for(ctx))
    except KBError:
        return None


def _decide(deps: Deps, ctx: Context, question: str, collection: str) -> tuple[RetrievalResult | None, RouteDecision]:
    """The probe of the default collection and the router's decision (blocking: one worker thread for both)."""
    probe = _probe(deps, ctx, question, collection)
    return probe, decide(question, probe.best_relevance if probe else None, ctx.route_min_relevance, collection)


def _retrieval(probe: RetrievalResult, collection: str, ctx: Context) -> dict[str, Any]:
    return {
        "collection": collection,
        "queries": probe.queries,
        "hypothetical_answer": "",
        "best_relevance": probe.best_relevance,
        "min_relevance": ctx.min_relevance,
        "route_min_relevance": ctx.route_min_relevance,
        "dropped": probe.dropped,
        "declined": probe.declined,
    }


async def route(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx = context_of(runtime)
    if ctx.strategy != AUTO:
        return {"strategy": ctx.strategy, "route_reason": f"strategy {ctx.strategy!r} was set in the run's context"}
    if ctx.collection:
        return {"strategy": "rag", "route_reason": f"auto: collection {ctx.collection!r} was set in the run's context"}
    question = latest_question(state, deps.guard.policy())
    default = get_settings().collection
    probe, decision = await asyncio.to_thread(_decide, deps, ctx, question, default)
    relevance = probe.best_relevance if probe else None
    reasoning = dict(state.get("reasoning") or {})
    reasoning["route"] = {**decision.as_dict(), "kb_relevance": relevance}
    strategy = decision.strategy
    reason = f"auto: {strategy} (confidence {decision.confidence:.2f}): {decision.reason}"
    update: dict[str, Any] = {"reasoning": reasoning}
    if strategy == "rag":
        if probe is not None:
            reasoning["retrieval"] = _retrieval(probe, default, ctx)
        if probe is not None and probe.hits:
            update["documents"] = documents_of(probe)
        else:
            strategy = "direct"
            reason = (
                f"auto: nothing in the default knowledge base {default!r} is relevant "
                f"(best {relevance or 0.0:.2f} < {ctx.min_relevance:.2f}); plain chat (direct)"
            )
    return {**update, "strategy": strategy, "route_reason": reason}
