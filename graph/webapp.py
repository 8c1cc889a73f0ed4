"""Tailor's own HTTP routes and request checks, mounted into the LangGraph server (langgraph.json ``http``).

The web app: static pages under ``/ui`` (``graph/ui/``; the LangGraph API lets GET under ``/ui``
through without auth, so nothing but static files lives there) and the JSON routes they call under
``/api`` (:mod:`graph.webapi`), behind the same auth as everything else.

Routes (behind the same API-key auth as the rest of the server):
    GET  /api/me          who the key belongs to and whether they may change shared adapters and knowledge
    POST /feedback        {"thread_id", "score", "correction"?, "comment"?, "message_id"?, "run_id"?}
    GET  /feedback        the caller's own feedback, newest first (?limit=&offset=)
    GET  /feedback/{id}   one of the caller's own; another user's is a 404
    GET  /ready           whether the model and the guard are loaded (started in the background at startup)

Feedback on a thread one does not own is refused with a 404, exactly as reading it would be.

A request that creates a thread or a run has its record on disk before it is answered
(:mod:`graph.record_write_through`). The other middleware turns two inputs the dev runtime answers
with a 500 into a documented default or a 422 (found by the schema fuzzer; ``tests/integration/test_server_fuzz.py``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph import warmup
from graph.auth import LOCAL_USER, OWNER_KEY
from graph.feedback import from_state, record
from graph.jobs import JobRunner
from graph.record_write_through import WriteThroughRecords
from graph.webapi import adapters as adapter_routes
from graph.webapi import evals as eval_routes
from graph.webapi import jobs as job_routes
from graph.webapi import knowledge as knowledge_routes
from graph.webapi.common import ApiError, json_body, may_change_shared
from tools.feedback import FeedbackError, FeedbackStore

if TYPE_CHECKING:
    from langgraph_sdk.schema import ThreadState

MAX_BODY = 64 * 1024
UI_DIR = Path(__file__).with_name("ui")


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


class StoreSearchDefaults:
    """Middleware that gives ``POST /store/items/search`` its documented default ``namespace_prefix``.

    Without ``namespace_prefix`` (optional in the schema) the request fails inside the runtime with a KeyError; the
    default is every namespace the caller owns.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].endswith("/store/items/search"):
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            payload = None  # the runtime's own validation answers malformed JSON with a 422
        if isinstance(payload, dict):
            prefix = payload.get("namespace_prefix")
            if prefix is None:
                payload["namespace_prefix"] = []
                body = json.dumps(payload).encode()
            elif not isinstance(prefix, list) or not all(isinstance(p, str) for p in prefix):
                await _error(422, 'namespace_prefix must be a list of strings, e.g. ["notes"].')(scope, receive, send)
                return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _patch_thread_search() -> None:
    """Make threads with no state yet (``values`` None) not match a ``values`` filter.

    The runtime's containment check raises on them (``POST /threads/search`` with a ``values`` filter -> 500).
    """
    try:
        from langgraph_runtime_inmem import ops
    except ImportError:  # another runtime: nothing to patch
        return
    original = ops.is_jsonb_contained
    if getattr(original, "_tailor_safe", False):
        return

    def is_jsonb_contained(superset: Any, subset: Any) -> bool:
        if not isinstance(superset, dict) or not isinstance(subset, dict):
            return False
        contained: bool = original(superset, subset)
        return contained

    is_jsonb_contained._tailor_safe = True  # type: ignore[attr-defined]
    ops.is_jsonb_contained = is_jsonb_contained


def _user(request: Request) -> str:
    return str(getattr(request.user, "identity", "") or LOCAL_USER)


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        return await json_body(request, MAX_BODY)
    except ApiError as err:
        raise FeedbackError(str(err)) from None


async def _thread_state(request: Request, thread_id: str) -> ThreadState | None:
    """The thread's state as the caller may see it (None: absent or not theirs)."""
    import httpx
    from langgraph_sdk import get_client

    # In-process (url=None) calls are trusted by the server (no auth handler runs), so the owner
    # check that auth.py applies to every other request is made here, the same way.
    client = get_client(url=None)
    try:
        thread = await client.threads.get(thread_id)
        if (thread.get("metadata") or {}).get(OWNER_KEY) != _user(request):
            return None  # someone else's thread is as absent as a missing one
        return await client.threads.get_state(thread_id)
    except httpx.HTTPStatusError as err:
        if err.response.status_code in (403, 404, 422):
            return None
        raise


