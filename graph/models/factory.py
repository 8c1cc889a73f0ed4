"""Spec string -> LangChain chat model, built lazily and cached per process.

Specs:
    default                       SmolLM2-135M-Instruct from the embedded wheel (prepared on first use)
    hf:<hub id or path>           any local transformers model folder, or a hub id (needs internet)
    <existing folder>             same as hf:<folder>
    openai:<base_url>#<model>     an OpenAI-compatible endpoint (vLLM, TGI, ...); key from OPENAI_API_KEY
    fake:echo | fake:<a>|<b>      fake models for tests
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from langchain_core.language_models import BaseChatModel

from tools.settings import get_settings

SPEC_HELP = "use 'default', 'hf:<model id or folder>', a model folder, 'openai:<base_url>#<model>' or 'fake:echo'"


class ModelSpecError(ValueError):
    """A model spec that cannot be understood or loaded."""


@dataclass(frozen=True)
class ModelSpec:
    kind: str  # default | hf | openai | fake
    target: str = ""
    model: str = ""


def parse_spec(spec: str) -> ModelSpec:
    spec = (spec or "").strip()
    if not spec:
        raise ModelSpecError(f"empty model spec; {SPEC_HELP}.")
    if spec == "default":
        return ModelSpec("default")
    if spec.startswith("fake:"):
        return ModelSpec("fake", spec[len("fake:") :])
    if spec.startswith("openai:"):
        base_url, _, model = spec[len("openai:") :].partition("#")
        if not base_url.startswith(("http://", "https://")) or not model:
            raise ModelSpecError(f"bad OpenAI-compatible spec {spec!r}; write it as openai:http://host:8000/v1#model-name.")
        return ModelSpec("openai", base_url, model)
    if spec.startswith("hf:"):
        return ModelSpec("hf", spec[len("hf:") :])
    if Path(spec).expanduser().is_dir():
        return ModelSpec("hf", str(Path(spec).expanduser().resolve()))
    raise ModelSpecError(f"unknown model spec {spec!r}; {SPEC_HELP}.")


_cache: dict[str, BaseChatModel] = {}
_cache_lock = threading.Lock()


def get_chat_model(spec: str | None = None) -> BaseChatModel:
    """The chat model for ``spec`` (default: ``TAILOR_MODEL``), loaded once per process.

    Blocking (it may read weights from disk): call it from a worker thread in async code.
    """
    spec = spec or get_settings().model
    with _cache_lock:  # one load per spec even when requests arrive together
        if spec not in _cache:
            _cache[spec] = _build(parse_spec(spec), spec)
        return _cache[spec]


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _build(parsed: ModelSpec, spec: str) -> BaseChatModel:
    settings = get_settings()
    if parsed.kind == "fake":
        from graph.models.fake import fake_model

        return fake_model(parsed.target)
    if parsed.kind == "openai":
        from langchain_openai import ChatOpenAI

        return ChatOpenAI(
            base_url=parsed.target,
            model=parsed.model,
            api_key=os.environ.get("OPENAI_API_KEY", "EMPTY"),
            max_tokens=settings.max_new_tokens,
            temperature=settings.temperature,
        )
    from graph.models.local import LocalChatModel, TransformersRuntime

    if parsed.kind == "default":
        from tools.default_model import MODEL_ID, prepare

        path, name = str(prepare()), MODEL_ID
    else:
        path, name = parsed.target, parsed.target
    try:
        runtime = TransformersRuntime(path, torch_threads=settings.torch_threads)
    except (OSError, ValueError) as err:
        raise ModelSpecError(f"could not load model {spec!r}: {err}") from err
    return LocalChatModel(
        runtime, model_name=name, max_new_tokens=settings.max_new_tokens, temperature=settings.temperature
    )


def generation_kwargs(
    model: BaseChatModel, max_new_tokens: int, temperature: float, adapter: str | None = None
) -> dict[str, object]:
    """Per-call sampling arguments (and adapter) under the names each kind of model understands."""
    if type(model).__name__ == "ChatOpenAI":
        # vLLM serves each LoRA adapter as a model name of its own.
        return {"max_tokens": max_new_tokens, "temperature": temperature, **({"model": adapter} if adapter else {})}
    return {"max_new_tokens": max_new_tokens, "temperature": temperature, **({"adapter": adapter} if adapter else {})}
