"""The knowledge base's locks: a write by another process makes readers reopen; nesting never deadlocks."""

from __future__ import annotations

import pytest

from tools.kb import access


def test_a_reader_reopens_once_after_another_process_wrote(tmp_path):
    reopened = []
    access.opened(tmp_path)
    with access.reading(tmp_path, True, reopen=lambda: reopened.append(1)):
        pass
    assert reopened == []
    (tmp_path / "generation").write_text("7")  # what another process's batch leaves behind
    for _ in range(2):
        with access.reading(tmp_path, True, reopen=lambda: reopened.append(1)):
            pass
    assert reopened == [1]


def test_this_processs_own_batch_does_not_make_it_reopen_and_nesting_is_safe(tmp_path):
    reopened = []
    access.opened(tmp_path)
    with access.batch(tmp_path, True):
        with access.batch(tmp_path, True), access.reading(tmp_path, True, reopen=lambda: reopened.append(1)):
            pass  # a read or batch inside a batch of the same thread: no second flock, no deadlock
    assert (tmp_path / "generation").read_text() == "1"
    with access.reading(tmp_path, True, reopen=lambda: reopened.append(1)):
        with pytest.raises(RuntimeError, match="inside a read"):
            with access.batch(tmp_path, True):
                pass
    assert reopened == []
