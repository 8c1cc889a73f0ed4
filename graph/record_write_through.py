"""Thread and run records written to disk as they are created, not on the next flush.

The in-memory runtime (``langgraph dev``) keeps threads and runs in a pickle that a background
thread rewrites every ``TAILOR_SERVER_FLUSH_SECONDS``: a thread created less than one interval
before a SIGKILL was lost, though its creator had been answered. This middleware writes the
records once more, before the answer to a request that created one leaves the server. The
runtime has no hook for this, so we call its store's own atomic ``sync`` and make it take turns
with the runtime's flush thread (both write the same temporary file). Other runtimes keep their
records in a database already; there this middleware does nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import threading
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# POST routes that add a thread or a run record (threads, runs on a thread, stateless runs, copies).
CREATING = re.compile(r"^/(threads|threads/[^/]+/(runs(/stream|/wait)?|copy)|runs(/stream|/wait|/batch)?)/?$")

_sync_lock = threading.Lock()


def runtime_records() -> Any | None:
    """The in-memory runtime's thread/run store, or None on a runtime that has none."""
    module = sys.modules.get("langgraph_runtime_inmem.database")
    store = getattr(module, "GLOBAL_STORE", None)
    return store if callable(getattr(store, "sync", None)) else None


def _serialise_syncs(store: Any) -> None:
    """Wrap the store's ``sync`` in one lock, so our write and the runtime's flush never interleave."""
    if getattr(store, "_tailor_serialised", False):
        return
    unlocked = store.sync

    def sync() -> None:
        with _sync_lock:
            unlocked()

    store.sync = sync
    store._tailor_serialised = True


def write_records() -> bool:
    """Write the runtime's records now (blocking; call it off the event loop). False: nothing to write."""
    store = runtime_records()
    if store is None:
        return False
    _serialise_syncs(store)
    for attempt in range(3):
        try:
            store.sync()
            return True
        except RuntimeError as err:  # a record changed while it was pickled: take a fresh copy
            if attempt == 2:
                log.warning("could not write the thread records through (%s); the next flush will", err)
    return False


class WriteThroughRecords:
    """ASGI middleware that writes a created thread's or run's record to disk before the response starts.

    It applies to successful requests that created a thread or a run.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not CREATING.match(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def send_after_writing(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                await asyncio.to_thread(write_records)
            await send(message)

        await self.app(scope, receive, send_after_writing)
