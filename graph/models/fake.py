"""Fake chat models for graph unit tests and benchmarks: no weights, deterministic output."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from graph.models.runtime import JsonSpec, LocalRuntime, message_text


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

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._answer(messages, kwargs)))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for index, word in enumerate(self._answer(messages, kwargs).split(" ")):
            text = word if index == 0 else " " + word
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
            if run_manager:
                run_manager.on_llm_new_token(text, chunk=chunk)
            yield chunk

    # Native async paths: LangChain's defaults would hand every word to a worker thread, and the graph's
    # benchmark would time those hops instead of the graph.
    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._generate(messages, stop, **kwargs)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        for chunk in self._stream(messages, stop, **kwargs):
            if run_manager:
                await run_manager.on_llm_new_token(str(chunk.message.content), chunk=chunk)
            yield chunk


def fake_model(argument: str) -> BaseChatModel:
    """``echo`` gives :class:`EchoChatModel`; anything else is a ``|``-separated list of replies, cycled."""
    if argument == "echo":
        return EchoChatModel(calls=[])
    return FakeListChatModel(responses=argument.split("|"))


class ScriptedRuntime(LocalRuntime):
    """A local runtime without weights: words are tokens, every completion is ``reply`` piece by piece.

    Records each call and how many pieces each stream handed out before it was stopped, so tests
    can check cancellation and the sync/async parity of :class:`~graph.models.local.LocalChatModel`.
    """

    kind = "scripted"

    def __init__(
        self,
        reply: str = "one two three four five six",
        supports_grammar: bool = False,
        max_positions: int = 2048,
        seconds_per_piece: float = 0.0,
    ) -> None:
        self.reply, self.supports_grammar, self.max_positions = reply, supports_grammar, max_positions
        self.seconds_per_piece = seconds_per_piece  # > 0: paced like a real model, for cancellation tests
        self.name, self.adapters = "scripted", {}
        self.vocab: dict[str, int] = {}
        self.calls: list[dict[str, Any]] = []
        self.handed_out: list[int] = []

    def _ids(self, text: str) -> list[int]:
        return [self.vocab.setdefault(word, len(self.vocab) + 1) for word in text.split()]

    def encode(self, messages: Sequence[BaseMessage]) -> list[int]:
        return self._ids(" ".join(f"<{m.type}> {message_text(m)}" for m in messages) + " <ai>")

    def text_ids(self, text: str) -> list[int]:
        return self._ids(text)

    def decode(self, ids: Sequence[int]) -> str:
        words = {v: k for k, v in self.vocab.items()}
        return " ".join(words.get(i, "?") for i in ids)

    def load_adapter(self, key: str, path: str) -> None:
        self.adapters[key] = path

    def unload_adapter(self, key: str) -> None:
        self.adapters.pop(key, None)

    def stream(
        self,
        prompt_ids: list[int],
        max_new_tokens: int,
        temperature: float,
        adapter: str | None = None,
        cancel: threading.Event | None = None,
        json: JsonSpec = None,
    ) -> Generator[str, None, None]:
        self.calls.append(
            {
                "prompt": list(prompt_ids),
                "max_new_tokens": max_new_tokens,
                "temperature": temperature,
                "adapter": adapter,
                "json": json,
            }
        )
        self.handed_out.append(0)
        words = self.reply.split(" ")[:max_new_tokens]
        for index, word in enumerate(words):
            if cancel is not None and cancel.is_set():
                return
            if self.seconds_per_piece:
                time.sleep(self.seconds_per_piece)
            self.handed_out[-1] += 1
            yield word if index == 0 else " " + word

    def option_logprobs(self, prompt_ids: list[int], options: Sequence[str], adapter: str | None = None) -> list[float]:
        return [-float(len(option)) for option in options]

    def token_nll(self, ids: list[int]) -> list[float]:
        return [1.0 for _ in ids]
