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


def install() -> bool:
    """Route tracing through a redacting client; True when tracing is on (idempotent)."""
    global _installed, _client
    if not tracing_enabled():
        return False
    with _lock:
        if not _installed:
            import langsmith

            _client = langsmith.Client(anonymizer=redact_payload)
            langsmith.configure(client=_client)
            _installed = True
    return True
