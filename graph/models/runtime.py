"""The one interface every local runtime implements, so nodes, guards and evals never ask which runtime they have.

A runtime holds a loaded model (and its tokenizer) and offers what the agent needs from it: the
chat template, token counting, the context window, adapters by key, streamed generation that can be
cancelled, several samples of one prompt, per-token log-probabilities and, where the runtime has
grammars, JSON-constrained generation. A new backend is one module implementing this class and
one entry in ``graph.models.factory.RUNTIMES``.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Generator, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

_ROLES = {"human": "user", "ai": "assistant", "system": "system", "tool": "tool"}

# A request for JSON: True means any JSON value, a dict is a JSON schema the answer must follow.
JsonSpec = bool | dict[str, Any] | None


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


class LocalRuntime(ABC):
    """A model loaded in this process. Blocking methods: call them from worker threads in async code."""

    kind: str = "local"  # the factory's name for the runtime
    supports_grammar: bool = False  # True: ``json`` constrains generation so the answer parses

    name: str  # the weights' location: adapters record its fingerprint as their base
    max_positions: int  # the model's context window in tokens
    adapters: dict[str, str]  # loaded adapters: key -> path

    @abstractmethod
    def encode(self, messages: Sequence[BaseMessage]) -> list[int]:
        """The prompt's token ids under the model's chat template, ready for the assistant's reply."""

    def count_tokens(self, messages: Sequence[BaseMessage]) -> int:
        return len(self.encode(messages))

    @abstractmethod
    def text_ids(self, text: str) -> list[int]:
        """Token ids of plain text, no special tokens added."""

    @abstractmethod
    def decode(self, ids: Sequence[int]) -> str:
        """Text of token ids, special tokens included (for showing what a prompt renders to)."""

    @abstractmethod
    def load_adapter(self, key: str, path: str) -> None:
        """Make the adapter at ``path`` selectable as ``key``; several may be loaded on one base."""

    @abstractmethod
    def unload_adapter(self, key: str) -> None: ...

    def adapter_path(self, entry_path: str) -> str:
        """The file or folder of a registry version this runtime loads (peft folder by default)."""
        return entry_path

    @abstractmethod
    def stream(
        self,
        prompt_ids: list[int],
        max_new_tokens: int,
        temperature: float,
        adapter: str | None = None,
        cancel: threading.Event | None = None,
        json: JsonSpec = None,
    ) -> Generator[str, None, None]:
        """Text pieces of one completion as they are generated; ``cancel`` (or closing the iterator) stops it.

        ``adapter`` None generates with the base model. ``json`` is honoured only when ``supports_grammar``.
        """

    def generate(
        self,
        prompt_ids: list[int],
        max_new_tokens: int,
        temperature: float,
        adapter: str | None = None,
        cancel: threading.Event | None = None,
        json: JsonSpec = None,
    ) -> str:
        return "".join(self.stream(prompt_ids, max_new_tokens, temperature, adapter=adapter, cancel=cancel, json=json))

    def generate_many(
        self, prompt_ids: list[int], n: int, max_new_tokens: int, temperature: float, adapter: str | None = None
    ) -> list[str]:
        """``n`` sampled completions of one prompt (runtimes batch them where they can)."""
        return [self.generate(prompt_ids, max_new_tokens, temperature, adapter=adapter) for _ in range(n)]

    @abstractmethod
    def option_logprobs(self, prompt_ids: list[int], options: Sequence[str], adapter: str | None = None) -> list[float]:
        """Log-probability of each option as the start of the reply (constrained choices, e.g. a judge's grade)."""

    @abstractmethod
    def token_nll(self, ids: list[int]) -> list[float]:
        """Negative log-likelihood (nats) of each token of ``ids`` given those before it, after a start token."""


def runtime_of(model: BaseChatModel) -> LocalRuntime | None:
    """The local runtime behind a chat model, or None for remote and fake models."""
    runtime = getattr(model, "runtime", None)
    return runtime if isinstance(runtime, LocalRuntime) else None
