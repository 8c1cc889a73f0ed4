"""Fake chat models for graph unit tests and benchmarks: no weights, deterministic output."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from graph.models.local import message_text


class EchoChatModel(BaseChatModel):
    """Answers with the last user message, word by word when streamed; records what it was sent."""

    prefix: str = "echo: "
    calls: list[dict[str, Any]] = []

    @property
    def _llm_type(self) -> str:
        return "tailor-echo"

    def _answer(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> str:
        self.calls.append({"messages": list(messages), "kwargs": dict(kwargs)})
        last_user = next((m for m in reversed(messages) if m.type == "human"), None)
        return self.prefix + (message_text(last_user) if last_user else "")

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._answer(messages, kwargs)))])

    def _stream(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for index, word in enumerate(self._answer(messages, kwargs).split(" ")):
            text = word if index == 0 else " " + word
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
            if run_manager:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk


def fake_model(argument: str) -> BaseChatModel:
    """``echo`` gives :class:`EchoChatModel`; anything else is a ``|``-separated list of replies, cycled."""
    if argument == "echo":
        return EchoChatModel(calls=[])
    return FakeListChatModel(responses=argument.split("|"))
