"""Where chunks live: a Chroma collection plus the indexing API's record manager.

Embedded ``PersistentClient`` under ``TAILOR_DATA_DIR/kb/chroma`` by default; an ``HttpClient``
(a ``chroma run`` server) when ``TAILOR_CHROMA_HOST`` is set. The record manager (which chunk came
from which file, with which hash) is SQLite under ``TAILOR_DATA_DIR/kb``, one namespace per
collection and server.

Every read goes through :func:`reading` and every write through :func:`writing` and
:func:`write_batch`: :mod:`tools.kb.access` says why and how.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from tools.kb import access
from tools.kb.embeddings import get_embeddings
from tools.kb.errors import KBError
from tools.resources import Resources
from tools.settings import get_settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.client import Client
    from chromadb.api.models.Collection import Collection
    from langchain_classic.indexes import SQLRecordManager
    from langchain_core.embeddings import Embeddings

    from tools.kb.batched_chroma import BatchedChroma

# Chroma's own rule for names, checked here so the user sees it before any work is done.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")
# One per folder or server. Closing the last client of a folder stops Chroma's system; the next one reloads.
# (chromadb's factories build a Client, which has close(); the ClientAPI they are typed as does not.)
_clients: Resources[ClientAPI] = Resources("chroma clients", close=lambda c: cast("Client", c).close())


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise KBError(
            f"collection name {name!r} is not valid: use 3-512 letters, digits, '.', '_' or '-', "
            "starting and ending with a letter or digit (e.g. 'docs')."
        )
    return name


def kb_dir() -> Path:
    return get_settings().data_dir / "kb"


def _locks() -> Path:
    return kb_dir() / "locks" / server_label().replace("/", "_").replace(":", "_")


def _local() -> bool:
    return not get_settings().chroma_host


def writing(collection: str) -> AbstractContextManager[None]:
    """Hold the single-writer lock for a whole ingest or drop (see :mod:`tools.kb.access`)."""
    return access.writer(_locks(), collection)


def write_batch() -> AbstractContextManager[None]:
    """One batch of writes: readers in other processes wait for it and reopen their client after it."""
    return access.batch(_locks(), _local())


def reading() -> AbstractContextManager[None]:
    """Any read of the store: it waits for a batch being written and reopens a client another process outdated."""
    return access.reading(_locks(), _local(), reopen=_reopen)


def generation() -> int | None:
    """The embedded store's write generation as of the read in progress; None for a Chroma server (no such number)."""
    return access.seen(_locks()) if _local() else None


def _reopen() -> None:
    _clients.evict(lambda key: isinstance(key, tuple) and key[0] == "path")


def client() -> ClientAPI:
    """The Chroma client for the current settings (cached; telemetry off)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = get_settings()
    key: tuple[str, str | int] = (
        (settings.chroma_host, settings.chroma_port) if settings.chroma_host else ("path", str(kb_dir()))
    )

    def build() -> ClientAPI:
        # built only for a new client: Chroma's pydantic settings take ~35 ms to construct
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_host:
            try:
                return chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                )
            except Exception as exc:  # the client pings the server on creation
                raise KBError(
                    f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port} ({exc}); "
                    "start it with `chroma run --path DIR --port PORT` or unset TAILOR_CHROMA_HOST."
                ) from exc
        (kb_dir() / "chroma").mkdir(parents=True, exist_ok=True)
        made = chromadb.PersistentClient(path=str(kb_dir() / "chroma"), settings=chroma_settings)
        access.opened(_locks())
        return made

    return _clients.get(key, build)


def server_label() -> str:
    settings = get_settings()
    return f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "local"


@dataclass(frozen=True)
class CollectionInfo:
    """A collection as listed: its name, how many chunks it holds, and the embeddings it was built with."""

    name: str
    count: int
    embeddings: str


def list_collections() -> list[CollectionInfo]:
    out = []
    with reading():
        for item in client().list_collections():
            col = client().get_collection(item if isinstance(item, str) else item.name)
            out.append(CollectionInfo(col.name, col.count(), (col.metadata or {}).get("embeddings", "?")))
    return sorted(out, key=lambda c: c.name)


def exists(name: str) -> bool:
    """One lookup (not a listing with counts): this runs on every chat turn against a server."""
    try:
        with reading():
            client().get_collection(name)
    except Exception:  # chromadb raises different types for "not found" across client kinds
        return False
    return True


def raw_collection(name: str, *, create: bool = False) -> Collection:
    """The chromadb collection; a missing one is an error naming the known ones unless ``create``."""
    check_name(name)
    spec = get_settings().embeddings
    if create:
        with write_batch():
            col = client().get_or_create_collection(name, metadata={"hnsw:space": "cosine", "embeddings": spec})
    else:
        try:
            with reading():
                col = client().get_collection(name)
        except Exception:
            known = ", ".join(c.name for c in list_collections()) or "none yet"
            raise KBError(
                f"no knowledge-base collection {name!r} (known: {known}); "
                f"create it with: python -m tools.kb ingest PATH --collection {name}"
            ) from None
    built_with = (col.metadata or {}).get("embeddings", spec)
    if built_with != spec:
        raise KBError(
            f"collection {name!r} was built with embeddings {built_with!r} but TAILOR_EMBEDDINGS is {spec!r}; "
            f"set TAILOR_EMBEDDINGS={built_with} or drop the collection and ingest again."
        )
    return col


def vector_store(name: str, *, create: bool = False, embeddings: Embeddings | None = None) -> BatchedChroma:
    """The collection as a LangChain vector store (what the indexing API writes through), each write one batch."""
    from tools.kb.batched_chroma import BatchedChroma

    raw_collection(name, create=create)  # validates name, existence and embedding spec
    return BatchedChroma(
        client=client(), collection_name=name, embedding_function=embeddings or get_embeddings(), batch=write_batch
    )


def record_manager(name: str) -> SQLRecordManager:
    from langchain_classic.indexes import SQLRecordManager

    kb_dir().mkdir(parents=True, exist_ok=True)
    manager = SQLRecordManager(f"chroma/{server_label()}/{name}", db_url=f"sqlite:///{kb_dir() / 'records.sqlite'}")
    manager.create_schema()
    return manager


def has_collection(name: str) -> bool:
    """Cheap check used on every chat turn: the local stamp (written by ingest) or, for a server, a lookup."""
    if get_settings().chroma_host:
        try:
            return exists(name)
        except KBError:
            return False
    return stamp_path(name).exists()


def stamp_path(name: str) -> Path:
    return kb_dir() / "stamps" / name


def touch_stamp(name: str) -> None:
    """Mark the collection as changed, so cached keyword indexes are rebuilt."""
    path = stamp_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    path.touch()


def drop(name: str) -> int:
    """Delete a collection and its records; returns how many chunks it held."""
    with writing(name):
        col = raw_collection(name)
        count = col.count()
        with write_batch():
            client().delete_collection(name)
        manager = record_manager(name)
        keys = manager.list_keys()
        if keys:
            manager.delete_keys(keys)
        stamp_path(name).unlink(missing_ok=True)
        from tools.kb import keyword

        keyword.drop(name)
    return count
