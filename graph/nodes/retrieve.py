"""``retrieve``: find the chunks that answer the latest question in the knowledge base (strategy ``rag``).

The ``rag`` node answers from them.

Writes ``documents`` (numbered chunks with source, section, chunk id, score and text) and
``reasoning.retrieval`` (queries used, best relevance, chunks dropped as injected or duplicate, why
nothing answers). The chunks ``route`` found in the default collection are reused unless the run asks for
query rewriting (multi-query, HyDE), which uses the run's model. It never changes the strategy.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.runtime import Runtime

import prompts
from graph.context import Context, ContextError
from graph.deps import Deps
from graph.models.factory import generation_kwargs
from graph.models.runtime import message_text
from graph.nodes.common import context_of, documents_of, latest_question, options_for
from graph.state import State
from tools.kb.errors import KBError
from tools.settings import get_settings

MULTI_QUERIES = 3


async def _rewrite(deps: Deps, ctx: Context, question: str) -> tuple[list[str], str]:
    """(extra queries, hypothetical answer) as the context's ``rewrite`` asks."""
    if ctx.rewrite == "none":
        return [], ""
    model = await asyncio.to_thread(deps.models.chat, ctx.model)  # the base model rewrites (no adapter)
    kwargs = generation_kwargs(model, 96, 0.0, None)
    if ctx.rewrite == "multi_query":
        text = prompts.render("rag/multi_query", question=question, n=MULTI_QUERIES)
        reply = message_text(await model.ainvoke([HumanMessage(content=text)], **kwargs))
        lines = [line.strip(" -*0123456789.").strip() for line in reply.splitlines()]
        return [line for line in lines if len(line) > 3][:MULTI_QUERIES], ""
    text = prompts.render("rag/hyde", question=question)
    return [], message_text(await model.ainvoke([HumanMessage(content=text)], **kwargs))


async def retrieve(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx = context_of(runtime)
    found = list(state.get("documents") or [])
    if found and ctx.rewrite == "none":
        return {}  # the router's probe of the default collection already found them
    collection = ctx.collection or get_settings().collection
    question = latest_question(state, deps.guard.policy())
    options = options_for(ctx)
    extra, hypothetical = await _rewrite(deps, ctx, question)
    try:
        result = await asyncio.to_thread(
            deps.knowledge.retrieve,
            collection,
            question,
            options,
            extra_queries=extra,
            hypothetical_answer=hypothetical,
        )
    except KBError as exc:
        if ctx.collection:
            raise ContextError(str(exc)) from None
        return {"documents": found}  # the default collection vanished since route looked
    reasoning = dict(state.get("reasoning") or {})
    reasoning["retrieval"] = {
        "collection": collection,
        "queries": result.queries,
        "hypothetical_answer": hypothetical,
        "best_relevance": result.best_relevance,
        "min_relevance": options.min_relevance,
        "dropped": result.dropped,
        "declined": result.declined,
    }
    # Rewritten queries that find nothing do not undo what the question itself found.
    return {"documents": documents_of(result) or found, "reasoning": reasoning}
