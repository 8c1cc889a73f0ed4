"""``retrieve``: find the chunks that answer the latest question in the knowledge base.

Writes ``documents`` (numbered chunks with source, section, chunk id, score and text) and
``reasoning.retrieval`` (queries used, best relevance, chunks dropped as injected or duplicate).
When the collection was not named by the caller and nothing relevant is found, it hands the turn to
``direct`` (``strategy`` and ``route_reason`` updated). Query rewriting (multi-query, HyDE) uses the
run's model.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

import prompts
from graph.context import Context, ContextError
from graph.models.factory import generation_kwargs, get_chat_model
from graph.models.runtime import message_text
from graph.nodes.common import context_of, documents_of, latest_question, options_for
from graph.state import State
from tools.kb.errors import KBError
from tools.kb.retrieval import retrieve as search
from tools.settings import get_settings

MULTI_QUERIES = 3



async def _rewrite(ctx: Context, question: str) -> tuple[list[str], str]:
    """(extra queries, hypothetical answer) as the context's ``rewrite`` asks."""
    if ctx.rewrite == "none":
        return [], ""
    model = await asyncio.to_thread(get_chat_model, ctx.model)
    kwargs = generation_kwargs(model, 96, 0.0, None)
    if ctx.rewrite == "multi_query":
        text = prompts.render("rag/multi_query", question=question, n=MULTI_QUERIES)
        reply = message_text(await model.ainvoke([HumanMessage(content=text)], **kwargs))
        lines = [line.strip(" -*0123456789.").strip() for line in reply.splitlines()]
        return [line for line in lines if len(line) > 3][:MULTI_QUERIES], ""
    text = prompts.render("rag/hyde", question=question)
    return [], message_text(await model.ainvoke([HumanMessage(content=text)], **kwargs))




async def retrieve(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    ctx = context_of(runtime)
    if state.get("documents") and ctx.rewrite == "none":
        return {}  # the router's probe of the default collection already found them
    collection = ctx.collection or get_settings().collection
    question = latest_question(state)
    options = options_for(ctx)
    extra, hypothetical = await _rewrite(ctx, question)
    try:
        result = await asyncio.to_thread(search, collection, question, options, extra_queries=extra, hypothetical_answer=hypothetical)
    except KBError as exc:
        if ctx.collection:
            raise ContextError(str(exc)) from None
        result = None  # the default collection vanished since route looked: answer directly

    documents = documents_of(result) if result else []
    reasoning = dict(state.get("reasoning") or {})
    if result is not None:
        reasoning["retrieval"] = {
            "collection": collection,
            "queries": result.queries,
            "hypothetical_answer": hypothetical,
            "best_relevance": result.best_relevance,
            "min_relevance": options.min_relevance,
            "dropped": result.dropped,
            "declined": result.declined,
        }
    update: dict[str, Any] = {"documents": documents, "reasoning": reasoning}
    if not documents and not ctx.collection and ctx.strategy != "rag":
        best = result.best_relevance if result else 0.0
        update["strategy"] = "direct"
        update["route_reason"] = (
            f"auto: nothing in the default knowledge base {collection!r} is relevant "
            f"(best {best:.2f} < {options.min_relevance:.2f}); plain chat (direct)"
        )
    return update


def next_after_retrieve(state: State) -> Literal["rag", "generate"]:
    """Edge after ``retrieve``: ``rag`` answers from the documents; ``generate`` when it handed over to direct."""
    strategy = state.get("strategy")
    if strategy not in ("rag", "direct"):
        raise ValueError(f"retrieve left strategy {strategy!r}; only rag or direct can follow it")
    return "rag" if strategy == "rag" else "generate"
