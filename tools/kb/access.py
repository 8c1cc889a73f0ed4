"""Who may use the embedded Chroma store when, across processes.

Chroma's embedded store is not safe for two writing processes (chroma #7238), and a process that
holds it open does not see another process's writes: its searches fail ("Error finding id") until
it reopens the store. Measured here: two ingests of different versions of the same files left a
store that no longer opened; a search process failed during, and after, another process's ingest.
So, written here because neither Chroma nor LangChain offers it:

- one **writer** at a time (an exclusive lock for a whole ingest or drop), so writers queue;
- each **batch** a writer stores takes the store lock exclusively and bumps a generation number;
  the slow part, embedding, happens before, so readers wait at most one batch's write;
- **readers** take the store lock shared, and reopen their client when the generation moved.

Within one process, reads and batches are serialised by one lock (a reopen must not pull the store
from under another thread). A Chroma server (``TAILOR_CHROMA_HOST``) orders its own writes; only the
writer lock applies to it (the record manager is a local file).
"""

from __future__ import annotations

import fcntl
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tools.filelock import exclusive

_process = threading.RLock()
_depth = threading.local()  # mode: "read" or "write" while this thread holds the store lock (never flock it twice)
_seen: dict[Path, int] = {}  # lock folder -> the generation this process's client has seen


def _generation(folder: Path) -> int:
    try:
        return int((folder / "generation").read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


@contextmanager
def _store_lock(folder: Path, mode: int) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "store.lock").open("a+") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def seen(folder: Path) -> int | None:
    """The store's write generation as this process last saw it (current inside :func:`reading`), if any."""
    return _seen.get(folder)


def opened(folder: Path) -> None:
    """A client was just opened: it sees the store as of now."""
    _seen[folder] = _generation(folder)


@contextmanager
def writer(folder: Path, collection: str) -> Iterator[None]:
    """The single-writer lock for a whole ingest or drop; says whom it waits for."""

    def waiting(holder: str) -> None:
        print(
            f"waiting for another write to the knowledge base ({holder}) to finish before writing {collection!r}",
            file=sys.stderr,
            flush=True,
        )

    with exclusive(folder / "writer.lock", on_wait=waiting):
        yield


@contextmanager
def batch(folder: Path, local: bool) -> Iterator[None]:
    """One batch of writes to the store (readers wait for it; they reopen afterwards)."""
    if not local:
        yield
        return
    with _process:
        held = getattr(_depth, "mode", "")
        if held == "read":
            raise RuntimeError("a knowledge-base write inside a read of the same thread would deadlock; write after it")
        if held == "write":  # a batch of this thread already holds the store
            yield
            return
        with _store_lock(folder, fcntl.LOCK_EX):
            _depth.mode = "write"
            try:
                yield
            finally:
                _depth.mode = ""
                generation = _generation(folder) + 1
                (folder / "generation").write_text(str(generation))
                _seen[folder] = generation  # this process wrote it: its own client is current


@contextmanager
def reading(folder: Path, local: bool, reopen: Callable[[], None]) -> Iterator[None]:
    """A read of the store; ``reopen`` drops this process's client when another process has written since."""
    if not local:
        yield
        return
    with _process:
        if getattr(_depth, "mode", ""):  # already inside a read or batch of this thread
            yield
            return
        with _store_lock(folder, fcntl.LOCK_SH):
            generation = _generation(folder)
            if _seen.setdefault(folder, generation) != generation:
                reopen()
                _seen[folder] = generation
            _depth.mode = "read"
            try:
                yield
            finally:
                _depth.mode = ""
