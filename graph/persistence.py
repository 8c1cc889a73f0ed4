"""Durable conversations for the LangGraph server (langgraph.json ``checkpointer``).

Which checkpointer serves (``TAILOR_CHECKPOINTER``, default ``auto``):

- ``platform``: the runtime's own. Chosen by ``auto`` on a database-backed LangGraph runtime
  (``langgraph up``, LangGraph Platform), whose replicas must share the platform's database,
  never keep a file each.
- ``postgres``: ``langgraph-checkpoint-postgres`` on ``TAILOR_POSTGRES_URI`` (chosen by ``auto``
  when that is set): several ``langgraph dev`` processes, or a restarted one, read the same
  threads' checkpoints.
- ``sqlite``: ``TAILOR_DATA_DIR/server/checkpoints.sqlite``, for one process on one machine.

Every checkpoint is committed before the step that wrote it returns, so a turn the server has
answered survives a SIGKILL. The dev runtime keeps its thread and run records in a pickle it
rewrites on a timer (10 s by default); we shorten that timer to ``TAILOR_SERVER_FLUSH_SECONDS``
(default 1), and requests that create a record write it through at once
(:mod:`graph.record_write_through`). Our checkpoints are read back strictly: a row naming a type
the agent never stores, or a pickle, is refused (:mod:`graph.checkpoint_serde`).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from tools.settings import Settings, SettingsError, get_settings

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg.rows import DictRow

DB_NAME = "checkpoints.sqlite"
# Any constant works: it only has to be the same in every process that migrates one database.
MIGRATION_LOCK_KEY = 0x7A170C4B


def database_path() -> Path:
    return get_settings().data_dir / "server" / DB_NAME


def runtime_edition() -> str:
    """The LangGraph runtime this server runs on (``inmem`` for ``langgraph dev``)."""
    return os.environ.get("LANGGRAPH_RUNTIME_EDITION", "inmem")


def choose_backend(settings: Settings, edition: str) -> str:
    """``platform``, ``postgres`` or ``sqlite``, from the setting and the runtime."""
    if settings.checkpointer != "auto":
        return settings.checkpointer
    if edition != "inmem":
        return "platform"
    return "postgres" if settings.postgres_uri else "sqlite"


def shorten_runtime_flush(seconds: float) -> bool:
    """Make the in-memory runtime write its thread/run records every ``seconds``.

    The runtime has no setting for this; its flush loop reads a module attribute on every
    iteration, so changing it takes effect within one old interval. Returns False when the
    runtime is not the in-memory one (a Postgres-backed server is durable already).
    """
    module = sys.modules.get("langgraph_runtime_inmem._persistence")
    if module is None or not hasattr(module, "_flush_interval"):
        return False
    # The runtime's private attribute, found by hasattr above (mypy knows no attributes of a module from sys.modules).
    module._flush_interval = seconds  # type: ignore[attr-defined]
    return True


def redact_uri(uri: str) -> str:
    """The URI without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


@asynccontextmanager
async def sqlite_checkpointer(path: Path) -> AsyncIterator[object]:
    import aiosqlite

    from graph.checkpoint_savers import SqliteSaver
    from graph.checkpoint_serde import StrictSerializer

    path.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(str(path)) as conn:
        # Strict: a tampered row is refused, never rebuilt or unpickled (graph/checkpoint_serde.py).
        saver = SqliteSaver(conn, serde=StrictSerializer())
        # WAL: readers (state, history) do not wait for a writer; a commit is durable once it returns.
        await saver.conn.execute("PRAGMA journal_mode=WAL")
        await saver.setup()
        yield saver


async def migrate_postgres(uri: str) -> None:
    """Create or update the checkpoint tables, one process at a time."""
    import psycopg
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
    from psycopg.rows import dict_row

    try:
        conn = await psycopg.AsyncConnection.connect(
            uri, autocommit=True, prepare_threshold=0, row_factory=dict_row, connect_timeout=10
        )
    except psycopg.OperationalError as err:
        raise SettingsError(
            f"TAILOR_POSTGRES_URI={redact_uri(uri)} cannot be used: {str(err).strip()}. "
            f"Start that database (or fix the URI), or unset TAILOR_POSTGRES_URI to keep "
            f"conversations in SQLite."
        ) from None
    async with conn:
        # The saver's migrations are not safe to run from two processes at once (both would insert
        # the same version): an advisory lock, released when this connection closes, makes replicas
        # that start together take turns. It is polled, not waited for: a waiting statement is an open
        # transaction, and the migrations' CREATE INDEX CONCURRENTLY waits for every open one (deadlock).
        while True:
            row = await (await conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (MIGRATION_LOCK_KEY,))).fetchone()
            assert row is not None  # a SELECT without FROM returns exactly one row
            if row["got"]:
                break
            await asyncio.sleep(0.2)
        await AsyncPostgresSaver(conn).setup()


@asynccontextmanager
async def postgres_checkpointer(uri: str) -> AsyncIterator[object]:
    from psycopg.rows import dict_row
    from psycopg_pool import AsyncConnectionPool

    from graph.checkpoint_savers import PostgresSaver
    from graph.checkpoint_serde import StrictSerializer

    await migrate_postgres(uri)
    options = {"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row}
    # Typed by hand: the pool's connections return dict rows (``row_factory`` in ``options``).
    pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(uri, kwargs=options, open=False)
    async with pool:
        yield PostgresSaver(pool, serde=StrictSerializer())


@asynccontextmanager
async def platform_checkpointer() -> AsyncIterator[object]:
    # The runtime's own saver, on its own database and with its own serializer settings.
    from langgraph_runtime.checkpoint import Checkpointer

    yield Checkpointer()


@asynccontextmanager
async def checkpointer() -> AsyncIterator[object]:
    """The server's checkpointer: one per event loop, closed with the server."""
    settings = get_settings()
    backend = choose_backend(settings, runtime_edition())
    shorten_runtime_flush(settings.server_flush_seconds)
    if backend == "platform":
        async with platform_checkpointer() as saver:
            yield saver
    elif backend == "postgres":
        async with postgres_checkpointer(settings.postgres_uri) as saver:
            yield saver
    else:
        async with sqlite_checkpointer(database_path()) as saver:
            yield saver
