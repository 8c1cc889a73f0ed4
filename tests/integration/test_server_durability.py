"""What the server keeps through a SIGKILL and a restart.

Finished turns and their owners, a thread created just before the kill, and a run cut mid-stream, which is
retried whole, never left half.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from langgraph_sdk import get_client
from langgraph_sdk.errors import ConflictError

from tests.integration.conftest import Server, running, server_env

KEYS = {"alice": "key-alice-durable-0123", "bob": "key-bob-durable-4567"}
SHORT = {"max_new_tokens": 8}
LONG_QUESTION = "Write a long story about a lighthouse keeper and a storm."


def contents(state: dict) -> list[tuple[str, str]]:
    return [(m["type"], m["content"]) for m in state["values"]["messages"]]


async def streamed_prefix(client, thread: str, seen: asyncio.Event, pieces: list[str]) -> None:
    async for part in client.runs.stream(
        thread,
        "agent",
        stream_mode="messages-tuple",
        input={"messages": [{"role": "user", "content": LONG_QUESTION}]},
        context={"max_new_tokens": 160},
    ):
        if part.event == "messages":
            chunk, meta = part.data
            if meta.get("langgraph_node") == "generate" and chunk.get("content"):
                pieces.append(chunk["content"])
                if len("".join(pieces)) > 40:
                    seen.set()


@pytest.mark.slow  # 45 s: two server starts and a SIGKILL; the checkpointer's retry and ownership are unit-tested
async def test_a_sigkill_keeps_turns_owners_new_threads_and_retries_the_cut_run_whole(tmp_path, default_model_path):
    env = server_env(tmp_path, TAILOR_API_KEYS=",".join(f"{key}:{user}" for user, key in KEYS.items()))
    first = Server(tmp_path, env, log_name="before-kill.log")
    pieces: list[str] = []
    try:
        first.wait_ready()
        alice = get_client(url=first.url, api_key=KEYS["alice"])
        thread = (await alice.threads.create())["thread_id"]
        for question in ("What is the capital of France?", "And the capital of Spain?"):
            await alice.runs.wait(
                thread, "agent", input={"messages": [{"role": "user", "content": question}]}, context=SHORT
            )
        before = contents(await alice.threads.get_state(thread))

        seen = asyncio.Event()
        stream = asyncio.create_task(streamed_prefix(alice, thread, seen, pieces))
        await asyncio.wait_for(seen.wait(), 120)
        # A second run on the busy thread is refused, not run beside the first (that would fork the history).
        with pytest.raises(ConflictError):
            await alice.runs.create(
                thread,
                "agent",
                multitask_strategy="reject",
                input={"messages": [{"role": "user", "content": "Interrupting!"}]},
            )
        late = (await alice.threads.create(metadata={"note": "created just before the kill"}))["thread_id"]
    finally:
        first.kill()  # mid-stream, straight after creating a thread: no shutdown hooks, no final flush
    stream.cancel()
    await asyncio.gather(stream, return_exceptions=True)
    assert [kind for kind, _ in before] == ["human", "ai", "human", "ai"]
    streamed = "".join(pieces)

    with running(tmp_path, env, log_name="after-restart.log") as second:
        alice = get_client(url=second.url, api_key=KEYS["alice"])
        bob = get_client(url=second.url, api_key=KEYS["bob"])
        # The thread created a moment before the kill was written through, owner and metadata included.
        assert (await alice.threads.get(late))["metadata"]["note"] == "created just before the kill"
        # Ownership came back with the threads: Bob can see neither.
        for theirs in (thread, late):
            with pytest.raises(httpx.HTTPStatusError) as err:
                await bob.threads.get_state(theirs)
            assert err.value.response.status_code in (403, 404)
        # Status agrees with the runs: the cut run is retried from its last checkpoint, so the thread
        # is busy exactly while that retry is pending or running.
        status = (await alice.threads.get(thread))["status"]
        runs = await alice.runs.list(thread)
        active = [r for r in runs if r["status"] in ("pending", "running")]
        assert status == ("busy" if active else "idle"), (status, [r["status"] for r in runs])
        for run in active:
            await alice.runs.join(thread, run["run_id"])
        assert {r["status"] for r in await alice.runs.list(thread)} == {"success"}
        assert (await alice.threads.get(thread))["status"] == "idle"

        # Earlier turns intact, then the cut question with one answer, made whole by the retry: longer
        # than what had been streamed before the kill; the half answer itself was never saved.
        after = contents(await alice.threads.get_state(thread))
        assert after[:4] == before
        assert after[4] == ("human", LONG_QUESTION) and after[5][0] == "ai" and len(after) == 6
        assert len(after[5][1].strip()) > len(streamed.strip()) + 40, (streamed, after[5][1])

        # Two runs sent at once to one thread are queued one after the other: the history stays a line.
        first_run = await alice.runs.create(
            thread,
            "agent",
            multitask_strategy="enqueue",
            context=SHORT,
            input={"messages": [{"role": "user", "content": "And of Italy?"}]},
        )
        second_run = await alice.runs.create(
            thread,
            "agent",
            multitask_strategy="enqueue",
            context=SHORT,
            input={"messages": [{"role": "user", "content": "And of Peru?"}]},
        )
        for run in (first_run, second_run):
            await alice.runs.join(thread, run["run_id"])
        final = contents(await alice.threads.get_state(thread))
        assert final[:6] == after
        assert [(kind, text if kind == "human" else "") for kind, text in final[6:]] == [
            ("human", "And of Italy?"),
            ("ai", ""),
            ("human", "And of Peru?"),
            ("ai", ""),
        ]
        assert not any(f"checkpointer missing {m}" in second.log() for m in ("adelete_for_runs", "aprune"))
        history = await alice.threads.get_history(thread, limit=100)
        parents = [h["parent_checkpoint"]["checkpoint_id"] for h in history if h.get("parent_checkpoint")]
        assert len(parents) == len(set(parents)), "two checkpoints share a parent: the history forked"
