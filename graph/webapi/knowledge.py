"""``/api/collections``: the knowledge base as the Knowledge page shows it.

    GET  /api/collections                          names with chunk and document counts
    GET  /api/collections/{name}/search?q=&k=      hybrid hits with every score and their metadata
    GET  /api/collections/{name}/source?source=    the stored chunks of one source (what a citation links to)
    POST /api/collections/{name}/files             {"files": [{"name", "text" | "base64"}]}: saved, then ingested
                                                   by the CLI's incremental ingest as a job (progress in the job)

Uploads are kept under ``TAILOR_DATA_DIR/uploads/<collection>/`` so that uploading a file again
replaces its chunks instead of adding a second copy (the indexing API keys chunks by source).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graph.jobs import Job, python_module
from graph.webapi.common import ApiError, handles_errors, jobs, json_body, require_admin
from tools.kb.errors import KBError
from tools.kb.loaders import SUPPORTED
from tools.settings import get_settings

MAX_UPLOAD = 8 * 1024 * 1024
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _collection(request: Request) -> str:
    from tools.kb.store import check_name

    try:
        return check_name(request.path_params["name"])
    except KBError as err:
        raise ApiError(str(err)) from None


def _counts() -> list[dict[str, Any]]:
    from tools.kb import store

    out = []
    for info in store.list_collections():
        with store.reading():
            metadatas = store.raw_collection(info.name).get(include=["metadatas"])["metadatas"] or []
        out.append(
            {
                "name": info.name,
                "chunks": info.count,
                "embeddings": info.embeddings,
                "documents": len({(m or {}).get("source", "") for m in metadatas}),
            }
        )
    return out


@handles_errors
async def list_collections(request: Request) -> JSONResponse:
    return JSONResponse({"collections": await asyncio.to_thread(_counts)})


def _search(collection: str, query: str, k: int, min_relevance: float) -> dict[str, Any]:
    from tools.kb.retrieval import RetrievalOptions, retrieve
    from tools.kb.store import exists

    if not exists(collection):
        raise ApiError(f"no collection {collection!r}; upload files to create it.", status=404)
    result = retrieve(collection, query, RetrievalOptions(k=k, min_relevance=min_relevance, answer_checks=False))
    hits = [
        {
            "n": n,
            "id": h.id,
            "text": h.text,
            "metadata": h.metadata,
            "relevance": round(h.relevance, 4),
            "similarity": h.similarity,
            "coverage": h.coverage,
            "rrf": round(h.score, 5),
            "found_by": h.found_by,
            "neutralised": h.neutralised,
        }
        for n, h in enumerate(result.hits, start=1)
    ]
    return {
        "collection": collection,
        "query": query,
        "hits": hits,
        "best_relevance": result.best_relevance,
        "threshold": get_settings().min_relevance,
        "dropped": result.dropped,
    }


@handles_errors
async def search(request: Request) -> JSONResponse:
    collection = _collection(request)
    query = request.query_params.get("q", "").strip()
    if not query:
        raise ApiError("q is required: the text to search for, e.g. ?q=how+do+I+ingest")
    raw_k = request.query_params.get("k", "8")
    if not raw_k.isdigit() or not 1 <= int(raw_k) <= 50:
        raise ApiError(f"k={raw_k!r} must be a whole number from 1 to 50.")
    try:
        return JSONResponse(await asyncio.to_thread(_search, collection, query, int(raw_k), 0.0))
    except KBError as err:
        raise ApiError(str(err)) from None


def _source_chunks(collection: str, source: str) -> list[dict[str, Any]]:
    from tools.kb import store

    if not store.exists(collection):
        raise ApiError(f"no collection {collection!r}.", status=404)
    with store.reading():
        got = store.raw_collection(collection).get(where={"source": source}, include=["documents", "metadatas"])
    documents, metadatas = got["documents"], got["metadatas"]
    assert documents is not None and metadatas is not None  # both are in ``include``, so Chroma returns them
    # Chroma returns ids, documents and metadatas as parallel lists, one entry per chunk.
    rows = [{"id": i, "text": d, "metadata": m or {}} for i, d, m in zip(got["ids"], documents, metadatas, strict=True)]
    return sorted(rows, key=lambda r: (r["metadata"].get("page") or 0, r["metadata"].get("chunk") or 0))


@handles_errors
async def source(request: Request) -> JSONResponse:
    collection = _collection(request)
    name = request.query_params.get("source", "")
    if not name:
        raise ApiError("source is required, e.g. ?source=docs/rag.md (a citation's source).")
    chunks = await asyncio.to_thread(_source_chunks, collection, name)
    if not chunks:
        raise ApiError(f"{collection!r} has no chunks from {name!r}.", status=404)
    return JSONResponse({"collection": collection, "source": name, "chunks": chunks})


def _decode(item: Any) -> tuple[str, bytes]:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise ApiError('each file must be {"name": "notes.md", "text": "..."} or {"name": ..., "base64": ...}.')
    name = SAFE_NAME.sub("_", Path(item["name"]).name).strip("._") or "upload"
    if Path(name).suffix.lower() not in SUPPORTED:
        raise ApiError(f"{item['name']}: unsupported file type; supported: {', '.join(sorted(SUPPORTED))}.")
    if isinstance(item.get("text"), str):
        return name, item["text"].encode("utf-8")
    if isinstance(item.get("base64"), str):
        try:
            return name, base64.b64decode(item["base64"], validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(f"{item['name']}: base64 is not valid.") from None
    raise ApiError(f"{item['name']}: give its content as text or base64.")


def _save(collection: str, files: list[tuple[str, bytes]]) -> list[str]:
    folder = get_settings().data_dir / "uploads" / collection
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in files:
        target = folder / name
        partial = target.with_name(f".{name}.partial")
        partial.write_bytes(content)
        partial.replace(target)  # a half-written upload is never ingested
        paths.append(str(target))
    return paths


def _ingest_result(job: Job) -> dict[str, Any]:
    for line in reversed(job.log):
        if line.startswith("{") and '"chunks"' in line:
            result: dict[str, Any] = json.loads(line)  # the ingest's --json summary, an object
            return result
    return {"error": job.log[-1] if job.log else "the ingest printed nothing"}


@handles_errors
async def upload(request: Request) -> JSONResponse:
    owner = require_admin(request)
    collection = _collection(request)
    payload = await json_body(request, MAX_UPLOAD)
    items = payload.get("files")
    if not isinstance(items, list) or not items:
        raise ApiError('files is required: a list of {"name": "notes.md", "text": "..."}.')
    files = [_decode(item) for item in items]
    if jobs(request).running("ingest", collection):
        raise ApiError(f"an ingest into {collection!r} is already running; wait for it to finish.", status=409)
    paths = await asyncio.to_thread(_save, collection, files)
    job = await jobs(request).start(
        "ingest",
        owner,
        python_module("tools.kb", "ingest", *paths, "--collection", collection, "--json", "--progress"),
        title=collection,
        on_finish=_ingest_result,
    )
    return JSONResponse(job.as_dict(), status_code=202)


routes = [
    Route("/api/collections", list_collections, methods=["GET"]),
    Route("/api/collections/{name}/search", search, methods=["GET"]),
    Route("/api/collections/{name}/source", source, methods=["GET"]),
    Route("/api/collections/{name}/files", upload, methods=["POST"]),
]
