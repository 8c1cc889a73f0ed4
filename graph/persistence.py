"""Durable conversations for the LangGraph server (langgraph.json ``checkpointer``).

Every checkpoint is committed to SQLite (``TAILOR_DATA_DIR/server/checkpoints.sqlite``) before the
step that wrote it returns, so a turn the server has answered survives a SIGKILL. The dev runtime
keeps its thread and run records in a pickle it rewrites on a timer (10 s by default); we shorten
that timer to ``TAILOR_SERVER_FLUSH_SECONDS`` (default 1) so a thread's record is on disk well
before its first turn ends. Both writes are atomic: a kill leaves the previous file, never half of one.
Checkpoints are read back strictly: a row naming a type the agent never stores, or a pickle, is
refused (:mod:`graph.checkpoint_serde`).
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tools.settings import get_settings

DB_NAME = "checkpoints.sqlite"


def database_path() -> Path:
    return get_settings().data_dir / "server" / DB_NAME


def shorten_runtime_flush(seconds: float) -> bool:
    """Make the in-memory runtime write its thread/run records every ``seconds``.

    The runtime has no setting for this; its flush loop reads a module attribute on every
    iteration, so changing it takes effect within one old interval. Returns False when the
    runtime is not the in-memory one (a Postgres-backed server is durable already).
    """
    module = sys.modules.get("langgraph_runtime_inmem._persistence")
    if module is None or not hasattr(module, "_flush_interval"):
        return False
    module._flush_interval = seconds
    return True


@asynccontextmanager
async def checkpointer() -> AsyncIterator[object]:
    """The server's checkpointer: one SQLite saver per event loop, closed with the server."""
    import aiosqlite
    from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

    from graph.checkpoint_serde import StrictSerializer

    settings = get_settings()
    path = database_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    shorten_runtime_flush(settings.server_flush_seconds)
    async with aiosqlite.connect(str(path)) as conn:
        # Strict: a tampered row is refused, never rebuilt or unpickled (graph/checkpoint_serde.py).
        saver = AsyncSqliteSaver(conn, serde=StrictSerializer())
        # WAL: readers (state, history) do not wait for a writer; a commit is durable once it returns.
        await saver.conn.execute("PRAGMA journal_mode=WAL")
        await saver.setup()
        yield saver
