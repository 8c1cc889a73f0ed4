"""``rag``: answer from the retrieved chunks, with citations ``[n]`` that map to ``citations``.

Writes the answer to ``messages``, the cited chunks to ``citations`` (n, source, title, section,
chunk_id, score), the adapter used, and ``reasoning.rag`` (how the answer was made). With no
relevant chunk it says it does not know, without calling the model. A grounded answer
that takes up the question's words is kept, followed by the source sentence that best matches the
question when it adds something; otherwise the answer becomes the best-matching source sentences,
quoted with their citations (a small model paraphrases badly; a quote is never wrong about
what the source says).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langgraph.runtime import Runtime

import prompts
from graph.answer_rails import guarded
from graph.context import Context
from graph.deps import Deps
from graph.models.factory import generation_kwargs
from graph.models.runtime import message_text
from graph.nodes.common import context_of, latest_question, model_for, prompt_budget, token_counter
from graph.state import State
from graph.system_prompt import system_message
from tools.guard import grounding
from tools.guard.policy import Policy
from tools.kb import evidence as evidence_mod
from tools.kb.embeddings import sentence_vectors
from tools.kb.evidence import Evidence
from tools.settings import get_settings

CITATION_KEYS = ("n", "source", "title", "section", "chunk_id", "score")
MAX_ANSWER_TOKENS = 128  # a grounded answer is a few sentences; small models ramble past that
MAX_SENTENCES = 3
MIN_RESPONSIVE = 0.5
REDUNDANT = 0.8  # a quote whose words the answer mostly has already adds nothing


_HEADING = re.compile(r"^\s*#{1,6}\s.*$", re.MULTILINE)
_SOURCE_TAG = re.compile(r"</?source[^>]*>", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:answer|sources?)\s*:\s*", re.IGNORECASE | re.MULTILINE)
_WORDS = re.compile(r"\S+")
REPEAT_SPAN = 4  # a run of this many words said again means the model is looping


def cut_repetition(text: str) -> str:
    """``text`` up to where it starts repeating a run of words it already said (degenerate looping)."""
    words = _WORDS.findall(text)
    seen: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - REPEAT_SPAN + 1):
        key = tuple(w.lower().strip(".,;:!?") for w in words[i : i + REPEAT_SPAN])
        if key in seen and i >= seen[key] + REPEAT_SPAN:
            return " ".join(words[:i]).rstrip(",;: ")
        seen.setdefault(key, i)
    return text


def tidy(answer: str) -> str:
    """The first paragraph, at most a few sentences, no headings, tags or loops: what follows is where small models drift."""
    # the sources' bold marks, copied by the model: the answer is plain text beside its quotes
    text = evidence_mod.unbold(_LABEL.sub("", _SOURCE_TAG.sub("", _HEADING.sub("", answer)))).strip()
    first = text.split("\n\n")[0]
    unique = list(
        dict.fromkeys(cut_repetition(s) for s in grounding.sentences(first))
    )  # small models repeat themselves
    return cut_repetition(" ".join(s for s in unique[:MAX_SENTENCES] if s))


def prompt_documents(documents: list[dict[str, Any]], evidence: Evidence, floor: float) -> list[dict[str, Any]]:
    """The chunks the model reads: those holding a sentence that answers, and those as relevant as ``floor``.

    Chunks under the router's bar are retrieved so that their sentences can answer; put before a small model
    without one, they are noise it quotes from.
    """
    answering = {c.n for c in evidence.sentences}
    return [d for d in documents if d["n"] in answering or d.get("score", 1.0) >= floor] or documents


def build_messages(
    model: BaseChatModel, documents: list[dict[str, Any]], question: str, max_new_tokens: int, policy: Policy
) -> tuple[list[BaseMessage], int]:
    """The prompt, and how many sources fit: the lowest-ranked are left out until it fits the budget."""
    counter = token_counter(model)
    budget = prompt_budget(model, max_new_tokens)
    system = system_message("rag/system", policy)
    for used in range(len(documents), 0, -1):
        user = HumanMessage(content=prompts.render("rag/answer", sources=documents[:used], question=question))
        if counter([system, user]) <= budget or used == 1:
            return [system, user], used
    raise AssertionError("unreachable: documents is never empty here")


def cite(
    answer: str, evidence: Evidence, documents: list[dict[str, Any]]
) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """(answer with markers, citations, details): make sure what the answer rests on is cited.

    A grounded, responsive model answer is kept when every number it states is in the sentences that
    answer the question (a twin's figure from the same table is not), and the best of those sentences
    is added when the answer does not already say it; otherwise the answer is those sentences, quoted.
    """
    sources = {d["n"]: d["text"] for d in documents}
    answer = tidy(answer)
    check = grounding.check(answer, sources)
    supported_text = " ".join(sentence for sentence, _ in check.supported)
    quotes: list[dict[str, Any]] = [{"text": evidence_mod.quoted(c), "n": c.n} for c in evidence.sentences]
    evidence_text = " ".join(q["text"] for q in quotes)
    foreign = sorted(grounding.numbers(answer) - grounding.numbers(evidence_text))
    if check.supported and not foreign and grounding.responsive(supported_text, evidence.question) >= MIN_RESPONSIVE:
        details: dict[str, Any] = {"mode": "generated"}
        extra = [q for q in quotes[:1] if grounding.support(q["text"], answer) < REDUNDANT]
        if extra:
            details["mode"] = "generated+quote"
            answer = answer.rstrip() + " " + prompts.render("rag/extractive", quotes=extra)
    elif quotes:
        details = {"mode": "extractive", "model_answer": answer}
        if foreign:
            details["foreign_numbers"] = foreign
        answer = prompts.render("rag/extractive", quotes=quotes)
    else:
        details = {"mode": "generated"}
    check = grounding.check(answer, sources)
    numbers = [n for n in grounding.cited_numbers(answer) if n in sources]
    supporting = list(dict.fromkeys(n for _, n in check.supported))
    missing = [n for n in supporting if n not in numbers]
    if missing:
        answer = answer.rstrip() + " " + "".join(f"[{n}]" for n in missing)
        numbers += missing
    by_number = {d["n"]: d for d in documents}
    citations = [{k: by_number[n][k] for k in CITATION_KEYS} for n in numbers]
    return answer, citations, details


def not_found(ctx: Context, reasoning: dict[str, Any], reason: str) -> dict[str, Any]:
    collection = ctx.collection or get_settings().collection
    reasoning["rag"] = {"mode": "not_found", "reason": reason}
    return {
        "messages": [AIMessage(content=prompts.render("rag/not_found", collection=collection))],
        "citations": [],
        "reasoning": reasoning,
    }


async def rag(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx = context_of(runtime)
    policy = deps.guard.policy()
    documents = list(state.get("documents") or [])
    reasoning = dict(state.get("reasoning") or {})
    if not documents:
        return not_found(ctx, reasoning, (reasoning.get("retrieval") or {}).get("declined") or "no relevant chunk")

    question = latest_question(state, policy)
    found = await asyncio.to_thread(evidence_mod.gather, question, documents, sentence_vectors)
    if not found.answerable:  # relevant chunks, but no sentence in them answers this question: say so, no model call
        return not_found(ctx, reasoning, found.reason)

    model, adapter_key = await model_for(deps, ctx, "rag")
    documents = prompt_documents(documents, found, ctx.route_min_relevance)
    messages, used = await asyncio.to_thread(build_messages, model, documents, question, ctx.max_new_tokens, policy)
    max_new = min(ctx.max_new_tokens, MAX_ANSWER_TOKENS)
    reply = await guarded(model, state, deps).ainvoke(
        messages, **generation_kwargs(model, max_new, ctx.temperature, adapter_key)
    )
    citations: list[dict[str, Any]] = []
    if reply.response_metadata.get("guard", {}).get("stopped"):
        # withheld mid-stream (it was repeating its instructions): the sentences that answer still do, quoted
        if found.sentences:
            answer, citations, details = cite("", found, documents[:used])
            details = {**details, "withheld": True}
        else:
            answer, details = message_text(reply), {"mode": "withheld"}
    else:
        answer, citations, details = cite(message_text(reply), found, documents[:used])
    reasoning["rag"] = {
        **details,
        "sources_in_prompt": used,
        "names": found.names,
        "evidence": [{"n": c.n, "score": round(c.score, 3)} for c in found.sentences],
    }
    return {
        "messages": [AIMessage(content=answer, id=reply.id)],
        "citations": citations,
        "adapter": adapter_key or "",
        "reasoning": reasoning,
    }
