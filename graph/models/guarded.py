"""A chat model whose output passes the output rails while it streams.

Wraps the run's model for the calls whose text the user sees. The wrapped model is called without
callbacks, so its raw tokens never reach the client; this wrapper's own chunks (released by a
:class:`~tools.guard.stream.StreamGuard`) are what LangGraph's ``messages`` stream carries. When the
guard stops the stream, generation is abandoned and the message ends with a correction;
``response_metadata["guard"]`` says why.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from graph.models.runtime import message_text
from tools.guard.stream import StreamGuard


class GuardedChatModel(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    make_guard: Callable[[], StreamGuard]
    correction: Callable[[str], str]  # reason -> the text that ends a stopped message
    # (raw text, shown text, report) when the rails stopped or changed the answer; never raises
    on_replaced: Callable[[str, str, dict[str, Any]], Awaitable[None]] | None = None

    @property
    def _llm_type(self) -> str:
        return "tailor-guarded"

    def __repr__(self) -> str:  # short: LangChain serialises the model's repr on every call
        return f"GuardedChatModel({type(self.inner).__name__})"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"inner": getattr(self.inner, "model_name", type(self.inner).__name__)}

    def _inner_streams(self) -> bool:
        return type(self.inner)._stream is not BaseChatModel._stream or type(self.inner)._astream is not BaseChatModel._astream

    def _chunk(self, text: str, run_manager: Any) -> ChatGenerationChunk:
        chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
        if run_manager:
            run_manager.on_llm_new_token(text, chunk=chunk)
        return chunk

    def _ending(self, guard: StreamGuard, metadata: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        tail = guard.finish()
        report = dict(getattr(guard.clean, "report", dict)())  # what the cleaner replaced or masked
        if guard.stopped:
            tail += ("\n\n" if guard.released.strip() else "") + self.correction(guard.stopped)
            report["stopped"] = guard.stopped
        if report:
            metadata = {**metadata, "guard": report}
        return tail, metadata

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        guard, metadata = self.make_guard(), {}
        if self._inner_streams():
            pieces = self.inner._stream(messages, stop=stop, **kwargs)  # no run manager: raw tokens stay private
            try:
                for piece in pieces:
                    metadata.update(piece.message.response_metadata or {})
                    shown = guard.feed(message_text(piece.message))
                    if shown:
                        yield self._chunk(shown, run_manager)
                    if guard.stopped:
                        break
            finally:
                pieces.close()  # abandons generation when the guard stopped it
        else:
            result = self.inner._generate(messages, stop=stop, **kwargs)
            shown = guard.feed(message_text(result.generations[0].message))
            if shown:
                yield self._chunk(shown, run_manager)
        tail, metadata = self._ending(guard, metadata)
        yield ChatGenerationChunk(message=AIMessageChunk(content=tail, response_metadata=metadata))
        if tail and run_manager:
            run_manager.on_llm_new_token(tail)

    async def _astream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                       run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any) -> AsyncIterator[ChatGenerationChunk]:
        guard, metadata, raw, released = self.make_guard(), {}, [], []
        if self._inner_streams():
            pieces = self.inner._astream(messages, stop=stop, **kwargs)
            try:
                async for piece in pieces:
                    metadata.update(piece.message.response_metadata or {})
                    raw.append(message_text(piece.message))
                    shown = guard.feed(raw[-1])
                    released.append(shown)
                    if shown:
                        chunk = ChatGenerationChunk(message=AIMessageChunk(content=shown))
                        if run_manager:
                            await run_manager.on_llm_new_token(shown, chunk=chunk)
                        yield chunk
                    if guard.stopped:
                        break
            finally:
                await pieces.aclose()
        else:
            result = await self.inner._agenerate(messages, stop=stop, **kwargs)
            raw.append(message_text(result.generations[0].message))
            shown = guard.feed(raw[-1])
            released.append(shown)
            if shown:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=shown))
                if run_manager:
                    await run_manager.on_llm_new_token(shown, chunk=chunk)
                yield chunk
        tail, metadata = self._ending(guard, metadata)
        report = metadata.get("guard") or {}
        if self.on_replaced is not None and (report.get("stopped") or report.get("profanity")):
            await self.on_replaced("".join(raw), "".join(released) + tail, report)
        chunk = ChatGenerationChunk(message=AIMessageChunk(content=tail, response_metadata=metadata))
        if tail and run_manager:
            await run_manager.on_llm_new_token(tail, chunk=chunk)
        yield chunk

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        chunks = list(self._stream(messages, stop=stop, **kwargs))
        return _result(chunks)

    async def _agenerate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                         run_manager: AsyncCallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        chunks = [chunk async for chunk in self._astream(messages, stop=stop, **kwargs)]
        return _result(chunks)


def _result(chunks: list[ChatGenerationChunk]) -> ChatResult:
    text = "".join(message_text(c.message) for c in chunks)
    metadata = chunks[-1].message.response_metadata if chunks else {}
    return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, response_metadata=metadata))])
