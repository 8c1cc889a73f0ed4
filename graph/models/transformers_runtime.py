"""The transformers runtime: CUDA users, training parity, and anyone who asks for it (``TAILOR_RUNTIME=transformers``)."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Generator, Sequence
from typing import Any, cast

from langchain_core.messages import BaseMessage

from graph.models.runtime import JsonSpec, LocalRuntime, to_chat_dicts

log = logging.getLogger(__name__)


class TransformersRuntime(LocalRuntime):
    """A loaded model and tokenizer with the lock that serialises generation on them."""

    kind = "transformers"
    supports_grammar = False

    def __init__(self, path: str, device: str | None = None, torch_threads: int = 0) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if torch_threads > 0:
            torch.set_num_threads(torch_threads)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = torch.bfloat16 if self.device == "cuda" else torch.float32
        started = time.perf_counter()
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        # transformers declares .to with @wraps(torch.nn.Module.to), so mypy takes the device for ``self``.
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype).to(self.device)  # type: ignore[arg-type]
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
        # Any: a list of ids or a BatchEncoding, depending on the transformers version.
        ids: Any = self.tokenizer.apply_chat_template(
            to_chat_dicts(messages), add_generation_prompt=True, tokenize=True
        )
        if isinstance(ids, dict) or hasattr(ids, "keys"):  # some versions return a BatchEncoding
            ids = ids["input_ids"]
        return list(ids)

    def text_ids(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def decode(self, ids: Sequence[int]) -> str:
        return cast(str, self.tokenizer.decode(list(ids)))  # one sequence of ids decodes to one string

    def _sampling(self, max_new_tokens: int, temperature: float) -> dict[str, Any]:
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
        import torch

        scores = []
        with self.lock, torch.inference_mode(), self._active(adapter):
            for option in options:
                tail = self.text_ids(option)
                ids = torch.tensor([list(prompt_ids) + tail], device=self.device)
                logits = self.model(ids).logits[0, len(prompt_ids) - 1 : -1].float()
                picked = torch.log_softmax(logits, dim=-1).gather(1, torch.tensor(tail, device=self.device)[:, None])
                scores.append(float(picked.sum()))
        return scores

    def token_nll(self, ids: list[int]) -> list[float]:
        import torch

        bos = self.tokenizer.bos_token_id if self.tokenizer.bos_token_id is not None else self.tokenizer.eos_token_id
        inputs = torch.tensor([[bos, *ids]], device=self.device)
        with self.lock, torch.inference_mode(), self._active(None):
            logits = self.model(input_ids=inputs).logits[0, :-1]
        return torch.nn.functional.cross_entropy(logits.float(), inputs[0, 1:], reduction="none").tolist()

    def _generate(
        self,
        prompt_ids: list[int],
        max_new_tokens: int,
        temperature: float,
        streamer: Any = None,
        adapter: str | None = None,
        cancel: threading.Event | None = None,
        n: int = 1,
    ) -> Any:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        class _Cancelled(StoppingCriteria):  # a reader that stopped listening ends generation early
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> bool:
                return bool(cancel and cancel.is_set())

        inputs = torch.tensor([prompt_ids], device=self.device)
        # One lock for switching adapters and generating: a request never runs with another's adapter.
        with self.lock, torch.inference_mode(), self._active(adapter):
            return self.model.generate(
                input_ids=inputs,
                attention_mask=torch.ones_like(inputs),
                streamer=streamer,
                stopping_criteria=StoppingCriteriaList([_Cancelled()]) if cancel else None,
                num_return_sequences=n,
                **self._sampling(max_new_tokens, temperature),
            )

    def stream(
        self,
        prompt_ids: list[int],
        max_new_tokens: int,
        temperature: float,
        adapter: str | None = None,
        cancel: threading.Event | None = None,
        json: JsonSpec = None,
    ) -> Generator[str, None, None]:
        from transformers import TextIteratorStreamer

        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        cancel = cancel or threading.Event()
        failure: list[BaseException] = []

        def work() -> None:
            try:
                self._generate(
                    prompt_ids, max_new_tokens, temperature, streamer=streamer, adapter=adapter, cancel=cancel
                )
            except BaseException as err:  # surfaced to the reader below
                failure.append(err)
                # transformers leaves TextIteratorStreamer.end unannotated.
                streamer.end()  # type: ignore[no-untyped-call]

        worker = threading.Thread(target=work, name="tailor-generate", daemon=True)
        worker.start()
        finished = False
        try:
            for text in streamer:
                if text:
                    yield text
            finished = True
        finally:
            if not finished:  # the reader stopped early (an output rail): stop generating, drain to the end signal
                cancel.set()
                for _ in streamer:
                    pass
            worker.join()
        if failure:
            raise failure[0]

    def generate(
        self,
        prompt_ids: list[int],
        max_new_tokens: int,
        temperature: float,
        adapter: str | None = None,
        cancel: threading.Event | None = None,
        json: JsonSpec = None,
    ) -> str:
        output = self._generate(prompt_ids, max_new_tokens, temperature, adapter=adapter, cancel=cancel)
        # One row of ids decodes to one string.
        return cast(str, self.tokenizer.decode(output[0, len(prompt_ids) :], skip_special_tokens=True))

    def generate_many(
        self, prompt_ids: list[int], n: int, max_new_tokens: int, temperature: float, adapter: str | None = None
    ) -> list[str]:
        """``n`` sampled completions of one prompt in a single batched ``generate`` call."""
        output = self._generate(prompt_ids, max_new_tokens, temperature, adapter=adapter, n=n)
        # Each row is one sequence of ids, so each decodes to one string.
        return [cast(str, self.tokenizer.decode(row[len(prompt_ids) :], skip_special_tokens=True)) for row in output]
