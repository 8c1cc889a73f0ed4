"""Spec string -> LangChain chat model, built lazily and cached per process.

Specs:
    default                       SmolLM2-135M-Instruct from the embedded wheel, on the runtime
                                  ``TAILOR_RUNTIME`` picks (auto: transformers with CUDA, llama.cpp otherwise)
    gguf:<file> | <file>.gguf     any GGUF model file, on llama.cpp
    hf:<hub id or path>           any local transformers model folder, or a hub id (needs internet)
    <existing folder>             same as hf:<folder>
    openai:<base_url>#<model>     an OpenAI-compatible endpoint (vLLM, llama-server, ...); key from OPENAI_API_KEY
    fake:echo | fake:<a>|<b>      fake models for tests

A local runtime is one module implementing ``graph.models.runtime.LocalRuntime`` and one entry in
``RUNTIMES``; every local spec is served by a ``LocalChatModel`` over it.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from graph.models.runtime import LocalRuntime, runtime_of
from tools.resources import Resources
from tools.settings import get_settings

SPEC_HELP = (
    "use 'default', 'gguf:<file>', 'hf:<model id or folder>', a model folder, "
    "'openai:<base_url>#<model>' or 'fake:echo'"
)


class ModelSpecError(ValueError):
    """A model spec that cannot be understood or loaded."""


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model spec: its kind, and the file, folder or URL and model name it names."""

    kind: str  # default | hf | gguf | openai | fake
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
            raise ModelSpecError(
                f"bad OpenAI-compatible spec {spec!r}; write it as openai:http://host:8000/v1#model-name."
            )
        return ModelSpec("openai", base_url, model)
    if spec.startswith("gguf:") or spec.endswith(".gguf"):
        return ModelSpec("gguf", str(Path(spec.removeprefix("gguf:")).expanduser()))
    if spec.startswith("hf:"):
        return ModelSpec("hf", spec[len("hf:") :])
    if Path(spec).expanduser().is_dir():
        return ModelSpec("hf", str(Path(spec).expanduser().resolve()))
    raise ModelSpecError(f"unknown model spec {spec!r}; {SPEC_HELP}.")


@cache
def cuda_available() -> bool:
    """Whether a CUDA GPU can be used (asked once per process); torch is imported only when an NVIDIA driver is there."""
    if not (Path("/dev/nvidia0").exists() or shutil.which("nvidia-smi")):
        return False
    import torch

    return bool(torch.cuda.is_available())


def runtime_name(requested: str | None = None) -> str:
    """The runtime the default model runs on: ``TAILOR_RUNTIME``, with auto resolved."""
    name = requested or get_settings().runtime
    if name == "auto":
        return "transformers" if cuda_available() else "llamacpp"
    return name


def _transformers(path: str) -> LocalRuntime:
    from graph.models.transformers_runtime import TransformersRuntime

    return TransformersRuntime(path, torch_threads=get_settings().torch_threads)


def _llamacpp(path: str, fingerprint_of: str | None = None) -> LocalRuntime:
    try:
        import llama_cpp  # noqa: F401 - a clear error below when the library is missing

        from graph.models.llamacpp import LlamaCppRuntime
    except ImportError as err:
        raise ModelSpecError(
            f"the llama.cpp runtime needs llama-cpp-python ({err}); run `make install`, "
            "or set TAILOR_RUNTIME=transformers."
        ) from None
    settings = get_settings()
    return LlamaCppRuntime(
        path,
        threads=settings.llamacpp_threads,
        slots=settings.llamacpp_slots,
        n_ctx=2 * settings.context_tokens,
        fingerprint_of=fingerprint_of,
    )


# The local runtimes: name -> builder taking the weights (a folder for transformers, a GGUF file for llama.cpp).
RUNTIMES: dict[str, Callable[..., LocalRuntime]] = {"transformers": _transformers, "llamacpp": _llamacpp}


_models: Resources[BaseChatModel] = Resources("chat models")


def get_chat_model(spec: str | None = None) -> BaseChatModel:
    """The chat model for ``spec`` (default: ``TAILOR_MODEL``), loaded once per process.

    Blocking (it may read weights from disk): call it from a worker thread in async code.
    """
    spec = spec or get_settings().model
    key = f"{spec}@{runtime_name()}" if spec == "default" else spec  # the default runs on either runtime
    return _models.get(
        key, lambda: _build(parse_spec(spec), spec)
    )  # one load per spec even when requests arrive together


