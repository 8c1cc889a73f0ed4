"""Ingest files into a collection through LangChain's indexing API.

The record manager remembers each chunk's hash per source file, so re-ingesting unchanged files
adds nothing, a changed file has only its chunks replaced, and ``cleanup="full"`` makes the
collection hold exactly the files of this run (chunks of files that are gone are removed).
Chunks that carry planted instructions are neutralised before they are stored. One ingest writes to
the knowledge base at a time (``store.writing``): a second one waits, saying so, instead of
interleaving with it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.indexing import index
from tqdm.auto import tqdm

from tools.guard import injection
from tools.kb import store
from tools.kb.embeddings import get_embeddings
from tools.kb.errors import KBError
from tools.kb.loaders import find_files, load_file
from tools.kb.splitting import split

Cleanup = Literal["incremental", "full"]
CLEANUP_MODES: tuple[Cleanup, ...] = ("incremental", "full")
RESERVED_KEYS = {
    "source",
    "title",
    "section",
    "chunk",
    "modified",
    "content_hash",
    "file_hash",
    "format",
    "page",
    "record",
    "injection_rules",
    "neutralised",
    "periods",
}


@dataclass
class IngestResult:
    """What an ingest read and wrote: files, chunks, neutralised chunks, skipped files, and the index's counts."""

    collection: str
    files: int = 0
    chunks: int = 0
    neutralised: int = 0
    skipped_files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.counts,
            "collection": self.collection,
            "files": self.files,
            "chunks": self.chunks,
            "neutralised": self.neutralised,
            "skipped_files": self.skipped_files,
        }


def parse_tags(items: list[str]) -> dict[str, str]:
    tags = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key or not value.strip():
            raise KBError(f"tag {item!r} must look like key=value, e.g. --tags team=support.")
        if key in RESERVED_KEYS:
            raise KBError(f"tag key {key!r} is reserved for Tailor's own metadata; pick another name.")
        tags[key] = value.strip()
    return tags


def defuse(chunk: Document) -> Document:
    """Neutralise planted instructions, recording which rules fired."""
    finding = injection.scan(chunk.page_content)
    if finding.flagged:
        chunk.page_content = injection.neutralise(chunk.page_content)
        chunk.metadata["injection_rules"] = ",".join(finding.rules)
        chunk.metadata["neutralised"] = True
    return chunk


class _CountingEmbeddings(Embeddings):
    """Passes through to the real model and moves a progress bar (embedding is the slow part)."""

    def __init__(self, inner: Embeddings, bar: tqdm):
        self.inner, self.bar = inner, bar

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        vectors = self.inner.embed_documents(texts)
        self.bar.update(len(texts))
        return vectors

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


def ingest(
    paths: list[str],
    collection: str,
    *,
    tags: dict[str, str] | None = None,
    cleanup: Cleanup = "incremental",
    chunk_size: int = 800,
    chunk_overlap: int = 120,
    progress: bool = True,
) -> IngestResult:
    store.check_name(collection)
    if cleanup not in CLEANUP_MODES:
        raise KBError(f"cleanup must be one of {', '.join(CLEANUP_MODES)}; got {cleanup!r}.")
    if not 100 <= chunk_size <= 20000 or not 0 <= chunk_overlap < chunk_size:
        raise KBError("chunk size must be 100-20000 characters and the overlap smaller than the chunk size.")
    files, skipped = find_files(paths)
    if not files:
        raise KBError(f"no supported files under {', '.join(paths)} (Markdown, text, PDF, HTML, JSON, JSONL).")
    result = IngestResult(collection, files=len(files), skipped_files=[str(p) for p in skipped])

    chunks: list[Document] = []
    for path in tqdm(files, desc="reading", unit="file", disable=not progress, file=sys.stderr):
        chunks.extend(split(load_file(path), chunk_size, chunk_overlap))
    for chunk in chunks:
        chunk.metadata.update(tags or {})
        defuse(chunk)
    result.chunks = len(chunks)
    result.neutralised = sum(1 for c in chunks if c.metadata.get("neutralised"))

    with (
        store.writing(collection),
        tqdm(total=len(chunks), desc="embedding", unit="chunk", disable=not progress, file=sys.stderr) as bar,
    ):
        # Only new or changed chunks reach the model, so the bar counts real work.
        vectors = store.vector_store(collection, create=True, embeddings=_CountingEmbeddings(get_embeddings(), bar))
        counts = index(
            chunks,
            store.record_manager(collection),
            vectors,
            cleanup=cleanup,
            source_id_key="source",
            key_encoder="sha256",
        )
        bar.total = bar.n  # unchanged chunks were never embedded: end the bar where the work ended
        bar.refresh()
        store.touch_stamp(collection)
    result.counts = {
        "added": counts["num_added"],
        "updated": counts["num_updated"],
        "skipped": counts["num_skipped"],
        "deleted": counts["num_deleted"],
    }
    return result
