"""The real LangGraph server (`langgraph dev`) serving the agent with the default model."""

from __future__ import annotations

import httpx
import pytest
from langgraph_sdk import get_client

pytestmark = pytest.mark.integration


async def test_thread_keeps_two_turns(server):
    client = get_client(url=server.url)
    thread = await client.threads.create()
    first = await client.runs.wait(
        thread["thread_id"],
        "agent",
        input={"messages": [{"role": "user", "content": "What is the capital of France?"}]},
    )
    assert "Paris" in first["messages"][-1]["content"]
    second = await client.runs.wait(
        thread["thread_id"],
        "agent",
        input={"messages": [{"role": "user", "content": "Thank you. What is 2 + 2?"}]},
        context={"max_new_tokens": 16},
    )
    assert second["strategy"] == "cot", second["route_reason"]  # numbers with an operator: reasoning
    assert second["messages"][-1]["content"].strip()

    state = await client.threads.get_state(thread["thread_id"])
    kinds = [m["type"] for m in state["values"]["messages"]]
    assert kinds == ["human", "ai", "human", "ai"]
    assert state["values"]["messages"][0]["content"] == "What is the capital of France?"
    assert state["values"]["messages"][1]["content"] == first["messages"][-1]["content"]


async def test_run_streams_tokens(server):
    client = get_client(url=server.url)
    thread = await client.threads.create()
    tokens = []
    async for part in client.runs.stream(
        thread["thread_id"],
        "agent",
        input={"messages": [{"role": "user", "content": "Name three colours."}]},
        stream_mode="messages-tuple",
        context={"max_new_tokens": 24},
    ):
        if part.event == "messages":
            chunk, meta = part.data
            if meta.get("langgraph_node") == "generate" and chunk.get("content"):
                tokens.append(chunk["content"])
    # more than one piece is streaming; how many the output rails' held-back text coalesces into depends on the
    # machine's load (a busy 2-core run delivered "The three colours are blue, green, and " then "red.")
    assert len(tokens) >= 2
    state = await client.threads.get_state(thread["thread_id"])
    assert state["values"]["messages"][-1]["content"].strip() == "".join(tokens).strip()


async def test_bad_context_is_a_clear_error_and_server_stays_up(server):
    client = get_client(url=server.url)
    thread = await client.threads.create()
    result = await client.runs.wait(
        thread["thread_id"],
        "agent",
        raise_error=False,
        input={"messages": [{"role": "user", "content": "hi"}]},
        context={"strategy": "telepathy"},
    )
    assert "valid values: auto, direct" in str(result)
    assert httpx.get(server.url + "/ok", timeout=5).status_code == 200


async def test_empty_message_is_refused_without_the_model(server):
    client = get_client(url=server.url)
    result = await client.runs.wait(None, "agent", input={"messages": [{"role": "user", "content": "   "}]})
    assert result["strategy"] == "refuse" and "empty" in result["messages"][-1]["content"]


async def test_default_knowledge_base_answers_over_the_server(server):
    """What `make run` does: ingest docs/, then questions about Tailor are answered from it, with citations."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    env = {**os.environ, "TAILOR_DATA_DIR": str(server.log_path.parent / "data")}
    proc = subprocess.run(
        [sys.executable, "-m", "tools.kb", "ingest", "docs", "--collection", "docs", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1])["added"] > 20
    client = get_client(url=server.url)
    result = await client.runs.wait(
        None,
        "agent",
        context={"max_new_tokens": 64},
        input={"messages": [{"role": "user", "content": "How many characters go into one chunk by default?"}]},
    )
    assert result["strategy"] == "rag", result["route_reason"]
    assert result["citations"][0]["source"] == "docs/knowledge-base.md"
    assert "800" in result["messages"][-1]["content"]
    unrelated = await client.runs.wait(
        None,
        "agent",
        context={"max_new_tokens": 16},
        input={"messages": [{"role": "user", "content": "What is the capital of France?"}]},
    )
    assert unrelated["strategy"] == "direct", unrelated["route_reason"]


BAD_INPUTS = {
    "empty message": ({"messages": [{"role": "user", "content": ""}]}, {}, "empty"),
    "oversized message": ({"messages": [{"role": "user", "content": "a" * 20000}]}, {}, "more than the 16000"),
    "number as content": ({"messages": [{"role": "user", "content": 123}]}, {}, "valid string"),
    "object as content": ({"messages": [{"role": "user", "content": {"x": 1}}]}, {}, "valid string"),
    "unknown role": ({"messages": [{"role": "wizard", "content": "hi"}]}, {}, "Unexpected message type"),
    "input not an object": ("hello", {}, "Expected dict"),
    "unknown strategy": ({"messages": [{"role": "user", "content": "hi"}]}, {"strategy": "x"}, "valid values"),
    "unknown adapter": ({"messages": [{"role": "user", "content": "hi"}]}, {"adapter": "nope"}, "nope"),
    "invalid filter key": ({"messages": [{"role": "user", "content": "hi"}]}, {"filters": {"$bad": 1}}, "filter key"),
    "filters not a mapping": ({"messages": [{"role": "user", "content": "hi"}]}, {"filters": "x"}, "must be a mapping"),
}


def test_bad_input_gets_a_4xx_or_a_handled_refusal_and_the_server_stays_healthy(server):
    thread = httpx.post(server.url + "/threads", json={}, timeout=10).json()["thread_id"]
    url = f"{server.url}/threads/{thread}/runs/wait"
    for name, (value, context, expected) in BAD_INPUTS.items():
        response = httpx.post(url, json={"assistant_id": "agent", "input": value, "context": context}, timeout=120)
        assert response.status_code < 500, (name, response.text)
        body = response.text
        assert expected.lower() in body.lower(), (name, body[-400:])
    malformed = httpx.post(
        url, content=b'{"assistant_id": "agent", "input": {', timeout=10, headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 422
    assert httpx.get(server.url + "/ok", timeout=5).status_code == 200
    # The thread still works after all of that.
    good = httpx.post(
        url,
        json={
            "assistant_id": "agent",
            "input": {"messages": [{"role": "user", "content": "Hello"}]},
            "context": {"max_new_tokens": 8},
        },
        timeout=120,
    )
    assert good.status_code == 200 and good.json()["messages"][-1]["type"] == "ai"


async def test_a_small_soak_sixteen_clients_two_turns_each_without_an_error_or_a_mixed_thread(server):
    """The `make soak` run (32 x 10) at a size the suite can afford; memory is reported, with a loose bound."""
    from bench.soak import group_rss_mb, soak

    report = await soak(server.url, clients=16, turns=2, max_new_tokens=4, rss=lambda: group_rss_mb(server.proc.pid))
    print("soak:", report)
    assert report["runs"] == 32 and report["errors"] == 0, report["first_errors"]
    assert report["threads_wrong"] == 0, report["first_wrong"]  # every thread holds its own turns, in order
    assert report["ok_codes"] == [200]  # the server answered health checks all through
    assert 0 < report["rss_start_mb"] and report["rss_growth_mb"] < 1024, report


async def test_the_server_loads_the_model_and_guard_in_the_background_at_start(server):
    """GET /ready says when the warm-up turn (model, embeddings, guard banks) is done; the server answers meanwhile."""
    import asyncio

    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for _ in range(240):
            response = await http.get("/ready")
            if response.status_code == 200:
                break
            assert response.status_code == 503 and response.json()["state"] == "loading"
            assert (await http.get("/ok")).status_code == 200
            await asyncio.sleep(0.5)
        state = response.json()
    assert response.status_code == 200 and state["state"] == "ready", state
    assert state["seconds"] > 0
