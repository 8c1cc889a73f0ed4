"""A tampered checkpoint row is refused with a clear error, and nothing in it runs."""

from __future__ import annotations

import sqlite3

import aiosqlite
import ormsgpack
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.checkpoint.sqlite.aio import AsyncSqliteSaver

from graph.checkpoint_serde import StrictSerializer, TamperedCheckpoint
from tests.tampering import DETONATED, constructor_call, pickled

CONFIG = {"configurable": {"thread_id": "t1", "checkpoint_ns": ""}}


async def _saved(path, serde) -> dict:
    async with aiosqlite.connect(str(path)) as conn:
        saver = AsyncSqliteSaver(conn, serde=serde)
        await saver.setup()
        checkpoint = empty_checkpoint()
        checkpoint["channel_values"] = {"messages": [HumanMessage("hi"), AIMessage("hello")], "strategy": "direct"}
        return await saver.aput(CONFIG, checkpoint, {"source": "loop", "step": 1}, {})


async def _load(path, serde):
    async with aiosqlite.connect(str(path)) as conn:
        return await AsyncSqliteSaver(conn, serde=serde).aget_tuple(CONFIG)


def _tamper(path, kind: str, blob: bytes) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE checkpoints SET type = ?, checkpoint = ?", (kind, blob))


def _evil_msgpack() -> bytes:
    return ormsgpack.packb(
        {
            "v": 4,
            "id": "x",
            "ts": "",
            "channel_values": {"strategy": constructor_call()},
            "channel_versions": {},
            "versions_seen": {},
        }
    )


async def test_the_agents_own_checkpoints_load_in_strict_mode(tmp_path):
    await _saved(tmp_path / "c.sqlite", StrictSerializer())
    loaded = await _load(tmp_path / "c.sqlite", StrictSerializer())
    messages = loaded.checkpoint["channel_values"]["messages"]
    assert [type(m).__name__ for m in messages] == ["HumanMessage", "AIMessage"] and messages[1].content == "hello"


@pytest.mark.parametrize("kind", ["msgpack", "pickle"])
async def test_a_tampered_row_is_refused_and_never_runs(tmp_path, kind):
    path = tmp_path / "c.sqlite"
    await _saved(path, StrictSerializer())
    _tamper(path, kind, _evil_msgpack() if kind == "msgpack" else pickled())
    DETONATED.clear()
    with pytest.raises(
        TamperedCheckpoint, match="pickle is refused" if kind == "pickle" else "tests.tampering.detonate"
    ):
        await _load(path, StrictSerializer())
    assert DETONATED == []


async def test_langgraphs_permissive_default_would_have_run_it(tmp_path):
    """Why the strict serializer is there: the same row, read with the default, calls the named function."""
    path = tmp_path / "c.sqlite"
    await _saved(path, JsonPlusSerializer())
    _tamper(path, "msgpack", _evil_msgpack())
    DETONATED.clear()
    loaded = await _load(path, JsonPlusSerializer(allowed_msgpack_modules=True))
    assert DETONATED == ["ran"] and loaded.checkpoint["channel_values"]["strategy"] == "boom"
