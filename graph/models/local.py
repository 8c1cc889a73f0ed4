"""A LangChain chat model over any :class:`~graph.models.runtime.LocalRuntime` (transformers, llama.cpp).

Written here rather than taken from langchain-huggingface or langchain-community because the agent
needs things those wrappers do not offer together: per-call ``max_new_tokens``/``temperature``/
``adapter``/``json``, token counting with the model's own chat template, one runtime (and its
adapters) shared by every node and the guard, and generation cancelled when the reader stops.
The sync and async streams share one body: the runtime's own iterator (the async side runs it
in a worker thread), so the two paths cannot drift.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from graph.models.runtime import LocalRuntime, message_text, to_chat_dicts

__all__ = ["LocalChatModel", "message_text", "to_chat_dicts"]

_END = object()


class LocalChatModel(BaseChatModel):
    """Chat with a local runtime; streams tokens as they are generated."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str = "local"
    max_new_tokens: int = 256
    temperature: float = 0.0
    # Pieces after the first are handed to the reader at most this often. Each hand-off wakes the event loop
    # (rails, LangGraph's stream), which on a 2-core machine takes a core from the decoding threads:
    # measured at 30 ms the agent decoded at 0.90x raw llama.cpp, at 80 ms 0.98x (12 updates a second).
    stream_flush_seconds: float = 0.08
    _runtime: LocalRuntime = PrivateAttr()

    def __init__(self, runtime: LocalRuntime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._runtime = runtime

    @property
    def runtime(self) -> LocalRuntime:
        return self._runtime

    @property
    def context_window(self) -> int:
        return self._runtime.max_positions

    @property
    def _llm_type(self) -> str:
        return f"tailor-{self._runtime.kind}"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "runtime": self._runtime.kind}

    def get_num_tokens_from_messages(self, messages: list[BaseMessage], tools: Sequence[Any] | None = None) -> int:
        return self._runtime.count_tokens(messages)

    def _call_args(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        max_new = kwargs.get("max_new_tokens") or kwargs.get("max_tokens") or self.max_new_tokens
        temperature = kwargs.get("temperature")
        return {
            "max_new_tokens": int(max_new),
            "temperature": float(self.temperature if temperature is None else temperature),
            "adapter": kwargs.get("adapter"),
            "json": kwargs.get("json"),
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        args = self._call_args(kwargs)
        started = time.perf_counter()
        text = self._runtime.generate(
            self._runtime.encode(messages), args.pop("max_new_tokens"), args.pop("temperature"), **args
        )
        return ChatResult(
            generations=[ChatGeneration(message=AIMessage(content=text, response_metadata=self._metadata(started)))]
        )

    def _pieces(
        self, messages: list[BaseMessage], kwargs: dict[str, Any], cancel: threading.Event
    ) -> Generator[str, None, None]:
        args = self._call_args(kwargs)
        return self._runtime.stream(
            self._runtime.encode(messages), args.pop("max_new_tokens"), args.pop("temperature"), cancel=cancel, **args
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        started, cancel = time.perf_counter(), threading.Event()
        pieces = self._pieces(messages, kwargs, cancel)
        try:
            for text in pieces:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk
        finally:  # the reader may stop early (an output rail): closing the runtime's iterator stops generation
            cancel.set()
            pieces.close()
        yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata=self._metadata(started)))

    async def _astream(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any
    ) -> AsyncIterator[ChatGenerationChunk]:
        """The same runtime iterator as ``_stream``, run in a worker thread, its pieces handed to the event loop."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()  # text pieces, then an error and/or _END
        started, cancel = time.perf_counter(), threading.Event()

        def work() -> None:
            try:
                pieces = self._pieces(messages, kwargs, cancel)
                buffer: list[str] = []
                flushed = 0.0
                try:
                    for text in pieces:
                        buffer.append(text)
                        # The first piece goes at once; later ones at most every stream_flush_seconds.
                        if time.perf_counter() - flushed >= self.stream_flush_seconds:
                            loop.call_soon_threadsafe(queue.put_nowait, "".join(buffer))
                            buffer.clear()
                            flushed = time.perf_counter()
                        if cancel.is_set():
                            break
                    if buffer:
                        loop.call_soon_threadsafe(queue.put_nowait, "".join(buffer))
                finally:
                    pieces.close()
            except BaseException as err:  # surfaced to the reader below
                loop.call_soon_threadsafe(queue.put_nowait, err)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, _END)

        worker = asyncio.ensure_future(asyncio.to_thread(work))
        try:
            pending: list[object] = []
            while True:
                item = pending.pop(0) if pending else await queue.get()
                if item is _END:
                    break
                if isinstance(item, BaseException):
                    raise item
                # Pieces that arrived while the reader was busy become one chunk: on a 2-core machine every
                # chunk's Python work takes CPU from the decoding threads.
                text = str(item)
                while not queue.empty():
                    more = queue.get_nowait()
                    if isinstance(more, str):
                        text += more
                    else:
                        pending.append(more)
                        break
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    await run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk
        finally:  # the reader stopped early or finished: stop generating and let the worker end
            cancel.set()
            await worker
        yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata=self._metadata(started)))

    def _metadata(self, started: float) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "runtime": self._runtime.kind,
            "seconds": round(time.perf_counter() - started, 3),
        }
