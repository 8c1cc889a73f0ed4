"""A LangChain chat model over a local transformers causal LM.

Written here rather than taken from langchain-huggingface because the agent needs things its
``ChatHuggingFace`` does not offer together: per-call ``max_new_tokens``/``temperature``, token
counting with the model's own chat template, and one lock per loaded model, so concurrent
requests (and, later, adapter switches) never interleave inside ``generate``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

log = logging.getLogger(__name__)

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}


def message_text(message: BaseMessage) -> str:
    """The text of a message whose content may be a string or a list of content blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


def to_chat_dicts(messages: Sequence[BaseMessage]) -> list[dict[str, str]]:
    return [{"role": _ROLES.get(m.type, "user"), "content": message_text(m)} for m in messages]


class TransformersRuntime:
    """A loaded model and tokenizer with the lock that serialises generation on them."""

    def __init__(self, path: str, device: str | None = None, torch_threads: int = 0) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if torch_threads > 0:
            torch.set_num_threads(torch_threads)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.bfloat16 if self.device == "cuda" else torch.float32
        started = time.perf_counter()
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(self.device)
        self.model.eval()
        self.load_seconds = time.perf_counter() - started
        self.name = str(path)
        self.max_positions = int(getattr(self.model.config, "max_position_embeddings", 2048) or 2048)
        self.lock = threading.Lock()
        self.adapters: dict[str, str] = {}  # loaded peft adapters: key -> folder
        if self.tokenizer.chat_template is None:
            raise ValueError(f"{path} has no chat template in its tokenizer; Tailor needs an instruction-tuned model.")
        log.info("loaded %s on %s in %.2fs", path, self.device, self.load_seconds)

    def encode(self, messages: Sequence[BaseMessage]) -> list[int]:
        ids = self.tokenizer.apply_chat_template(to_chat_dicts(messages), add_generation_prompt=True, tokenize=True)
        if isinstance(ids, dict) or hasattr(ids, "keys"):  # some versions return a BatchEncoding
            ids = ids["input_ids"]
        return list(ids)

    def count_tokens(self, messages: Sequence[BaseMessage]) -> int:
        return len(self.encode(messages))

    def generation_kwargs(self, max_new_tokens: int, temperature: float) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "max_new_tokens": int(max_new_tokens),
            "pad_token_id": self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
        }
        if temperature and temperature > 0:
            kwargs.update(do_sample=True, temperature=float(temperature), top_p=0.95)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        return kwargs

    def load_adapter(self, key: str, path: str) -> None:
        """Attach a peft adapter under ``key`` (several may be attached; one is active per call)."""
        from peft import PeftModel

        with self.lock:
            if key in self.adapters:
                return
            if isinstance(self.model, PeftModel):
                self.model.load_adapter(path, adapter_name=key)
            else:
                self.model = PeftModel.from_pretrained(self.model, path, adapter_name=key)
            self.model.eval()
            self.adapters[key] = path

    def unload_adapter(self, key: str) -> None:
        with self.lock:
            if key in self.adapters and len(self.adapters) > 1:
                if key in self.model.active_adapters:
                    self.model.set_adapter(next(k for k in self.adapters if k != key))
                self.model.delete_adapter(key)
                del self.adapters[key]

    def _active(self, adapter: str | None) -> Any:
        """Select the adapter for one call; the base model (adapters off) when ``adapter`` is None."""
        if not self.adapters:
            if adapter:
                raise ValueError(f"adapter {adapter!r} is not loaded")
            return contextlib.nullcontext()
        if adapter is None:
            return self.model.disable_adapter()
        if adapter not in self.adapters:
            raise ValueError(f"adapter {adapter!r} is not loaded")
        self.model.set_adapter(adapter)
        return contextlib.nullcontext()

    def option_logprobs(self, prompt_ids: list[int], options: Sequence[str], adapter: str | None = None) -> list[float]:
        """Log-probability of each option as the reply's start (for constrained choices, e.g. a judge's grade)."""
        import torch

        scores = []
        with self.lock, torch.inference_mode(), self._active(adapter):
            for option in options:
                tail = self.tokenizer.encode(option, add_special_tokens=False)
                ids = torch.tensor([list(prompt_ids) + tail], device=self.device)
                logits = self.model(ids).logits[0, len(prompt_ids) - 1 : -1].float()
                picked = torch.log_softmax(logits, dim=-1).gather(1, torch.tensor(tail, device=self.device)[:, None])
                scores.append(float(picked.sum()))
        return scores

    def generate(self, prompt_ids: list[int], max_new_tokens: int, temperature: float, streamer: Any = None,
                 adapter: str | None = None, cancel: threading.Event | None = None) -> str:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        class _Cancelled(StoppingCriteria):  # a reader that stopped listening ends generation early
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return bool(cancel and cancel.is_set())

        inputs = torch.tensor([prompt_ids], device=self.device)
        # One lock for switching adapters and generating: a request never runs with another's adapter.
        with self.lock, torch.inference_mode(), self._active(adapter):
            output = self.model.generate(
                input_ids=inputs,
                attention_mask=torch.ones_like(inputs),
                streamer=streamer,
                stopping_criteria=StoppingCriteriaList([_Cancelled()]) if cancel else None,
                **self.generation_kwargs(max_new_tokens, temperature),
            )
        return self.tokenizer.decode(output[0, inputs.shape[1] :], skip_special_tokens=True)


    def generate_many(self, prompt_ids: list[int], n: int, max_new_tokens: int, temperature: float,
                      adapter: str | None = None) -> list[str]:
        """``n`` sampled completions of one prompt in a single batched ``generate`` call."""
        import torch

        inputs = torch.tensor([prompt_ids], device=self.device)
        kwargs = self.generation_kwargs(max_new_tokens, temperature)
        with self.lock, torch.inference_mode(), self._active(adapter):
            output = self.model.generate(
                input_ids=inputs, attention_mask=torch.ones_like(inputs), num_return_sequences=n, **kwargs
            )
        return [self.tokenizer.decode(row[inputs.shape[1] :], skip_special_tokens=True) for row in output]


