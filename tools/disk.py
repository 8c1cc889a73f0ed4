"""Disk trouble (a full or read-only data folder) told as what happened and what to do.

The errors arrive in many shapes: OSError from Python and torch, SQLite's "database or disk is
full" from the record manager, and Chroma's Rust bindings, which pass SQLite's text up inside
their own exception. Each command that writes under ``TAILOR_DATA_DIR`` turns any of them into one
message, said once, and exits non-zero.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Iterator
from pathlib import Path

FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
FULL_TEXTS = ("database or disk is full", "no space left on device", "disk quota exceeded", "file too large")
READ_ONLY_TEXTS = ("read-only file system", "readonly database", "permission denied")


def _chain(err: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = err
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def nearly_full(folder: Path) -> bool:
    """Under 1 MiB (or 1%) left where ``folder`` is, or its nearest existing parent."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        usage = shutil.disk_usage(folder)
    except OSError:
        return False
    return usage.free < max(1 << 20, usage.total // 100)


def disk_problem(err: BaseException, folder: Path | None = None) -> str | None:
    """``"full"``, ``"read-only"``, or None when ``err`` (or what caused it) is not disk trouble.

    Some writers hide the cause (Chroma reports a full disk as a failed compaction): an error of
    unknown cause while ``folder``'s disk is nearly full is taken for a full disk.
    """
    for link in _chain(err):
        if isinstance(link, OSError) and link.errno in FULL_ERRNOS:
            return "full"
        if isinstance(link, OSError) and link.errno in READ_ONLY_ERRNOS:
            return "read-only"
        text = str(link).lower()
        if any(t in text for t in FULL_TEXTS):
            return "full"
        if any(t in text for t in READ_ONLY_TEXTS):
            return "read-only"
    return "full" if folder is not None and nearly_full(folder) else None


def disk_message(err: BaseException, folder: Path, kept: str) -> str | None:
    """One line for a disk error while writing under ``folder`` (None: not disk trouble).

    ``kept`` says what the failed command left as it was, e.g. "the collection keeps what it had".
    """
    problem = disk_problem(err, folder)
    if problem is None:
        return None
    where = next(
        (Path(link.filename) for link in _chain(err) if isinstance(link, OSError) and getattr(link, "filename", None)),
        folder,
    )
    detail = " ".join(str(err).split())[:200] or type(err).__name__
    if problem == "full":
        return (
            f"no space left on the disk that holds {where} ({detail}). Free some space, or set TAILOR_DATA_DIR "
            f"to a folder on a larger disk, and run the same command again; {kept}."
        )
    return (
        f"{where} cannot be written ({detail}). Make {folder} writable, or set TAILOR_DATA_DIR to a "
        f"writable folder, and run the same command again; {kept}."
    )