def _key(spec: str) -> str:
    return f"{spec}@{runtime_name()}" if spec == "default" else spec  # the default runs on either runtime


def loaded_model(spec: str | None = None) -> BaseChatModel | None:
    """The chat model for ``spec`` if it is loaded already (never blocks), else None."""
    return _models.peek(_key(spec or get_settings().model))


def loaded_models() -> dict[str, BaseChatModel]:
    """The models loaded so far (spec -> model), e.g. for the guard to reuse one instead of loading its own."""
    return {str(k): v for k, v in _models.loaded().items()}


def install_model(spec: str, model: BaseChatModel) -> None:
    """Serve ``model`` for ``spec`` from now on (the public hook tests put fakes in with)."""
    _models.install(spec, model)


def clear_cache() -> None:
    _models.clear()


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
            api_key=SecretStr(os.environ.get("OPENAI_API_KEY", "EMPTY")),
            max_completion_tokens=settings.max_new_tokens,
            temperature=settings.temperature,
        )
    from graph.models.local import LocalChatModel

    try:
        runtime, name = _local_runtime(parsed)
    except (OSError, ValueError, RuntimeError) as err:
        if isinstance(err, ModelSpecError):
            raise
        raise ModelSpecError(f"could not load model {spec!r}: {err}") from err
    return LocalChatModel(
        runtime,
        model_name=name,
        max_new_tokens=settings.max_new_tokens,
        temperature=settings.temperature,
        stream_flush_seconds=settings.stream_flush_ms / 1000,
    )


def _local_runtime(parsed: ModelSpec) -> tuple[LocalRuntime, str]:
    if parsed.kind == "default":
        from tools.default_model import MODEL_ID, prepare, requantised_gguf

        runtime = runtime_name()
        if runtime == "llamacpp":
            # The wheel's GGUF as it is (or requantised, TAILOR_DEFAULT_QUANT); adapters were trained on its
            # dequantised copy, whose fingerprint they record.
            gguf = requantised_gguf(get_settings().default_quant)
            return RUNTIMES[runtime](str(gguf), fingerprint_of=str(prepare())), MODEL_ID
        return RUNTIMES[runtime](str(prepare())), MODEL_ID
    if parsed.kind == "gguf":
        return RUNTIMES["llamacpp"](parsed.target), Path(parsed.target).stem
    return RUNTIMES["transformers"](parsed.target), parsed.target


def guard_scorer(spec: str = "auto") -> LocalRuntime | None:
    """The local runtime the guard's perplexity layer reads with.

    The agent's own model (``auto``), so one loaded model serves both; the embedded default stands in for a
    remote endpoint; fakes mean none.
    """
    spec = get_settings().model if spec == "auto" else spec
    kind = parse_spec(spec).kind
    if kind == "fake":
        return None
    return runtime_of(get_chat_model("default" if kind == "openai" else spec))


def _is_openai(model: BaseChatModel) -> bool:
    if "langchain_openai" not in sys.modules:  # never imported: no model can be one
        return False
    from langchain_openai.chat_models.base import BaseChatOpenAI

    return isinstance(model, BaseChatOpenAI)


def generation_kwargs(
    model: BaseChatModel, max_new_tokens: int, temperature: float, adapter: str | None = None, json: bool = False
) -> dict[str, Any]:
    """Per-call sampling arguments under the names each kind of model understands.

    With the adapter, and a JSON constraint where the runtime has grammars.
    """
    if _is_openai(model):
        # vLLM and llama-cpp-python's server serve each LoRA adapter as a model name of its own.
        return {"max_tokens": max_new_tokens, "temperature": temperature, **({"model": adapter} if adapter else {})}
    runtime = runtime_of(model)
    constrained = bool(json and runtime is not None and runtime.supports_grammar)
    return {
        "max_new_tokens": max_new_tokens,
        "temperature": temperature,
        **({"adapter": adapter} if adapter else {}),
        **({"json": True} if constrained else {}),
    }
