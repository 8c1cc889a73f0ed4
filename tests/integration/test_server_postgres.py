"""Conversations in a real PostgreSQL.

Replicas migrate one at a time, a tampered row is refused, two servers on one database read each other's
threads, and a SIGKILL loses nothing.
"""

from __future__ import annotations

import asyncio

import ormsgpack
import psycopg
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import create_checkpoint, empty_checkpoint
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph_sdk import get_client

from graph.checkpoint_serde import TamperedCheckpoint
from graph.persistence import migrate_postgres, postgres_checkpointer
from tests.integration.conftest import Server, free_port, running, server_env
from tests.tampering import DETONATED, constructor_call, pickled
from tools.settings import SettingsError

SHORT = {"max_new_tokens": 8}


def fresh_database(uri: str, name: str) -> str:
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return uri.rsplit("/", 1)[0] + "/" + name


def contents(state: dict) -> list[tuple[str, str]]:
    return [(m["type"], m["content"]) for m in state["values"]["messages"]]


async def test_replicas_starting_together_migrate_one_at_a_time(postgres_uri):
    uri = fresh_database(postgres_uri, "replicas")
    await asyncio.gather(*(migrate_postgres(uri) for _ in range(3)))
    with psycopg.connect(uri) as conn:
        versions = [v for (v,) in conn.execute("SELECT v FROM checkpoint_migrations ORDER BY v")]
    assert versions == list(range(len(AsyncPostgresSaver.MIGRATIONS)))


async def test_an_unreachable_database_is_a_clear_error_without_the_password():
    with pytest.raises(SettingsError) as err:
        await migrate_postgres(f"postgresql://tailor:s3cret-pw@127.0.0.1:{free_port()}/tailor")
    message = str(err.value)
    assert "cannot be used" in message and "unset TAILOR_POSTGRES_URI" in message
    assert "s3cret-pw" not in message and ":***@" in message


@pytest.mark.parametrize("kind", ["pickle", "msgpack"])
async def test_a_tampered_postgres_row_is_refused_and_nothing_in_it_runs(postgres_uri, kind):
    uri = fresh_database(postgres_uri, f"tamper_{kind}")
    config = {"configurable": {"thread_id": "t1", "checkpoint_ns": ""}}
    async with postgres_checkpointer(uri) as saver:
        checkpoint = empty_checkpoint()
        checkpoint["channel_values"] = {"messages": [HumanMessage("hi"), AIMessage("hello")]}
        checkpoint["channel_versions"] = {"messages": "1"}
        await saver.aput(config, checkpoint, {"source": "loop", "step": 1}, {"messages": "1"})
        assert (await saver.aget_tuple(config)).checkpoint["channel_values"]["messages"][1].content == "hello"
    blob = pickled() if kind == "pickle" else ormsgpack.packb(constructor_call())
    DETONATED.clear()
    with psycopg.connect(uri, autocommit=True) as conn:
        changed = conn.execute(
            "UPDATE checkpoint_blobs SET type = %s, blob = %s WHERE channel = 'messages'", (kind, blob)
        ).rowcount
    assert changed == 1
    async with postgres_checkpointer(uri) as saver:
        with pytest.raises(TamperedCheckpoint):
            await saver.aget_tuple(config)
    assert DETONATED == []


async def test_a_rolled_back_runs_checkpoints_are_deleted_and_pruning_keeps_the_latest(postgres_uri):
    uri = fresh_database(postgres_uri, "upkeep")
    async with postgres_checkpointer(uri) as saver:
        config = {"configurable": {"thread_id": "t1", "checkpoint_ns": ""}}
        checkpoint = empty_checkpoint()
        for step, run_id in enumerate(["run-a", "run-a", "run-b", "run-b"]):
            checkpoint = create_checkpoint(checkpoint, None, step)
            checkpoint["channel_values"] = {"messages": [HumanMessage(f"{run_id} {step}")]}
            checkpoint["channel_versions"] = {"messages": str(step + 1)}
            config = await saver.aput(
                config, checkpoint, {"source": "loop", "step": step, "run_id": run_id}, {"messages": str(step + 1)}
            )
            await saver.aput_writes(config, [("messages", HumanMessage("pending"))], task_id=f"task-{step}")
        await saver.adelete_for_runs(["run-b"])
        latest = await saver.aget_tuple({"configurable": {"thread_id": "t1", "checkpoint_ns": ""}})
        assert latest.checkpoint["channel_values"]["messages"][0].content == "run-a 1"
        await saver.aprune(["t1"])
    with psycopg.connect(uri) as conn:
        assert conn.execute("SELECT COUNT(*) FROM checkpoints").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM checkpoint_writes").fetchone()[0] == 1


@pytest.mark.slow  # 50 s; the SQLite durability test and the unit tests cover the same checkpointer paths
async def test_two_servers_on_one_database_share_threads_and_a_sigkill_loses_nothing(
    tmp_path, postgres_uri, default_model_path
):
    uri = fresh_database(postgres_uri, "servers")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    env_a = server_env(tmp_path / "a", TAILOR_POSTGRES_URI=uri)
    env_b = server_env(tmp_path / "b", TAILOR_POSTGRES_URI=uri)
    first = Server(tmp_path / "a", env_a, log_name="a.log")
    try:
        with running(tmp_path / "b", env_b, log_name="b.log") as other:
            first.wait_ready()  # both started together: their migrations took turns
            a, b = get_client(url=first.url), get_client(url=other.url)
            thread = (await a.threads.create())["thread_id"]
            await a.runs.wait(
                thread,
                "agent",
                context=SHORT,
                input={"messages": [{"role": "user", "content": "What is the capital of France?"}]},
            )
            said_on_a = contents(await a.threads.get_state(thread))
            # B has its own thread records, and the conversation itself from the shared database.
            await b.threads.create(thread_id=thread, if_exists="do_nothing", graph_id="agent")
            assert contents(await b.threads.get_state(thread)) == said_on_a
            await b.runs.wait(
                thread, "agent", context=SHORT, input={"messages": [{"role": "user", "content": "And of Spain?"}]}
            )
            said_on_b = contents(await b.threads.get_state(thread))
            assert said_on_b[:2] == said_on_a and [kind for kind, _ in said_on_b[2:]] == ["human", "ai"]
            assert contents(await a.threads.get_state(thread)) == said_on_b
    finally:
        first.kill()
    for side in ("a", "b"):  # Postgres served, not a file of each server's own
        assert not (tmp_path / side / "data" / "server" / "checkpoints.sqlite").exists()
    assert not any(f"checkpointer missing {m}" in first.log() for m in ("adelete_for_runs", "aprune"))

    with running(tmp_path / "a", env_a, log_name="a-after-kill.log") as again:
        a = get_client(url=again.url)
        assert contents(await a.threads.get_state(thread)) == said_on_b
        await a.runs.wait(
            thread, "agent", context=SHORT, input={"messages": [{"role": "user", "content": "And of Italy?"}]}
        )
        after = contents(await a.threads.get_state(thread))
        assert after[:4] == said_on_b and [kind for kind, _ in after[4:]] == ["human", "ai"]
