"""``/api/evals``: the eval reports under ``TAILOR_DATA_DIR/evals`` and comparisons of two of them.

GET /api/evals                   every report: suite, experiment, metrics, whether complete
GET /api/evals/compare?a=&b=     ``evals.compare`` plus each shared example's scores side by side
GET /api/evals/{experiment}      one report with its rows
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from evals.compare import CompareError, compare, load
from evals.report import reports_folder
from graph.webapi.common import ApiError, handles_errors


def _reports() -> list[dict[str, Any]]:
    folder = reports_folder()
    out = []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # comparisons and half-written files are not reports
        if not isinstance(report, dict) or "suite" not in report or "metrics" not in report:
            continue
        out.append(
            {
                "experiment": report.get("experiment", path.stem),
                "suite": report["suite"],
                "metrics": report["metrics"],
                "complete": report.get("complete", True),
                "config": report.get("config", {}),
                "modified": path.stat().st_mtime,
            }
        )
    return out


@handles_errors
async def list_reports(request: Request) -> JSONResponse:
    return JSONResponse({"reports": await asyncio.to_thread(_reports)})


def _examples(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    rows_b = {r["id"]: r for r in b.get("results") or []}
    out = []
    for row in a.get("results") or []:
        other = rows_b.get(row["id"])
        if other is None:
            continue
        keys = sorted(set(row["scores"]) & set(other["scores"]))
        deltas = {
            k: (other["scores"][k] - row["scores"][k])
            for k in keys
            if row["scores"][k] is not None and other["scores"][k] is not None
        }
        out.append(
            {
                "id": row["id"],
                "inputs": row.get("inputs", {}),
                "a": row["scores"],
                "b": other["scores"],
                "delta": deltas,
                "output_a": row.get("outputs", {}),
                "output_b": other.get("outputs", {}),
            }
        )
    return out


def _compare(name_a: str, name_b: str) -> dict[str, Any]:
    result = compare(name_a, name_b)
    result["examples"] = _examples(load(name_a), load(name_b))
    return result


@handles_errors
async def compare_reports(request: Request) -> JSONResponse:
    a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
    if not a or not b:
        raise ApiError("a and b are required: two experiment names from GET /api/evals.")
    try:
        return JSONResponse(await asyncio.to_thread(_compare, a, b))
    except CompareError as err:
        raise ApiError(str(err), status=404) from None


@handles_errors
async def get_report(request: Request) -> JSONResponse:
    name = request.path_params["experiment"]
    if "/" in name or name.startswith("."):
        raise ApiError("an experiment is a name from GET /api/evals, not a path.")
    try:
        return JSONResponse(await asyncio.to_thread(load, name))
    except CompareError as err:
        raise ApiError(str(err), status=404) from None


routes = [
    Route("/api/evals", list_reports, methods=["GET"]),
    Route("/api/evals/compare", compare_reports, methods=["GET"]),
    Route("/api/evals/{experiment}", get_report, methods=["GET"]),
]
