"""The helpers nodes share (nodes never import one another): the run's context, the question as the
model may see it, retrieval options and documents, the prompt budget, the chain-of-thought prompt."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langgraph.runtime import Runtime

import prompts
from graph.context import Context
from graph.example_selector import COT_BANKS, select
from graph.models.runtime import runtime_of
from graph.nodes.llm import system_message
from graph.privacy import private_question
from graph.state import State
from tools.kb.retrieval import RetrievalOptions, RetrievalResult
from tools.settings import get_settings

MIN_PROMPT_BUDGET = 64
MAX_COT_EXAMPLES = 3  # worked examples are long; more crowd out the question on small windows


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


def latest_question(state: State) -> str:
    """The latest user message as the model may see it (personal data as placeholders)."""
    return private_question(list(state.get("messages", [])))


def options_for(ctx: Context) -> RetrievalOptions:
    return RetrievalOptions(
        k=ctx.k, search=ctx.search, hybrid=ctx.hybrid, min_relevance=ctx.min_relevance, filters=dict(ctx.filters)
    )


def documents_of(result: RetrievalResult) -> list[dict[str, Any]]:
    return [
        {**hit.citation(n), "text": hit.text, "found_by": hit.found_by, "neutralised": hit.neutralised}
        for n, hit in enumerate(result.hits, start=1)
    ]


def prompt_budget(model: BaseChatModel, max_new_tokens: int) -> int:
    """Tokens the prompt may take: the configured window (capped by the model's) minus the answer."""
    window = get_settings().context_tokens
    runtime = runtime_of(model)
    if runtime is not None:
        window = min(window, runtime.max_positions)
    return max(MIN_PROMPT_BUDGET, window - max_new_tokens)


def cot_messages(ctx: Context, question: str) -> tuple[list[BaseMessage], list[dict]]:
    """The chain-of-thought prompt and the worked examples in it (blocking: may embed the question)."""
    messages: list[BaseMessage] = [system_message("cot/system")]
    examples = select(COT_BANKS, question, min(ctx.few_shot_k, MAX_COT_EXAMPLES)) if ctx.cot_mode == "few_shot" else []
    for example in examples:
        messages.append(HumanMessage(content=prompts.render("cot/example_question", question=example["input"])))
        messages.append(AIMessage(content=prompts.render(
            "cot/example_answer", reasoning=example["reasoning"], answer=example["output"])))
    messages.append(HumanMessage(content=prompts.render("cot/zero_shot", question=question)))
    return messages, examples


def stated(text: str, answer: str | None) -> str:
    """The reasoning with its answer stated last, in the one format clients can rely on."""
    text = text.strip()
    if answer is None or text.splitlines()[-1:] == [f"Answer: {answer}"]:
        return text
    return f"{text}\nAnswer: {answer}"
