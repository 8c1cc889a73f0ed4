"""A thread's finished turns survive a SIGKILL of the server and a restart, owners included."""

from __future__ import annotations

import httpx
import pytest
from langgraph_sdk import get_client

from tests.integration.conftest import Server, running, server_env

KEYS = {"alice": "key-alice-durable-0123", "bob": "key-bob-durable-4567"}


def contents(state: dict) -> list[tuple[str, str]]:
    return [(m["type"], m["content"]) for m in state["values"]["messages"]]


async def test_finished_turns_survive_sigkill_and_restart(tmp_path, default_model_path):
    env = server_env(tmp_path, TAILOR_MAX_NEW_TOKENS="12",
                     TAILOR_API_KEYS=",".join(f"{key}:{user}" for user, key in KEYS.items()))
    first = Server(tmp_path, env, log_name="before-kill.log")
    try:
        first.wait_ready()
        alice = get_client(url=first.url, api_key=KEYS["alice"])
        thread = (await alice.threads.create())["thread_id"]
        for question in ("What is the capital of France?", "And the capital of Spain?"):
            await alice.runs.wait(thread, "agent", input={"messages": [{"role": "user", "content": question}]})
        before = contents(await alice.threads.get_state(thread))
    finally:
        first.kill()  # straight after the second turn: no graceful shutdown, no final flush
    assert [kind for kind, _ in before] == ["human", "ai", "human", "ai"]
    assert (tmp_path / "data" / "server" / "checkpoints.sqlite").is_file()

    with running(tmp_path, env, log_name="after-restart.log") as second:
        alice = get_client(url=second.url, api_key=KEYS["alice"])
        bob = get_client(url=second.url, api_key=KEYS["bob"])
        assert contents(await alice.threads.get_state(thread)) == before
        assert thread in [t["thread_id"] for t in await alice.threads.search(limit=100)]
        # Ownership came back with the thread: Bob still cannot see it.
        with pytest.raises(httpx.HTTPStatusError) as err:
            await bob.threads.get_state(thread)
        assert err.value.response.status_code in (403, 404)
        assert thread not in [t["thread_id"] for t in await bob.threads.search(limit=100)]
        # The conversation goes on where it stopped.
        await alice.runs.wait(thread, "agent", input={"messages": [{"role": "user", "content": "And of Italy?"}]})
        after = contents(await alice.threads.get_state(thread))
        assert after[:4] == before and [kind for kind, _ in after[4:]] == ["human", "ai"]
