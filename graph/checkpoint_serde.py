"""Checkpoint deserialisation that refuses what the agent never writes.

LangGraph's default serializer rebuilds any Python type named in a checkpoint (it imports and calls
it), and with ``pickle_fallback`` unpickles; a checkpoint file other processes can write is then a
way to run code in the server (CVE-2025-64439, CVE-2026-28277). Its strict mode allows only
LangGraph's safe types (messages, documents, dates, ...), which is all the agent's state holds,
but a blocked type comes back as raw data with a log line. Here a blocked type, a method call or a
pickle payload is an error instead, naming what was found, and nothing in it runs.
"""

from __future__ import annotations

import threading
from typing import Any

from langgraph.checkpoint.serde.event_hooks import register_serde_event_listener
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

_BLOCKED = ("msgpack_blocked", "msgpack_method_blocked")
_seen = threading.local()  # events of the load running in this thread


class TamperedCheckpoint(ValueError):
    """A checkpoint holds something the agent does not write; it was not loaded."""


def _record(event: Any) -> None:
    found = getattr(_seen, "found", None)
    if found is not None and event.get("kind") in _BLOCKED:
        found.append(".".join(str(event.get(k)) for k in ("module", "name", "method") if event.get(k)))


register_serde_event_listener(_record)


class StrictSerializer(JsonPlusSerializer):
    """LangGraph's serializer in strict mode that raises ``TamperedCheckpoint`` on anything it would block."""

    def __init__(self) -> None:
        super().__init__(pickle_fallback=False, allowed_msgpack_modules=None)  # None: LangGraph's safe types only

    def loads_typed(self, data: tuple[str, bytes]) -> Any:
        found: list[str] = []
        _seen.found = found
        try:
            value = super().loads_typed(data)
        except NotImplementedError:  # a kind it does not read: with pickle_fallback off, pickle is one
            raise TamperedCheckpoint(
                f"a checkpoint is stored as {data[0]!r}, which the agent never writes (pickle is "
                "refused); it was not loaded. Restore the checkpoint database from a backup or "
                "delete the thread."
            ) from None
        finally:
            _seen.found = None
        if found:
            raise TamperedCheckpoint(
                f"a checkpoint names types the agent never stores ({', '.join(sorted(set(found)))}); "
                "it was not loaded and nothing in it ran. Restore the checkpoint database from a "
                "backup or delete the thread."
            )
        return value
