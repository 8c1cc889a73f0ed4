"""Who may use the server, and what each user may see (LangGraph custom auth, see langgraph.json).

With ``TAILOR_API_KEYS`` set (``key:user,key:user``, or the path of a file with one ``key:user`` per
line), every request needs an ``x-api-key`` header with one of the keys. Threads, runs and crons
are stamped with their owner and filtered by it, so a user cannot read, search or run on another
user's threads (they look absent: 404, and missing from searches); store items are namespaced by
user. The shipped ``agent`` assistant is readable by everyone. Without keys, everyone is the one
local user: ``python -m graph.serve`` then listens on loopback only.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from langgraph_sdk import Auth

from tools.settings import SettingsError, get_settings

LOCAL_USER = "local"
OWNER_KEY = "owner"
auth = Auth()


def parse_keys(raw: str) -> dict[str, str]:
    """``key:user`` pairs (comma- or line-separated) from the setting or the file it names."""
    raw = raw.strip()
    if not raw:
        return {}
    if ":" not in raw.splitlines()[0] or Path(raw).is_file():
        path = Path(raw).expanduser()
        if not path.is_file():
            raise SettingsError(f"TAILOR_API_KEYS={raw!r} is neither key:user pairs nor an existing file.")
        raw = path.read_text(encoding="utf-8")
    keys: dict[str, str] = {}
    for item in raw.replace(",", "\n").splitlines():
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        key, sep, user = item.partition(":")
        if not sep or not key.strip() or not user.strip():
            raise SettingsError(f"TAILOR_API_KEYS: {item!r} is not 'key:user'.")
        keys[key.strip()] = user.strip()
    return keys


def configured_keys() -> dict[str, str]:
    return parse_keys(get_settings().api_keys)


def user_for(key: str | None, keys: dict[str, str]) -> str | None:
    """The user a key belongs to (compared in constant time), or None."""
    if not key:
        return None
    found = None
    for known, user in keys.items():
        if hmac.compare_digest(known.encode(), key.encode()):
            found = user
    return found


@auth.authenticate
async def authenticate(headers: Mapping[bytes | str, bytes | str]) -> Auth.types.MinimalUserDict:
    keys = await asyncio.to_thread(configured_keys)  # may read a file: off the event loop
    if not keys:
        return {"identity": LOCAL_USER, "is_authenticated": True}
    raw = headers.get(b"x-api-key") or headers.get("x-api-key")
    key = raw.decode() if isinstance(raw, bytes) else raw
    user = user_for(key, keys)
    if user is None:
        detail = "missing x-api-key header" if not key else "unknown API key"
        raise Auth.exceptions.HTTPException(
            status_code=401, detail=f"{detail}; send a key from TAILOR_API_KEYS as x-api-key."
        )
    return {"identity": user, "is_authenticated": True}


@auth.on
async def owner_only(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> Auth.types.FilterType:
    """Everything a user creates is stamped as theirs; everything they read is filtered to theirs."""
    if isinstance(value, dict):
        metadata = value.setdefault("metadata", {})
        if metadata is None:
            metadata = value["metadata"] = {}
        metadata[OWNER_KEY] = ctx.user.identity  # in place (the server keeps this dict); a forged owner is overwritten
    return {OWNER_KEY: ctx.user.identity}


@auth.on.assistants.read
async def assistants_readable(ctx: Auth.types.AuthContext, value: Auth.types.AssistantsRead) -> bool:
    return True  # the shipped graph's assistant belongs to no user


@auth.on.assistants.search
async def assistants_searchable(ctx: Auth.types.AuthContext, value: Auth.types.AssistantsSearch) -> bool:
    return True


@auth.on.store
async def own_namespace(ctx: Auth.types.AuthContext, value: dict[str, Any]) -> None:
    namespace = tuple(value.get("namespace") or ())
    if not namespace or namespace[0] != ctx.user.identity:
        value["namespace"] = (ctx.user.identity, *namespace)
