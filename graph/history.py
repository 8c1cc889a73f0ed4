"""Fit a conversation into the model's context budget, by tokens."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from langchain_core.messages import BaseMessage, HumanMessage, trim_messages

TokenCounter = Callable[[list[BaseMessage]], int]


def fit_history(
    system: BaseMessage, history: Sequence[BaseMessage], count_tokens: TokenCounter, budget: int
) -> list[BaseMessage]:
    """System prompt + as many of the latest turns as fit in ``budget`` tokens.

    The system prompt and the latest message are always kept; if the latest message alone is
    too long its middle is cut, so the model still sees how the request starts and ends.
    """
    if not history:
        return [system]
    latest = history[-1]
    kept = trim_messages(
        [system, *history],
        max_tokens=budget,
        token_counter=count_tokens,
        strategy="last",
        include_system=True,
        start_on="human",
        allow_partial=False,
    )
    if kept and kept[-1] is latest or (kept and kept[-1] == latest):
        return kept
    return [system, _shorten(latest, system, count_tokens, budget)]


def _shorten(message: BaseMessage, system: BaseMessage, count_tokens: TokenCounter, budget: int) -> BaseMessage:
    text = message.content if isinstance(message.content, str) else str(message.content)
    low, high = 0, len(text)
    best = HumanMessage(content="")
    while low <= high:  # binary search on how many characters to keep
        keep = (low + high) // 2
        candidate = HumanMessage(
            content=text[: keep // 2] + "\n...\n" + text[len(text) - keep // 2 :] if keep < len(text) else text
        )
        if count_tokens([system, candidate]) <= budget:
            best, low = candidate, keep + 1
        else:
            high = keep - 1
    return best
