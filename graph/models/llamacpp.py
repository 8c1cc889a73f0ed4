"""The llama.cpp runtime (llama-cpp-python's C API): the CPU default, reading a GGUF file as it is.

Built on the library's low-level bindings rather than its ``Llama`` class because the agent needs
what that class keeps to itself: one model in memory with several contexts ("slots") so requests
run side by side, LoRA adapters loaded once per model and selected per context, several samples of
one prompt decoded as sequences of one batch, per-token log-probabilities for the guard, and
JSON grammars (llama.cpp's own, from ``llama_cpp.llama_grammar``).

The chat template is the GGUF's own, rendered with Jinja2 the way transformers renders it (sandboxed,
``trim_blocks``/``lstrip_blocks``), so both runtimes give the model the same tokens (tested).
"""

from __future__ import annotations

import codecs
import ctypes
import json as jsonlib
import logging
import os
import queue
import random
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage

from graph.models.runtime import JsonSpec, LocalRuntime, to_chat_dicts

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from jinja2 import Template
    from llama_cpp.llama_cpp import llama_sampler_p

log = logging.getLogger(__name__)

_backend_ready = threading.Lock()
_log_callback = None  # kept alive here: llama.cpp holds only a pointer to it


class LlamaCppError(RuntimeError):
    """llama.cpp refused a file or a call; the message says which and why."""


def _forward_log(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    """llama.cpp's errors and warnings into logging; its per-tensor chatter at load is dropped."""
    if level in (3, 4):  # ggml's WARN and ERROR levels
        log.log(
            logging.WARNING if level == 3 else logging.ERROR, "llama.cpp: %s", text.decode("utf-8", "replace").rstrip()
        )


def _llama() -> ModuleType:
    """The bindings, with logging routed and the backend started once.

    Imported lazily: the module imports without the compiled library, for docs, fakes and the transformers runtime.
    """
    global _log_callback
    import llama_cpp

    with _backend_ready:
        if _log_callback is None:
            _log_callback = llama_cpp.llama_log_callback(_forward_log)
            llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p())
            llama_cpp.llama_backend_init()
    return llama_cpp


class _Slot:
    """One llama.cpp context: its own KV cache, selected adapter and the tokens already in sequence 0."""

    def __init__(self, runtime: LlamaCppRuntime) -> None:
        lib = runtime.lib
        params = lib.llama_context_default_params()
        params.n_ctx = runtime.n_ctx
        params.n_batch = params.n_ubatch = runtime.n_batch
        params.n_seq_max = runtime.max_sequences
        params.n_threads = params.n_threads_batch = runtime.threads
        params.kv_unified = True  # samples of one prompt share the prompt's cells (seq_cp)
        params.no_perf = True
        self.ctx = lib.llama_init_from_model(runtime.model, params)
        if not self.ctx:
            raise LlamaCppError(f"llama.cpp could not create a context of {runtime.n_ctx} tokens for {runtime.name}")
        self.memory = lib.llama_get_memory(self.ctx)
        self.tokens: list[int] = []  # what sequence 0 holds, for prompt-prefix reuse
        self.adapter: str | None = None
        self.batch = lib.llama_batch_init(runtime.n_batch, 0, runtime.max_sequences)

    def free(self, lib: ModuleType) -> None:
        lib.llama_batch_free(self.batch)
        lib.llama_free(self.ctx)


