"""What the strategy nodes share: the run's model with its adapter, token counting, one completion."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.messages.utils import count_tokens_approximately

from graph.adapters import resolve_adapter
from graph.context import Context
from graph.models.factory import generation_kwargs, get_chat_model
from graph.models.local import LocalChatModel, message_text


async def model_for(ctx: Context, node: str) -> tuple[BaseChatModel, str | None]:
    """The run's model (loaded in a worker thread) and the adapter key ``node`` answers with."""
    model = await asyncio.to_thread(get_chat_model, ctx.model)
    adapter = await asyncio.to_thread(resolve_adapter, model, ctx.adapter_for(node, node))
    return model, adapter


def token_counter(model: BaseChatModel) -> Callable[[list[BaseMessage]], int]:
    return model.get_num_tokens_from_messages if isinstance(model, LocalChatModel) else count_tokens_approximately


async def complete(model: BaseChatModel, messages: list[BaseMessage], max_new_tokens: int, temperature: float,
                   adapter: str | None) -> str:
    reply = await model.ainvoke(messages, **generation_kwargs(model, max_new_tokens, temperature, adapter))
    return message_text(reply)
