"""What every ``/api`` route shares: who is asking, whether they may change shared things, JSON in and out."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import JSONResponse

from graph.auth import LOCAL_USER
from graph.jobs import JobRunner
from tools.settings import get_settings

RouteHandler = Callable[[Request], Awaitable[JSONResponse]]


class ApiError(ValueError):
    """A request the route refuses; ``status`` is the HTTP status, the message says how to fix it."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def user(request: Request) -> str:
    return str(getattr(request.user, "identity", "") or LOCAL_USER)


def admins() -> set[str]:
    return {u.strip() for u in get_settings().admin_users.split(",") if u.strip()}


def may_change_shared(name: str) -> bool:
    """Adapters and the knowledge base are shared; with TAILOR_ADMIN_USERS set only those users change them."""
    listed = admins()
    return not listed or name in listed


def require_admin(request: Request) -> str:
    name = user(request)
    if not may_change_shared(name):
        raise ApiError(
            f"user {name!r} may not change shared adapters or knowledge; TAILOR_ADMIN_USERS names who may.", status=403
        )
    return name


async def json_body(request: Request, limit: int) -> dict[str, Any]:
    body = await request.body()
    if len(body) > limit:
        raise ApiError(f"the request body has {len(body)} bytes; the limit is {limit}.", status=413)
    try:
        payload = json.loads(body or b"{}")
    except ValueError as err:
        raise ApiError(f"the body is not valid JSON ({err}).") from None
    if not isinstance(payload, dict):
        raise ApiError("the body must be a JSON object.")
    return payload


def gate_suites(value: Any) -> str:
    """A request's ``gate_suite``: suites the eval gate knows, comma-separated, or "" (load checks only)."""
    from evals.gate import GATE_SUITES

    if not isinstance(value, str) or not all(s in GATE_SUITES for s in filter(None, value.split(","))):
        raise ApiError(
            f'gate_suite must name {", ".join(GATE_SUITES)} (comma-separated), or be "" '
            "(no eval gate, only the load checks)."
        )
    return value


def jobs(request: Request) -> JobRunner:
    return cast(JobRunner, request.app.state.jobs)  # graph.webapp puts it there at startup


def handles_errors(route: RouteHandler) -> RouteHandler:
    """Turn ApiError (and the domain errors routes pass through it) into JSON answers."""

    async def wrapped(request: Request) -> JSONResponse:
        try:
            return await route(request)
        except ApiError as err:
            return error(err.status, str(err))

    wrapped.__name__ = route.__name__
    wrapped.__doc__ = route.__doc__
    return wrapped
