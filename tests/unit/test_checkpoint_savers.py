"""The SQLite saver's upkeep: a rolled-back run's checkpoints go, pruning keeps each thread's latest."""

from __future__ import annotations

import aiosqlite
import pytest
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.base import create_checkpoint, empty_checkpoint

from graph.checkpoint_savers import SqliteSaver
from graph.checkpoint_serde import StrictSerializer


async def _write(saver, thread: str, run_id: str, steps: int, ns: str = "") -> list[str]:
    config = {"configurable": {"thread_id": thread, "checkpoint_ns": ns}}
    latest = await saver.aget_tuple(config)
    checkpoint = latest.checkpoint if latest else empty_checkpoint()
    ids = []
    for step in range(steps):
        checkpoint = create_checkpoint(checkpoint, None, step)
        checkpoint["channel_values"] = {"messages": [HumanMessage(f"{run_id} {step}")]}
        config = await saver.aput(config, checkpoint, {"source": "loop", "step": step, "run_id": run_id}, {})
        await saver.aput_writes(config, [("messages", HumanMessage("pending"))], task_id=f"task-{run_id}-{step}")
        ids.append(config["configurable"]["checkpoint_id"])
    return ids


async def _rows(conn) -> tuple[list[tuple], int]:
    rows = await (
        await conn.execute(
            "SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints ORDER BY thread_id, checkpoint_id"
        )
    ).fetchall()
    writes = (await (await conn.execute("SELECT COUNT(*) FROM writes")).fetchone())[0]
    return [tuple(r) for r in rows], writes


@pytest.fixture
async def saver(tmp_path):
    async with aiosqlite.connect(str(tmp_path / "c.sqlite")) as conn:
        saver = SqliteSaver(conn, serde=StrictSerializer())
        await saver.setup()
        yield saver


async def test_deleting_a_run_removes_its_checkpoints_and_writes_only(saver):
    kept = await _write(saver, "t1", "run-a", 2)
    gone = await _write(saver, "t1", "run-b", 3)
    other = await _write(saver, "t2", "run-c", 1)
    await saver.adelete_for_runs(["run-b"])
    rows, writes = await _rows(saver.conn)
    assert [r[2] for r in rows] == sorted(kept) + other and not set(gone) & {r[2] for r in rows}
    assert writes == 3  # one pending write per kept checkpoint
    latest = await saver.aget_tuple({"configurable": {"thread_id": "t1", "checkpoint_ns": ""}})
    assert latest.checkpoint["channel_values"]["messages"][0].content == "run-a 1"  # the thread is back before run-b
    await saver.adelete_for_runs([])  # nothing to do, no error


async def test_pruning_keeps_each_threads_latest_checkpoint_per_namespace(saver):
    first = await _write(saver, "t1", "run-a", 3)
    sub = await _write(saver, "t1", "run-a", 2, ns="tot")
    untouched = await _write(saver, "t2", "run-b", 2)
    await saver.aprune(["t1"])
    rows, writes = await _rows(saver.conn)
    assert sorted(r[2] for r in rows if r[0] == "t1") == sorted([first[-1], sub[-1]])
    assert [r[2] for r in rows if r[0] == "t2"] == untouched
    assert writes == 2 + 2
    await saver.aprune(["t1"], strategy="delete")
    rows, _ = await _rows(saver.conn)
    assert {r[0] for r in rows} == {"t2"}
    with pytest.raises(ValueError, match="not one of keep_latest, delete"):
        await saver.aprune(["t2"], strategy="keep_oldest")
