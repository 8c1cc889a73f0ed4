"""``/api/adapters``: the registry as the Adapters page shows it.

GET  /api/adapters                     every adapter: versions, the current pointer, each manifest's
                                       figures and loss curves
POST /api/adapters/{name}/promote      {"version", "gate_suite"?, "gate_metric"?, "gate_limit"?}: a job
                                       running ``training.adapters promote`` through the eval gate; its
                                       result has both scores and whether it was promoted
POST /api/adapters/{name}/rollback     the previously current version becomes current
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.jobs import Job, python_module
from graph.webapi.common import ApiError, gate_suites, handles_errors, jobs, json_body, require_admin
from training.registry import Registry, RegistryError

GATE_LINE = re.compile(
    r"eval gate \((?P<suite>\w+), (?P<metric>\w+)\): \S+ (?P<version>v\d+) scores (?P<new>[\d.]+), "
    r"(?P<against>.+?) scores (?P<baseline>[\d.]+) \(tolerance (?P<tolerance>[\d.]+)\)"
)
FIGURES = (
    "steps",
    "duration_seconds",
    "steps_per_second",
    "tokens_per_second",
    "peak_memory_mb",
    "first_train_loss",
    "final_train_loss",
    "eval_score",
)


def _version(registry: Registry, name: str, version: str) -> dict[str, Any]:
    try:
        manifest = registry.get(name, version).manifest
    except (OSError, ValueError, RegistryError):
        return {"version": version, "error": "manifest missing or unreadable"}
    metrics = manifest.get("metrics", {})
    return {
        "version": version,
        "kind": manifest.get("kind"),
        "created": manifest.get("created"),
        "base_model": (manifest.get("base_model") or {}).get("id"),
        "data": manifest.get("data", {}),
        "figures": {k: metrics.get(k) for k in FIGURES if k in metrics},
        "train_loss": metrics.get("train_loss", []),
        "eval_loss": metrics.get("eval_loss", []),
        "command": manifest.get("command", ""),
    }


def _adapters() -> list[dict[str, Any]]:
    registry = Registry()
    out = []
    for name in registry.names():
        pointer = registry.pointer(name)
        out.append(
            {
                "name": name,
                "current": pointer.get("current"),
                "history": pointer.get("history", []),
                "versions": [_version(registry, name, v) for v in registry.versions(name)],
            }
        )
    return out


@handles_errors
async def list_adapters(request: Request) -> JSONResponse:
    return JSONResponse({"adapters": await asyncio.to_thread(_adapters)})


def gate_result(job: Job) -> dict[str, Any]:
    """Both scores from the gate's summary line, and whether the version became current."""
    text = "\n".join(job.log)
    found = GATE_LINE.search(text)
    result: dict[str, Any] = {"promoted": job.returncode == 0}
    if found:
        result.update(
            suite=found["suite"],
            metric=found["metric"],
            version=found["version"],
            new=float(found["new"]),
            baseline=float(found["baseline"]),
            against=found["against"],
            tolerance=float(found["tolerance"]),
        )
    if job.returncode:
        result["error"] = next(
            (line.removeprefix("error: ") for line in reversed(job.log) if line.startswith("error")),
            job.log[-1] if job.log else "the promotion failed",
        )
    return result


@handles_errors
async def promote(request: Request) -> JSONResponse:
    owner = require_admin(request)
    name = request.path_params["name"]
    payload = await json_body(request, 4096)
    version = payload.get("version")
    try:
        await asyncio.to_thread(Registry().get, name, version if isinstance(version, str) else "")
    except RegistryError as err:
        raise ApiError(str(err), status=404) from None
    suite = gate_suites(payload.get("gate_suite", "adapters"))
    metric = payload.get("gate_metric", "token_f1")
    limit = payload.get("gate_limit", 0)
    if not isinstance(metric, str) or not re.fullmatch(r"\w+", metric):
        raise ApiError("gate_metric must be a metric name such as token_f1.")
    if not isinstance(limit, int) or not 0 <= limit <= 1000:
        raise ApiError("gate_limit must be a whole number from 0 (every example) to 1000.")
    if jobs(request).running("promote", name):
        raise ApiError(f"a promotion of {name!r} is already running.", status=409)
    args = ["promote", name, version]
    if suite:
        args += ["--gate-suite", suite, "--gate-metric", metric, "--gate-limit", str(limit)]
    job = await jobs(request).start(
        "promote", owner, python_module("training.adapters", *args), title=name, on_finish=gate_result
    )
    return JSONResponse(job.as_dict(), status_code=202)


@handles_errors
async def rollback(request: Request) -> JSONResponse:
    require_admin(request)
    name = request.path_params["name"]
    try:
        entry = await asyncio.to_thread(Registry().rollback, name)
    except RegistryError as err:
        raise ApiError(str(err), status=409) from None
    return JSONResponse({"name": name, "current": entry.version})


routes = [
    Route("/api/adapters", list_adapters, methods=["GET"]),
    Route("/api/adapters/{name}/promote", promote, methods=["POST"]),
    Route("/api/adapters/{name}/rollback", rollback, methods=["POST"]),
]
