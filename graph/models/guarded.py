"""A chat model whose output passes the output rails while it streams.

Wraps the run's model for the calls whose text the user sees. The wrapped model is called without
callbacks, so its raw tokens never reach the client; this wrapper's own chunks (released by a
:class:`~tools.guard.stream.StreamGuard`) are what LangGraph's ``messages`` stream carries. When the
guard stops the stream, generation is abandoned and the message ends with a correction;
``response_metadata["guard"]`` says why.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from typing import Any, cast

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from graph.models.runtime import message_text
from tools.guard.stream import StreamGuard


class GuardedChatModel(BaseChatModel):
    """A chat model whose answers stream through the output rails (see the module docstring)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    make_guard: Callable[[], StreamGuard]
    correction: Callable[[str], str]  # reason -> the text that ends a stopped message
    # (raw text, shown text, report) when the rails stopped or changed the answer; blocking, never raises
    on_replaced: Callable[[str, str, dict[str, Any]], None] | None = None
    keeps: tuple[str, ...] = ()  # report keys (rails) whose changes make an answer "replaced", beside a stop

    @property
    def _llm_type(self) -> str:
        return "tailor-guarded"

    def __repr__(self) -> str:  # short: LangChain serialises the model's repr on every call
        return f"GuardedChatModel({type(self.inner).__name__})"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"inner": getattr(self.inner, "model_name", type(self.inner).__name__)}

    def _inner_streams(self) -> bool:
        return (
            type(self.inner)._stream is not BaseChatModel._stream
            or type(self.inner)._astream is not BaseChatModel._astream
        )

    # The sync and async streams differ only in how they iterate and call back; everything the rails
    # decide lives in _Pass, so the two cannot drift apart.
    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        answer = _Pass(self)
        if self._inner_streams():
            # No run manager: raw tokens stay private. Chat models stream from generators, which can be closed.
            pieces = cast(Generator[ChatGenerationChunk], self.inner._stream(messages, stop=stop, **kwargs))
            try:
                for piece in pieces:
                    if shown := answer.feed(piece.message):
                        chunk = _chunk(shown)
                        if run_manager:
                            run_manager.on_llm_new_token(shown, chunk=chunk)
                        yield chunk
                    if answer.stopped:
                        break
            finally:
                pieces.close()  # abandons generation when the guard stopped it
        else:
            if shown := answer.feed(self.inner._generate(messages, stop=stop, **kwargs).generations[0].message):
                chunk = _chunk(shown)
                if run_manager:
                    run_manager.on_llm_new_token(shown, chunk=chunk)
                yield chunk
        last, replaced = answer.end()
        if replaced and self.on_replaced is not None:
            self.on_replaced(*replaced)
        if last.message.content and run_manager:
            run_manager.on_llm_new_token(str(last.message.content), chunk=last)
        yield last

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        answer = _Pass(self)
        if self._inner_streams():
            pieces = cast(AsyncGenerator[ChatGenerationChunk], self.inner._astream(messages, stop=stop, **kwargs))
            try:
                async for piece in pieces:
                    if shown := answer.feed(piece.message):
                        chunk = _chunk(shown)
                        if run_manager:
                            await run_manager.on_llm_new_token(shown, chunk=chunk)
                        yield chunk
                    if answer.stopped:
                        break
            finally:
                await pieces.aclose()
        else:
            if shown := answer.feed(
                (await self.inner._agenerate(messages, stop=stop, **kwargs)).generations[0].message
            ):
                chunk = _chunk(shown)
                if run_manager:
                    await run_manager.on_llm_new_token(shown, chunk=chunk)
                yield chunk
        last, replaced = answer.end()
        if replaced and self.on_replaced is not None:
            await asyncio.to_thread(self.on_replaced, *replaced)
        if last.message.content and run_manager:
            await run_manager.on_llm_new_token(str(last.message.content), chunk=last)
        yield last

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chunks = list(self._stream(messages, stop=stop, **kwargs))
        return _result(chunks)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        chunks = [chunk async for chunk in self._astream(messages, stop=stop, **kwargs)]
        return _result(chunks)


class _Pass:
    """One answer going through the rails: the raw text, what was released, and how it ends."""

    def __init__(self, model: GuardedChatModel) -> None:
        self.model, self.guard = model, model.make_guard()
        self.metadata: dict[str, Any] = {}
        self.raw: list[str] = []
        self.released: list[str] = []

    @property
    def stopped(self) -> str:
        return self.guard.stopped or ""

    def feed(self, message: BaseMessage) -> str:
        """What of this piece may be shown now (possibly nothing while a rail holds text back)."""
        self.metadata.update(message.response_metadata or {})
        self.raw.append(message_text(message))
        shown = self.guard.feed(self.raw[-1])
        self.released.append(shown)
        return shown

    def end(self) -> tuple[ChatGenerationChunk, tuple[str, str, dict[str, Any]] | None]:
        """How the answer ends: the last chunk and, when the rails stopped or changed it, what was replaced.

        The last chunk carries the guard's report in its metadata; the second item is (raw, shown, report)
        when the rails stopped or changed the answer, else None.
        """
        tail = self.guard.finish()
        report = dict(getattr(self.guard.clean, "report", dict)())  # what the cleaner replaced or masked
        if self.guard.stopped:
            tail += ("\n\n" if self.guard.released.strip() else "") + self.model.correction(self.guard.stopped)
            report["stopped"] = self.guard.stopped
        metadata = {**self.metadata, "guard": report} if report else self.metadata
        replaced = None
        if report.get("stopped") or any(report.get(key) for key in self.model.keeps):
            replaced = ("".join(self.raw), "".join(self.released) + tail, report)
        return ChatGenerationChunk(message=AIMessageChunk(content=tail, response_metadata=metadata)), replaced


def _chunk(text: str) -> ChatGenerationChunk:
    return ChatGenerationChunk(message=AIMessageChunk(content=text))


def _result(chunks: list[ChatGenerationChunk]) -> ChatResult:
    text = "".join(message_text(c.message) for c in chunks)
    metadata = chunks[-1].message.response_metadata if chunks else {}
    return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, response_metadata=metadata))])
