"""``/api/jobs``: the caller's long jobs, and training runs started from the Adapters page.

GET  /api/jobs               the caller's jobs, newest first (another user's are never listed)
GET  /api/jobs/{id}          one job: status, progress, live loss points, the end of its log, its result
POST /api/jobs/{id}/stop     stop it (SIGINT first: staging folders and half checkpoints are discarded)
POST /api/jobs               {"kind": "refresh", "name", "max_steps"?, "gate_suite"?, "gate_limit"?, "anchors"?}
                             {"kind": "train", "method": "sft"|"dpo"|"kto", "name", "data", "max_steps"?, "lr"?}
                             ``data`` is a JSONL file inside TAILOR_DATA_DIR (the server never reads other paths).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.jobs import Job, JobError, python_module
from graph.webapi.common import ApiError, gate_suites, handles_errors, jobs, json_body, require_admin, user
from tools.settings import get_settings
from training.registry import RegistryError, check_name

METHODS = ("sft", "dpo", "kto")


def _last_json(job: Job) -> dict[str, Any]:
    for line in reversed(job.log):
        if line.startswith("{") and line.endswith("}"):
            try:
                parsed: dict[str, Any] = json.loads(line)  # a line in braces is a JSON object
                return parsed
            except ValueError:
                continue
    errors = [line for line in job.log if line.startswith("error")]
    return {"error": errors[-1]} if errors else {}


def _number(payload: dict[str, Any], key: str, kind: type, low: float, high: float) -> list[str]:
    if key not in payload:
        return []
    value = payload[key]
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not low <= value <= high
        or (kind is int and not float(value).is_integer())
    ):
        raise ApiError(f"{key} must be a {'whole ' if kind is int else ''}number from {low:g} to {high:g}.")
    return [f"--{key.replace('_', '-')}", str(kind(value))]


def _data_file(raw: Any) -> str:
    root = get_settings().data_dir.absolute()
    if not isinstance(raw, str) or not raw:
        raise ApiError("data is required: a JSONL file inside the data folder, e.g. refresh/sft.jsonl.")
    path = (root / raw).absolute() if not Path(raw).is_absolute() else Path(raw)
    if ".." in Path(raw).parts or root not in path.parents:
        raise ApiError(f"data {raw!r} must be a file inside the data folder {root}.")
    if not path.is_file():
        raise ApiError(f"data {raw!r}: no such file in {root}.", status=404)
    return str(path)


def _command(payload: dict[str, Any]) -> tuple[str, list[str]]:
    kind = payload.get("kind")
    try:
        name = check_name(str(payload.get("name") or "tailor"))
    except RegistryError as err:
        raise ApiError(str(err)) from None
    options = _number(payload, "max_steps", int, 1, 100000)
    if kind == "refresh":
        suite = gate_suites(payload.get("gate_suite", "adapters"))
        gate = ["--gate-suite", suite, *_number(payload, "gate_limit", int, 0, 1000)] if suite else []
        anchors = _number(payload, "anchors", int, 0, 1000)
        return name, python_module("training.refresh", "--name", name, "--json", *options, *gate, *anchors)
    if kind == "train":
        method = payload.get("method", "sft")
        if method not in METHODS:
            raise ApiError(f"method must be one of {', '.join(METHODS)}.")
        options += _number(payload, "lr", float, 1e-7, 1.0)
        return name, python_module(
            f"training.{method}", "--data", _data_file(payload.get("data")), "--name", name, *options
        )
    raise ApiError('kind must be "refresh" (train from the feedback store) or "train" (one method on a data file).')


@handles_errors
async def start(request: Request) -> JSONResponse:
    owner = require_admin(request)
    payload = await json_body(request, 8192)
    name, argv = _command(payload)
    if jobs(request).running("train", name):
        raise ApiError(f"a training run for {name!r} is already running; stop it or wait.", status=409)
    job = await jobs(request).start("train", owner, argv, title=name, on_finish=_last_json)
    return JSONResponse(job.as_dict(), status_code=202)


@handles_errors
async def list_jobs(request: Request) -> JSONResponse:
    return JSONResponse({"jobs": [j.as_dict(log_lines=5) for j in jobs(request).list(user(request))]})


def _job(request: Request) -> Job:
    job_id = request.path_params["job_id"]
    if not re.fullmatch(r"[0-9a-f]{12}", job_id):
        raise ApiError(f"job {job_id} not found.", status=404)
    try:
        return jobs(request).get(job_id, user(request))
    except JobError as err:
        raise ApiError(str(err), status=404) from None


@handles_errors
async def get_job(request: Request) -> JSONResponse:
    return JSONResponse(_job(request).as_dict())


@handles_errors
async def stop_job(request: Request) -> JSONResponse:
    job = _job(request)
    return JSONResponse((await jobs(request).stop(job.id, job.owner)).as_dict())


routes = [
    Route("/api/jobs", list_jobs, methods=["GET"]),
    Route("/api/jobs", start, methods=["POST"]),
    Route("/api/jobs/{job_id}", get_job, methods=["GET"]),
    Route("/api/jobs/{job_id}/stop", stop_job, methods=["POST"]),
]
