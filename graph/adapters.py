"""Resolve a run's adapter name to a loaded peft adapter, following the registry's ``current``.

The registry pointer is read on every request, so a promotion or rollback takes effect on the
next request without a restart. A version that fails its checks (files, base model, loading) is
refused with a log line, and the agent keeps answering with the version of that adapter it had.
``TAILOR_ADAPTER`` is the adapter every run uses unless its context names another; while it has
no version yet, the base model answers (said once in the log).
"""

from __future__ import annotations

import logging
import threading

from langchain_core.language_models import BaseChatModel

from graph.models.runtime import LocalRuntime, runtime_of
from tools.settings import get_settings
from training.base_model import fingerprint
from training.registry import AdapterVersion, Registry, RegistryError, verify_files

log = logging.getLogger("tailor.adapters")

_serving: dict[tuple[int, str], str] = {}  # (runtime id, adapter name) -> key in use
_waiting: set[str] = set()  # served defaults already reported as having no version yet
_lock = threading.Lock()


class AdapterError(ValueError):
    """The requested adapter cannot be used; the message says why."""


def _check_base(entry: AdapterVersion, model_name: str, runtime: LocalRuntime) -> None:
    base = entry.manifest.get("base_model", {})
    if base.get("id") != model_name:
        raise RegistryError(f"{entry.name} {entry.version} belongs to base {base.get('id')!r}, not {model_name!r}")
    wanted = base.get("fingerprint")
    if wanted and wanted != fingerprint(runtime.name):
        raise RegistryError(f"{entry.name} {entry.version} was trained on other weights of {model_name}")


def resolve_adapter(model: BaseChatModel, name: str) -> str | None:
    """The adapter key to generate with (None: the base model). Blocking: call from a thread.

    ``name`` follows the registry's ``current``; ``name@vN`` pins version N.
    """
    if not name:
        return None
    runtime = runtime_of(model)
    if runtime is None:
        # OpenAI-compatible servers (vLLM, llama-cpp-python's) serve LoRA adapters under their own model names.
        return name
    registry = Registry()
    bare, _, version = name.partition("@")  # "name@v3" pins a version (evals compare one with current)
    if not version and bare == get_settings().adapter and registry.current(bare) is None:
        # The served default has no version yet (a fresh deployment): the base model answers until one is promoted.
        with _lock:
            if bare not in _waiting:
                _waiting.add(bare)
                log.warning("TAILOR_ADAPTER=%s has no version yet; serving the base model until one is promoted", bare)
        return None
    try:
        entry = registry.get(bare, version or None)
    except RegistryError as err:
        raise AdapterError(str(err)) from None
    key = f"{bare}@{entry.version}"
    slot = (id(runtime), name)
    with _lock:
        if key in runtime.adapters:
            _serving[slot] = key
            return key
        try:
            problems = verify_files(entry)
            if problems:
                raise RegistryError("; ".join(problems))
            _check_base(entry, str(getattr(model, "model_name", "")), runtime)
            # The runtime's own format: the peft folder, or its GGUF (converted on first use, checksum-checked).
            runtime.load_adapter(key, runtime.adapter_path(str(entry.path)))
        except Exception as err:  # noqa: BLE001 - any failure: keep serving what we had
            previous = _serving.get(slot)
            log.error(
                "refusing adapter %s %s: %s; %s",
                name,
                entry.version,
                err,
                f"still serving {previous}" if previous else "no earlier version loaded",
            )
            if previous:
                return previous
            raise AdapterError(f"adapter {name!r} {entry.version} cannot be used: {err}") from None
        old = _serving.get(slot)
        _serving[slot] = key
        log.info("serving adapter %s (was %s)", key, old or "none")
    if old and old != key:
        runtime.unload_adapter(old)
    return key
