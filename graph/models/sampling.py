"""Several completions of one prompt: one batched call on a local runtime, separate calls otherwise."""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from graph.models.factory import generation_kwargs
from graph.models.runtime import message_text, runtime_of


async def sample(
    model: BaseChatModel,
    messages: list[BaseMessage],
    n: int,
    max_new_tokens: int,
    temperature: float,
    adapter: str | None = None,
) -> list[str]:
    runtime = runtime_of(model)
    if runtime is not None:  # one call: batched on transformers, sequences of one batch on llama.cpp
        ids = await asyncio.to_thread(runtime.encode, messages)
        return await asyncio.to_thread(runtime.generate_many, ids, n, max_new_tokens, temperature, adapter)
    # Keyword arguments for whichever model this is; ainvoke passes them on to it.
    kwargs: dict[str, Any] = generation_kwargs(model, max_new_tokens, temperature, adapter)
    replies = []
    for _ in range(n):  # one at a time: fake and remote models answer in order, which tests rely on
        replies.append(message_text(await model.ainvoke(messages, **kwargs)))
    return replies
