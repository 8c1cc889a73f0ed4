"""LangSmith tracing that never carries personal data.

When tracing is on (``LANGSMITH_TRACING=true``), the process-wide LangSmith client is replaced by
one whose anonymizer runs every traced input, output, error and metadata string through the
guard's redaction (typed placeholders), so node runs are sent with ``<EMAIL_1>`` where the user
wrote an address. Without tracing nothing is installed and nothing is slowed down.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from tools.guard.pii import redact

_installed = False
_client: Any = None  # held here too: the SDK's sender thread stops when nobody else holds its client
_lock = threading.Lock()


def tracing_enabled() -> bool:
    value = os.environ.get("LANGSMITH_TRACING") or os.environ.get("LANGCHAIN_TRACING_V2") or ""
    return value.strip().lower() in ("1", "true", "yes")


def redact_payload(value: Any) -> Any:
    """The same structure with personal data in every string replaced by placeholders."""
    if isinstance(value, str):
        return redact(value)[0]
    if isinstance(value, dict):
        return {key: redact_payload(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_payload(item) for item in value]
    return value


def langsmith_key_set() -> bool:
    """A LangSmith API key is configured (uploads and feedback may be sent)."""
    return bool(os.environ.get("LANGSMITH_API_KEY") or os.environ.get("LANGCHAIN_API_KEY"))


def redacting_client() -> Any:
    """The process's one LangSmith client; its anonymizer redacts every string it sends."""
    global _client
    with _lock:
        if _client is None:
            import langsmith

            _client = langsmith.Client(anonymizer=redact_payload)
        return _client


def install() -> bool:
    """Route tracing through the redacting client; True when tracing is on (idempotent)."""
    global _installed
    if not tracing_enabled():
        return False
    client = redacting_client()
    with _lock:
        if not _installed:
            import langsmith

            langsmith.configure(client=client)
            _installed = True
    return True


def node_metadata(name: str, update: Any, context: Any) -> tuple[dict[str, Any], list[str]]:
    """What a node's run carries in LangSmith: what it decided, as metadata and tags."""
    meta: dict[str, Any] = {"tailor_node": name}
    tags = [f"node:{name}"]
    from tools.settings import get_settings

    meta["model"] = getattr(context, "model", None) or get_settings().model  # no context: the default
    if not isinstance(update, dict):
        return meta, tags
    if update.get("strategy"):
        meta["strategy"] = update["strategy"]
        tags.append(f"strategy:{update['strategy']}")
    if "adapter" in update:
        adapter, _, version = str(update["adapter"] or "").partition("@")
        meta["adapter"], meta["adapter_version"] = adapter or "base", version
        tags.append(f"adapter:{adapter or 'base'}")
    side = {"guard_input": "input", "guard_output": "output"}.get(name)
    verdict = ((update.get("guard") or {}).get(side) or {}) if side else {}
    if verdict:
        meta[f"guard_{side}"] = {
            k: verdict[k] for k in ("verdict", "reason", "blocked_by", "categories") if k in verdict
        }
        tags.append(f"guard_{side}:{verdict.get('verdict', '')}")
    documents = update.get("documents")
    if documents:
        meta["sources"] = sorted({str(d.get("source", "")) for d in documents})
        meta["retrieved"] = len(documents)
    return meta, tags


def annotate(metadata: dict[str, Any], tags: list[str]) -> None:
    """Add metadata and tags to the run being traced now (the node's); nothing when not tracing."""
    from langsmith.run_helpers import get_current_run_tree

    run = get_current_run_tree()
    if run is None:
        return
    run.metadata.update(metadata)
    run.tags = list(dict.fromkeys([*(run.tags or []), *tags]))


def traced(name: str, node: Any) -> Any:
    """``node`` as a graph node whose run is annotated with what it decided (see ``node_metadata``).

    Decided when the graph is built: without tracing the node is returned unchanged (no cost).
    """
    if not tracing_enabled():
        return node
    import functools
    import inspect

    from langgraph.runtime import Runtime

    takes_runtime = len(inspect.signature(node).parameters) > 1

    @functools.wraps(node)
    async def wrapper(state: Any, runtime: Runtime) -> Any:
        update = await (node(state, runtime) if takes_runtime else node(state))
        metadata, tags = node_metadata(name, update, getattr(runtime, "context", None))
        annotate(metadata, tags)
        return update

    wrapper.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("state", inspect.Parameter.POSITIONAL_OR_KEYWORD),
            inspect.Parameter("runtime", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Runtime),
        ]
    )
    return wrapper