async def post_feedback(request: Request) -> JSONResponse:
    try:
        payload = await _json_body(request)
        unknown = sorted(set(payload) - {"thread_id", "score", "correction", "comment", "message_id", "run_id"})
        if unknown:
            raise FeedbackError(
                f"unknown fields {unknown}; use thread_id, score, correction, comment, message_id, run_id."
            )
        thread_id = payload.get("thread_id")
        if not isinstance(thread_id, str) or not thread_id:
            raise FeedbackError("thread_id is required: the thread whose answer this feedback is about.")
        if "score" not in payload:
            raise FeedbackError("score is required: 1 (good) to 0 (bad).")
        state = await _thread_state(request, thread_id)
        if state is None:
            return _error(404, f"thread {thread_id} not found.")
        values = state.get("values") or {}
        item = from_state(
            values if isinstance(values, dict) else {},
            score=payload["score"],
            owner=_user(request),
            correction=payload.get("correction") or "",
            comment=payload.get("comment") or "",
            message_id=str(payload.get("message_id") or ""),
            thread_id=thread_id,
            run_id=str(payload.get("run_id") or (state.get("metadata") or {}).get("run_id") or ""),
        )
        return JSONResponse(await record(item), status_code=201)
    except FeedbackError as err:
        return _error(422, str(err))


def _int_param(request: Request, name: str, default: int, limit: int) -> int:
    raw = request.query_params.get(name, str(default))
    if not raw.isdigit() or int(raw) > limit:
        raise FeedbackError(f"{name}={raw!r} must be a whole number from 0 to {limit}.")
    return int(raw)


async def list_feedback(request: Request) -> JSONResponse:
    import asyncio

    try:
        limit, offset = _int_param(request, "limit", 20, 1000), _int_param(request, "offset", 0, 10**9)
    except FeedbackError as err:
        return _error(422, str(err))
    items = await asyncio.to_thread(FeedbackStore().list, _user(request), limit, offset)
    return JSONResponse([item.as_dict() for item in items])


async def get_feedback(request: Request) -> JSONResponse:
    import asyncio

    item = await asyncio.to_thread(FeedbackStore().get, request.path_params["feedback_id"], _user(request))
    if item is None:
        return _error(404, f"feedback {request.path_params['feedback_id']} not found.")
    return JSONResponse(item.as_dict())


_patch_thread_search()


async def ready(request: Request) -> JSONResponse:
    """Whether the model and the guard are loaded (503 while they load; the server answers either way)."""
    state = warmup.status()
    return JSONResponse(state, status_code=200 if state["ready"] else 503)


async def me(request: Request) -> JSONResponse:
    from graph.auth import configured_keys
    from graph.strategies import valid_strategies

    name = _user(request)
    return JSONResponse(
        {
            "user": name,
            "may_change_shared": may_change_shared(name),
            "keys_required": bool(configured_keys()),
            "strategies": valid_strategies(),
        }
    )


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    from graph.agent import graph

    app.state.jobs = JobRunner()  # built once; the /api routes reach it through request.app
    task = warmup.start(graph)
    yield
    task.cancel()
    await app.state.jobs.stop_all()


app = Starlette(
    lifespan=lifespan,
    routes=[
        Route("/ready", ready, methods=["GET"]),
        Route("/feedback", post_feedback, methods=["POST"]),
        Route("/feedback", list_feedback, methods=["GET"]),
        Route("/feedback/{feedback_id}", get_feedback, methods=["GET"]),
        Route("/api/me", me, methods=["GET"]),
        *knowledge_routes.routes,
        *adapter_routes.routes,
        *eval_routes.routes,
        *job_routes.routes,
        Mount("/ui", StaticFiles(directory=UI_DIR, html=True), name="ui"),
    ],
    middleware=[Middleware(WriteThroughRecords), Middleware(StoreSearchDefaults)],
)
