"""Two users' keys on a real server: no key is refused, and one user cannot see the other's threads."""

from __future__ import annotations

import httpx
import pytest
from langgraph_sdk import get_client

from tests.integration.conftest import KEYS


def client(server, user):
    return get_client(url=server.url, api_key=KEYS[user])


async def test_no_key_or_a_wrong_key_is_refused(keyed_server):
    for headers in ({}, {"x-api-key": "wrong"}):
        response = httpx.post(keyed_server.url + "/threads", json={}, headers=headers, timeout=10)
        assert response.status_code in (401, 403), response.text
    response = httpx.post(keyed_server.url + "/threads", json={}, headers={"x-api-key": KEYS["alice"]}, timeout=10)
    assert response.status_code == 200


async def test_one_user_cannot_read_list_or_run_on_anothers_thread(keyed_server):
    alice, bob = client(keyed_server, "alice"), client(keyed_server, "bob")
    thread = await alice.threads.create(metadata={"owner": "bob"})  # a forged owner is overwritten
    assert thread["metadata"]["owner"] == "alice"
    await alice.runs.wait(thread["thread_id"], "agent", input={"messages": [{"role": "user", "content": "Hello"}]})
    assert len((await alice.threads.get_state(thread["thread_id"]))["values"]["messages"]) == 2

    for call in (
        bob.threads.get(thread["thread_id"]),
        bob.threads.get_state(thread["thread_id"]),
        bob.runs.wait(thread["thread_id"], "agent", input={"messages": [{"role": "user", "content": "Hi"}]}),
    ):
        with pytest.raises(httpx.HTTPStatusError) as err:
            await call
        assert err.value.response.status_code in (403, 404)
    assert thread["thread_id"] not in [t["thread_id"] for t in await bob.threads.search(limit=100)]
    assert thread["thread_id"] in [t["thread_id"] for t in await alice.threads.search(limit=100)]
    # Bob's own thread works as usual.
    own = await bob.threads.create()
    assert own["metadata"]["owner"] == "bob"


def _post(server, user, body):
    return httpx.post(server.url + "/feedback", json=body, headers={"x-api-key": KEYS[user]}, timeout=30)


async def test_feedback_is_owned_like_threads(keyed_server):
    alice = client(keyed_server, "alice")
    thread = (await alice.threads.create())["thread_id"]
    await alice.runs.wait(thread, "agent", input={"messages": [{"role": "user", "content": "Name a colour."}]})

    given = _post(
        keyed_server, "alice", {"thread_id": thread, "score": 0, "correction": "Blue.", "comment": "too long"}
    )
    assert given.status_code == 201, given.text
    item = given.json()
    assert item["owner"] == "alice" and item["question"] == "Name a colour." and item["answer"]
    assert item["correction"] == "Blue." and item["score"] == 0.0 and item["message_id"]

    # Bob can neither give feedback on Alice's thread nor see her feedback.
    assert _post(keyed_server, "bob", {"thread_id": thread, "score": 1}).status_code == 404
    bob_headers = {"x-api-key": KEYS["bob"]}
    assert httpx.get(f"{keyed_server.url}/feedback/{item['id']}", headers=bob_headers, timeout=10).status_code == 404
    assert item["id"] not in [
        f["id"] for f in httpx.get(keyed_server.url + "/feedback", headers=bob_headers, timeout=10).json()
    ]
    mine = httpx.get(keyed_server.url + "/feedback", headers={"x-api-key": KEYS["alice"]}, timeout=10).json()
    assert item["id"] in [f["id"] for f in mine]
    assert httpx.get(keyed_server.url + "/feedback", timeout=10).status_code == 401

    # Bad feedback is refused with what to fix.
    for body, words in (
        ({"thread_id": thread, "score": 7}, "score"),
        ({"score": 1}, "thread_id"),
        ({"thread_id": thread, "score": 1, "stars": 5}, "unknown fields"),
    ):
        refused = _post(keyed_server, "alice", body)
        assert refused.status_code == 422 and words in refused.json()["detail"], refused.text
