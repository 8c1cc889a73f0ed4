"""The helpers nodes share (nodes never import one another).

The run's context, the model with its adapter, token counting and one completion, the question as the model may see it, retrieval options and documents,
the prompt budget, the chain-of-thought prompt and its options.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.messages.utils import count_tokens_approximately
from langgraph.runtime import Runtime

import prompts
from graph.context import Context, check_choice, check_number
from graph.example_selector import COT_BANKS, select
from graph.models.factory import generation_kwargs
from graph.models.runtime import message_text, runtime_of
from graph.privacy import private_question
from graph.state import State
from graph.system_prompt import system_message
from tools.guard.policy import Policy
from tools.kb.retrieval import RetrievalOptions, RetrievalResult
from tools.settings import get_settings

if TYPE_CHECKING:
    from graph.deps import Deps

MIN_PROMPT_BUDGET = 64
MAX_COT_EXAMPLES = 3  # worked examples are long; more crowd out the question on small windows
COT_MODES = ("few_shot", "zero_shot")


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


async def model_for(deps: Deps, ctx: Context, node: str, strategy: str = "") -> tuple[BaseChatModel, str | None]:
    """The run's model (loaded in a worker thread the first time) and the adapter key ``node`` answers with."""
    model = deps.models.loaded(ctx.model)
    if model is None:
        model = await asyncio.to_thread(deps.models.chat, ctx.model)
    name = ctx.adapter_for(node, strategy or node)
    if not name:  # the base model: nothing to look up in the registry
        return model, None
    return model, await asyncio.to_thread(deps.adapters.resolve, model, name)


def token_counter(model: BaseChatModel) -> Callable[[list[BaseMessage]], int]:
    return model.get_num_tokens_from_messages if runtime_of(model) is not None else count_tokens_approximately


async def complete(
    model: BaseChatModel, messages: list[BaseMessage], max_new_tokens: int, temperature: float, adapter: str | None
) -> str:
    reply = await model.ainvoke(messages, **generation_kwargs(model, max_new_tokens, temperature, adapter))
    return message_text(reply)


def last_ai(messages: Sequence[BaseMessage]) -> AIMessage | None:
    return next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)


def latest_question(state: State, policy: Policy) -> str:
    """The latest user message as the model may see it (personal data as placeholders)."""
    return private_question(list(state.get("messages", [])), policy)


def options_for(ctx: Context) -> RetrievalOptions:
    return RetrievalOptions(
        k=ctx.k, search=ctx.search, hybrid=ctx.hybrid, min_relevance=ctx.min_relevance, filters=dict(ctx.filters)
    )


def documents_of(result: RetrievalResult) -> list[dict[str, Any]]:
    return [
        {**hit.document(n), "found_by": hit.found_by, "neutralised": hit.neutralised}
        for n, hit in enumerate(result.hits, start=1)
    ]


def prompt_budget(model: BaseChatModel, max_new_tokens: int) -> int:
    """Tokens the prompt may take: the configured window (capped by the model's) minus the answer."""
    window = get_settings().context_tokens
    runtime = runtime_of(model)
    if runtime is not None:
        window = min(window, runtime.max_positions)
    return max(MIN_PROMPT_BUDGET, window - max_new_tokens)


@dataclass(frozen=True)
class CotOptions:
    """The chain-of-thought prompt's context fields (``cot`` and ``self_consistency`` read them).

    few_shot_k: most examples a prompt shows (fewer when the context budget is short).
    cot_mode: "few_shot" (worked examples chosen by meaning) or "zero_shot" ("think step by step").
    """

    few_shot_k: int = 4
    cot_mode: str = "few_shot"

    def __post_init__(self) -> None:
        check_number("few_shot_k", self.few_shot_k, int, 0, 16)
        check_choice("cot_mode", self.cot_mode, COT_MODES)


def cot_messages(options: CotOptions, policy: Policy, question: str) -> tuple[list[BaseMessage], list[dict[str, Any]]]:
    """The chain-of-thought prompt and the worked examples in it (blocking: may embed the question)."""
    messages: list[BaseMessage] = [system_message("cot/system", policy)]
    wanted = min(options.few_shot_k, MAX_COT_EXAMPLES)
    examples = select(COT_BANKS, question, wanted) if options.cot_mode == "few_shot" else []
    for example in examples:
        messages.append(HumanMessage(content=prompts.render("cot/example_question", question=example["input"])))
        messages.append(
            AIMessage(
                content=prompts.render("cot/example_answer", reasoning=example["reasoning"], answer=example["output"])
            )
        )
    messages.append(HumanMessage(content=prompts.render("cot/zero_shot", question=question)))
    return messages, examples


def stated(text: str, answer: str | None) -> str:
    """The reasoning with its answer stated last, in the one format clients can rely on."""
    text = text.strip()
    if answer is None or text.splitlines()[-1:] == [f"Answer: {answer}"]:
        return text
    return f"{text}\nAnswer: {answer}"