class LlamaCppRuntime(LocalRuntime):
    """A GGUF model in llama.cpp, with ``slots`` contexts for requests that arrive together."""

    kind = "llamacpp"
    supports_grammar = True

    def __init__(
        self,
        path: str,
        threads: int = 0,
        slots: int = 1,
        n_ctx: int = 4096,
        max_sequences: int = 8,
        fingerprint_of: str | None = None,
    ) -> None:
        started = time.perf_counter()
        self.lib = lib = _llama()
        if not Path(path).is_file():
            raise FileNotFoundError(f"GGUF file {path!r} does not exist")
        self.path = str(path)
        self.name = fingerprint_of or self.path  # adapters record the fingerprint of the weights they were trained on
        self.threads = threads or max(1, (os.cpu_count() or 2) // max(1, slots))
        self.n_ctx, self.n_batch, self.max_sequences = int(n_ctx), 512, int(max_sequences)
        params = lib.llama_model_default_params()
        self.model = lib.llama_model_load_from_file(self.path.encode(), params)
        if not self.model:
            raise ValueError(f"llama.cpp could not load {path}: not a GGUF model file it can read")
        self.vocab = lib.llama_model_get_vocab(self.model)
        self.n_vocab = lib.llama_vocab_n_tokens(self.vocab)
        self.max_positions = int(lib.llama_model_n_ctx_train(self.model))
        self.n_ctx = min(self.n_ctx, max(self.max_positions, 512) * 2)
        self.add_bos = bool(lib.llama_vocab_get_add_bos(self.vocab))
        self.bos = int(lib.llama_vocab_bos(self.vocab))
        template = lib.llama_model_chat_template(self.model, None)
        if not template:
            raise ValueError(f"{path} has no chat template in its metadata; Tailor needs an instruction-tuned model.")
        self._template = _compile_template(template.decode("utf-8"))
        self._special = {
            name: self._piece(tok, special=True)
            for name, tok in (("bos_token", self.bos), ("eos_token", int(lib.llama_vocab_eos(self.vocab))))
        }
        self.adapters: dict[str, str] = {}
        self._lora: dict[str, ctypes.c_void_p] = {}
        self._adapter_lock = threading.Lock()
        self._slots: queue.Queue[_Slot] = queue.Queue()
        self._all_slots = [_Slot(self) for _ in range(max(1, slots))]
        for slot in self._all_slots:
            self._slots.put(slot)
        self.load_seconds = time.perf_counter() - started
        log.info(
            "loaded %s in llama.cpp in %.2fs (%d slot(s), %d thread(s) each)",
            path,
            self.load_seconds,
            len(self._all_slots),
            self.threads,
        )

    # -- text ---------------------------------------------------------------------------------
    def render(self, messages: Sequence[BaseMessage]) -> str:
        return self._template.render(messages=to_chat_dicts(messages), add_generation_prompt=True, **self._special)

    def _tokenize(self, text: str, special: bool) -> list[int]:
        raw = text.encode("utf-8")
        size = len(raw) + 8
        buffer = (self.lib.llama_token * size)()
        n = self.lib.llama_tokenize(self.vocab, raw, len(raw), buffer, size, special and self.add_bos, special)
        if n < 0:  # the buffer was too small: llama.cpp says how many it needs
            size = -n
            buffer = (self.lib.llama_token * size)()
            n = self.lib.llama_tokenize(self.vocab, raw, len(raw), buffer, size, special and self.add_bos, special)
        return list(buffer[:n])

    def encode(self, messages: Sequence[BaseMessage]) -> list[int]:
        return self._tokenize(self.render(messages), special=True)

    def text_ids(self, text: str) -> list[int]:
        return self._tokenize(text, special=False)

    def _piece(self, token: int, special: bool = False) -> bytes:
        buffer = ctypes.create_string_buffer(64)
        n = self.lib.llama_token_to_piece(self.vocab, token, buffer, 64, 0, special)
        if n < 0:
            buffer = ctypes.create_string_buffer(-n)
            n = self.lib.llama_token_to_piece(self.vocab, token, buffer, -n, 0, special)
        return buffer.raw[:n]

    def decode(self, ids: Sequence[int]) -> str:
        return b"".join(self._piece(t, special=True) for t in ids).decode("utf-8", "replace")

    # -- adapters -----------------------------------------------------------------------------
    def adapter_path(self, entry_path: str) -> str:
        from training.gguf import adapter_gguf

        return str(adapter_gguf(Path(entry_path), self))

    def load_adapter(self, key: str, path: str) -> None:
        with self._adapter_lock:
            if key in self._lora:
                return
            handle = self.lib.llama_adapter_lora_init(self.model, str(path).encode())
            if not handle:
                raise LlamaCppError(f"llama.cpp refused the LoRA adapter {path}: not a GGUF adapter for this model")
            self._lora[key] = handle
            self.adapters[key] = str(path)

    def unload_adapter(self, key: str) -> None:
        with self._adapter_lock:
            handle = self._lora.get(key)
            if handle is None:
                return
            in_use = [s for s in self._all_slots if s.adapter == key]
            if in_use:  # a request is still generating with it: keep it (loaded adapters are small)
                return
            del self._lora[key], self.adapters[key]
            self.lib.llama_adapter_lora_free(handle)

    def _select(self, slot: _Slot, adapter: str | None) -> None:
        if slot.adapter == adapter:
            return
        if adapter is not None and adapter not in self._lora:
            raise ValueError(f"adapter {adapter!r} is not loaded")
        if adapter is None:
            rc = self.lib.llama_set_adapters_lora(slot.ctx, None, 0, None)
        else:
            handles = (self.lib.llama_adapter_lora_p_ctypes * 1)(self._lora[adapter])
            rc = self.lib.llama_set_adapters_lora(slot.ctx, handles, 1, (ctypes.c_float * 1)(1.0))
        if rc != 0:
            raise LlamaCppError(f"llama.cpp could not select adapter {adapter!r} (code {rc})")
        # The cached prompt prefix was computed with the other weights: start the sequence afresh.
        self.lib.llama_memory_clear(slot.memory, True)
        slot.tokens, slot.adapter = [], adapter

    # -- decoding -----------------------------------------------------------------------------
    @contextmanager
    def _slot(self, adapter: str | None) -> Iterator[_Slot]:
        slot = self._slots.get()
        try:
            with self._adapter_lock:
                self._select(slot, adapter)
            yield slot
        finally:
            self._slots.put(slot)

    def _decode(self, slot: _Slot, entries: list[tuple[int, int, int, bool]]) -> None:
        """One ``llama_decode`` of (token, position, sequence, wants logits) entries."""
        batch = slot.batch
        for i, (token, pos, seq, logits) in enumerate(entries):
            batch.token[i], batch.pos[i], batch.n_seq_id[i] = token, pos, 1
            batch.seq_id[i][0], batch.logits[i] = seq, logits
        batch.n_tokens = len(entries)
        rc = self.lib.llama_decode(slot.ctx, batch)
        if rc != 0:
            raise LlamaCppError(f"llama_decode failed with code {rc} ({len(entries)} tokens, context {self.n_ctx})")

    def _prefill(self, slot: _Slot, ids: list[int], all_logits: bool = False) -> None:
        """Bring sequence 0 to ``ids``, reusing the prefix already in the cache.

        Logits for the last token (for every token with ``all_logits``).
        """
        if not ids:
            raise ValueError("an empty prompt cannot be decoded")
        if len(ids) > self.n_ctx:
            raise LlamaCppError(f"the prompt has {len(ids)} tokens; this context holds {self.n_ctx}")
        keep = 0
        if not all_logits:
            limit = min(len(slot.tokens), len(ids) - 1)  # decode at least the last token, for its logits
            while keep < limit and slot.tokens[keep] == ids[keep]:
                keep += 1
        self.lib.llama_memory_seq_rm(slot.memory, -1, keep, -1)
        for seq in range(1, self.max_sequences):
            self.lib.llama_memory_seq_rm(slot.memory, seq, -1, -1)
        slot.tokens = ids[:keep]
        for start in range(keep, len(ids), self.n_batch):
            chunk = ids[start : start + self.n_batch]
            last = start + len(chunk) == len(ids)
            self._decode(
                slot, [(t, start + i, 0, all_logits or (last and i == len(chunk) - 1)) for i, t in enumerate(chunk)]
            )
            slot.tokens = ids[: start + len(chunk)]

    def _sampler(self, temperature: float, json: JsonSpec, seed: int | None = None) -> llama_sampler_p:
        lib = self.lib
        chain: llama_sampler_p = lib.llama_sampler_chain_init(lib.llama_sampler_chain_default_params())
        if json and self.supports_grammar:
            from llama_cpp.llama_grammar import JSON_GBNF, json_schema_to_gbnf

            grammar = json_schema_to_gbnf(jsonlib.dumps(json)) if isinstance(json, dict) else JSON_GBNF
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_grammar(self.vocab, grammar.encode(), b"root"))
        if temperature and temperature > 0:
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_top_p(0.95, 1))
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_temp(float(temperature)))
            lib.llama_sampler_chain_add(
                chain, lib.llama_sampler_init_dist(seed if seed is not None else random.getrandbits(32))
            )
        else:
            lib.llama_sampler_chain_add(chain, lib.llama_sampler_init_greedy())
        return chain

    def _budget(self, prompt: int, max_new_tokens: int, n: int = 1) -> int:
        return max(0, min(int(max_new_tokens), (self.n_ctx - prompt) // max(1, n)))

    def stream(
        self,
        prompt_ids: list[int],
        max_new_tokens: int,
        temperature: float,
        adapter: str | None = None,
        cancel: threading.Event | None = None,
        json: JsonSpec = None,
    ) -> Generator[str, None, None]:
        with self._slot(adapter) as slot:
            self._prefill(slot, list(prompt_ids))
            chain = self._sampler(temperature, json)
            text = codecs.getincrementaldecoder("utf-8")(errors="replace")
            try:
                for _ in range(self._budget(len(prompt_ids), max_new_tokens)):
                    if cancel is not None and cancel.is_set():
                        break
                    token = self.lib.llama_sampler_sample(chain, slot.ctx, -1)
                    if self.lib.llama_vocab_is_eog(self.vocab, token):
                        break
                    piece = text.decode(self._piece(token))
                    position = len(slot.tokens)
                    slot.tokens = [*slot.tokens, token]
                    if piece:
                        yield piece
                    self._decode(slot, [(token, position, 0, True)])
                tail = text.decode(b"", final=True)
                if tail:
                    yield tail
            finally:
                self.lib.llama_sampler_free(chain)

    def generate_many(
        self, prompt_ids: list[int], n: int, max_new_tokens: int, temperature: float, adapter: str | None = None
    ) -> list[str]:
        """``n`` samples decoded together: the prompt once, then one batch of ``n`` tokens per step."""
        replies: list[str] = []
        while len(replies) < n:
            replies += self._batch(
                prompt_ids, min(self.max_sequences, n - len(replies)), max_new_tokens, temperature, adapter
            )
        return replies

    def _batch(
        self, prompt_ids: list[int], n: int, max_new_tokens: int, temperature: float, adapter: str | None
    ) -> list[str]:
        lib, prompt = self.lib, list(prompt_ids)
        with self._slot(adapter) as slot:
            self._prefill(slot, prompt)
            for seq in range(1, n):
                lib.llama_memory_seq_cp(slot.memory, 0, seq, -1, -1)
            chains = [self._sampler(temperature, None) for _ in range(n)]
            outputs: list[list[bytes]] = [[] for _ in range(n)]
            live, index = list(range(n)), [-1] * n  # index: the batch row holding each sequence's logits
            try:
                for step in range(self._budget(len(prompt), max_new_tokens, n)):
                    entries: list[tuple[int, int, int, bool]] = []
                    for seq in list(live):
                        token = lib.llama_sampler_sample(chains[seq], slot.ctx, index[seq])
                        if lib.llama_vocab_is_eog(self.vocab, token):
                            live.remove(seq)
                            continue
                        outputs[seq].append(self._piece(token))
                        index[seq] = len(entries)
                        entries.append((token, len(prompt) + step, seq, True))
                    if not entries:
                        break
                    self._decode(slot, entries)
            finally:
                for chain in chains:
                    lib.llama_sampler_free(chain)
                for seq in range(1, n):
                    lib.llama_memory_seq_rm(slot.memory, seq, -1, -1)
                lib.llama_memory_seq_rm(slot.memory, 0, len(prompt), -1)
                slot.tokens = prompt
        return [b"".join(parts).decode("utf-8", "replace") for parts in outputs]

    # -- probabilities ------------------------------------------------------------------------
    def _logprobs_at(self, slot: _Slot, row: int) -> npt.NDArray[np.float64]:
        import numpy as np

        logits = np.ctypeslib.as_array(self.lib.llama_get_logits_ith(slot.ctx, row), shape=(self.n_vocab,)).astype(
            np.float64
        )
        return logits - _log_normaliser(logits)

    def option_logprobs(self, prompt_ids: list[int], options: Sequence[str], adapter: str | None = None) -> list[float]:
        scores = []
        with self._slot(adapter) as slot:
            for option in options:
                tail = self.text_ids(option)
                self._prefill(slot, list(prompt_ids))
                total = float(self._logprobs_at(slot, -1)[tail[0]])
                if len(tail) > 1:
                    start = len(prompt_ids)
                    self._decode(slot, [(t, start + i, 0, True) for i, t in enumerate(tail[:-1])])
                    slot.tokens = [*slot.tokens, *tail[:-1]]
                    total += sum(float(self._logprobs_at(slot, i)[tail[i + 1]]) for i in range(len(tail) - 1))
                scores.append(total)
        return scores

    def token_nll(self, ids: list[int]) -> list[float]:
        import numpy as np

        sequence = [self.bos, *ids][: self.n_batch]  # one batch: its logits are all in the buffer at once
        with self._slot(None) as slot:
            self._prefill(slot, sequence, all_logits=True)
            rows = len(sequence) - 1
            # Every row at once (a per-row loop in float64 took seconds at 500 tokens).
            logits = np.ctypeslib.as_array(self.lib.llama_get_logits(slot.ctx), shape=(len(sequence), self.n_vocab))[
                :rows
            ]
            nll: list[float] = (
                (_log_normaliser(logits) - logits[np.arange(rows), sequence[1:]]).astype(np.float64).tolist()
            )
            return nll

    def close(self) -> None:
        for slot in self._all_slots:
            slot.free(self.lib)
        for handle in self._lora.values():
            self.lib.llama_adapter_lora_free(handle)
        self.lib.llama_model_free(self.model)


def _log_normaliser(logits: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.floating[Any]]:
    """log(sum(exp(logits))) over the last axis, computed stably: a log-softmax is ``logits - this``."""
    import numpy as np

    top = logits.max(axis=-1, keepdims=True)
    normaliser: npt.NDArray[np.floating[Any]] = (top + np.log(np.exp(logits - top).sum(axis=-1, keepdims=True)))[..., 0]
    return normaliser


def _compile_template(source: str) -> Template:
    """The chat template as transformers compiles it (same environment, filters and globals)."""
    from jinja2.exceptions import TemplateError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise TemplateError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = lambda value, indent=None, **_: jsonlib.dumps(value, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(source)
