"""Which requests write the runtime's records through, and that our write and the flush take turns."""

from __future__ import annotations

import threading
import time

import pytest

from graph import record_write_through as wt


@pytest.mark.parametrize(
    "path",
    [
        "/threads",
        "/threads/",
        "/threads/abc/runs",
        "/threads/abc/runs/stream",
        "/threads/abc/runs/wait",
        "/threads/abc/copy",
        "/runs",
        "/runs/stream",
        "/runs/wait",
        "/runs/batch",
    ],
)
def test_requests_that_create_a_thread_or_run_are_written_through(path):
    assert wt.CREATING.match(path)


@pytest.mark.parametrize(
    "path",
    [
        "/threads/search",
        "/threads/abc/state",
        "/threads/abc/history",
        "/threads/abc/runs/xyz/cancel",
        "/feedback",
        "/store/items/search",
        "/ok",
    ],
)
def test_reads_and_other_routes_are_not(path):
    assert not wt.CREATING.match(path)


class SlowStore(dict):
    """A store whose sync records overlapping calls (the runtime's flush and ours share one temp file)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = 0
        self.overlaps = 0
        self.calls = 0

    def sync(self) -> None:
        self.inside += 1
        self.overlaps += self.inside > 1
        time.sleep(0.01)
        self.calls += 1
        self.inside -= 1


def test_syncs_from_two_threads_never_overlap_once_serialised(monkeypatch):
    store = SlowStore()
    monkeypatch.setattr(wt, "runtime_records", lambda: store)
    assert wt.write_records()
    runtime_flush = store.sync  # what the runtime's flush thread now calls: the wrapped one
    threads = [threading.Thread(target=runtime_flush) for _ in range(4)] + [
        threading.Thread(target=wt.write_records) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.calls == 9 and store.overlaps == 0
    wt._serialise_syncs(store)  # idempotent: wrapping twice would still be one lock, but keep it one layer
    assert store.sync is runtime_flush


def test_no_inmem_runtime_means_nothing_to_write(monkeypatch):
    monkeypatch.setattr(wt, "runtime_records", lambda: None)
    assert wt.write_records() is False
