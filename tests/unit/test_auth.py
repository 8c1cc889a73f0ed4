"""API keys and ownership rules, without a server (the server test checks them over HTTP)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from langgraph_sdk import Auth

from graph import auth
from tools.settings import SettingsError


def test_keys_from_the_setting_or_a_file(tmp_path, monkeypatch):
    assert auth.parse_keys("k1:alice, k2:bob") == {"k1": "alice", "k2": "bob"}
    keys = tmp_path / "keys.txt"
    keys.write_text("# team keys\nk3:carol\n\nk4:dave\n")
    assert auth.parse_keys(str(keys)) == {"k3": "carol", "k4": "dave"}
    with pytest.raises(SettingsError, match="neither key:user pairs nor an existing file"):
        auth.parse_keys(str(tmp_path / "missing.txt"))
    with pytest.raises(SettingsError, match="'k5' is not 'key:user'"):
        auth.parse_keys("k1:alice,k5")
    assert auth.user_for("k2", {"k1": "alice", "k2": "bob"}) == "bob"
    assert auth.user_for("k9", {"k1": "alice"}) is None and auth.user_for(None, {"k1": "alice"}) is None


async def test_requests_need_a_known_key_when_keys_are_set(monkeypatch):
    monkeypatch.setenv("TAILOR_API_KEYS", "k1:alice")
    assert (await auth.authenticate({b"x-api-key": b"k1"}))["identity"] == "alice"
    for headers in ({}, {b"x-api-key": b"nope"}):
        with pytest.raises(Auth.exceptions.HTTPException) as err:
            await auth.authenticate(headers)
        assert err.value.status_code == 401
    monkeypatch.delenv("TAILOR_API_KEYS")
    assert (await auth.authenticate({}))["identity"] == auth.LOCAL_USER


async def test_what_a_user_creates_is_theirs_and_a_forged_owner_is_overwritten():
    class User:
        identity = "alice"

    class Ctx:
        user = User()

    value = {"metadata": {"owner": "bob", "topic": "x"}}
    assert await auth.owner_only(Ctx(), value) == {"owner": "alice"}
    assert value["metadata"] == {"owner": "alice", "topic": "x"}


def test_serve_refuses_an_open_port_without_keys():
    env = {"PATH": "/usr/bin:/bin", "TAILOR_HOST": "0.0.0.0", "TAILOR_API_KEYS": ""}
    proc = subprocess.run([sys.executable, "-m", "graph.serve"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "without authentication" in proc.stderr and "TAILOR_API_KEYS" in proc.stderr


def test_a_server_with_keys_serves_only_the_configured_model_unless_more_are_allowed(monkeypatch):
    from graph.context import Context, ContextError

    assert Context(model="openai:http://10.0.0.1/v1#x").model.startswith("openai:")  # one local user: any spec
    monkeypatch.setenv("TAILOR_API_KEYS", "k1:alice")
    assert Context().model == "fake:echo"
    for spec in ("openai:http://10.0.0.1/v1#x", "hf:/etc", "default"):
        with pytest.raises(ContextError, match="not allowed on this server"):
            Context(model=spec)
    monkeypatch.setenv("TAILOR_ALLOWED_MODELS", "default")
    assert Context(model="default").model == "default"
    monkeypatch.setenv("TAILOR_ALLOWED_MODELS", "*")
    assert Context(model="hf:/somewhere").model == "hf:/somewhere"
