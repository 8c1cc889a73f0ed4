"""One writer at a time across processes: an exclusive ``flock`` on a lock file.

The lock file records the holder's pid, so a process that has to wait can say whom it waits for.
The kernel drops the lock when its holder dies (SIGKILL included), so a crash never leaves it stuck.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def exclusive(lock_path: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold ``lock_path`` exclusively; when another process holds it, call ``on_wait(holder)`` once, then wait."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                handle.seek(0)
                on_wait(handle.read().strip() or "another process")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()}")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