class LocalChatModel(BaseChatModel):
    """Chat with a :class:`TransformersRuntime`; streams tokens as they are generated."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str = "local"
    max_new_tokens: int = 256
    temperature: float = 0.0
    _runtime: TransformersRuntime = PrivateAttr()

    def __init__(self, runtime: TransformersRuntime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._runtime = runtime

    @property
    def runtime(self) -> TransformersRuntime:
        return self._runtime

    @property
    def context_window(self) -> int:
        return self._runtime.max_positions

    @property
    def _llm_type(self) -> str:
        return "tailor-transformers"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def get_num_tokens_from_messages(self, messages: list[BaseMessage], tools: Sequence | None = None) -> int:
        return self._runtime.count_tokens(messages)

    def _sampling(self, kwargs: dict[str, Any]) -> tuple[int, float]:
        max_new = kwargs.get("max_new_tokens") or kwargs.get("max_tokens") or self.max_new_tokens
        temperature = kwargs.get("temperature")
        return int(max_new), float(self.temperature if temperature is None else temperature)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        max_new, temperature = self._sampling(kwargs)
        prompt_ids = self._runtime.encode(messages)
        started = time.perf_counter()
        text = self._runtime.generate(prompt_ids, max_new, temperature, adapter=kwargs.get("adapter"))
        return ChatResult(
            generations=[ChatGeneration(message=AIMessage(content=text, response_metadata=self._metadata(started)))]
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        from transformers import TextIteratorStreamer

        max_new, temperature = self._sampling(kwargs)
        prompt_ids = self._runtime.encode(messages)
        streamer = TextIteratorStreamer(self._runtime.tokenizer, skip_prompt=True, skip_special_tokens=True)
        failure: list[BaseException] = []
        cancel = threading.Event()

        def work() -> None:
            try:
                self._runtime.generate(prompt_ids, max_new, temperature, streamer=streamer, adapter=kwargs.get("adapter"),
                                       cancel=cancel)
            except BaseException as err:  # surfaced to the caller below
                failure.append(err)
                streamer.end()

        started = time.perf_counter()
        worker = threading.Thread(target=work, name="tailor-generate", daemon=True)
        worker.start()
        finished = False
        try:
            for text in streamer:
                if not text:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk
            finished = True
        finally:
            if not finished:  # the reader gave up early (an output rail stopped the answer): stop generating
                cancel.set()
                for _ in streamer:  # drain to the end signal, so the worker is never blocked on the queue
                    pass
        worker.join()
        if failure:
            raise failure[0]
        yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata=self._metadata(started)))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: Any = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        """Tokens straight onto the event loop (transformers' async streamer), no thread hop per token."""
        import asyncio

        from transformers import AsyncTextIteratorStreamer

        max_new, temperature = self._sampling(kwargs)
        prompt_ids = await asyncio.to_thread(self._runtime.encode, messages)
        streamer = AsyncTextIteratorStreamer(self._runtime.tokenizer, skip_prompt=True, skip_special_tokens=True)
        cancel = threading.Event()
        failure: list[BaseException] = []

        def generate() -> None:
            try:
                self._runtime.generate(prompt_ids, max_new, temperature, streamer=streamer, adapter=kwargs.get("adapter"),
                                       cancel=cancel)
            except BaseException as err:  # surfaced to the caller below; end the stream so the reader wakes
                failure.append(err)
                streamer.end()

        started = time.perf_counter()
        work = asyncio.create_task(asyncio.to_thread(generate))
        finished = False
        try:
            async for text in streamer:
                if not text:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
                if run_manager:
                    await run_manager.on_llm_new_token(text, chunk=chunk)
                yield chunk
            finished = True
        finally:
            if not finished:  # the reader stopped early: stop generating and let the worker finish
                cancel.set()
            await work
        if failure:
            raise failure[0]
        yield ChatGenerationChunk(message=AIMessageChunk(content="", response_metadata=self._metadata(started)))

    def _metadata(self, started: float) -> dict[str, Any]:
        return {"model_name": self.model_name, "seconds": round(time.perf_counter() - started, 3)}
