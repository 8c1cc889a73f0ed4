"""Disk trouble is recognised in every shape it arrives in, and half checkpoints are never resumed."""

from __future__ import annotations

import errno
import json
import sqlite3
from pathlib import Path

from tools.disk import disk_message, disk_problem
from training.runner import checkpoints, discard_incomplete_checkpoints, is_complete_checkpoint


def test_full_and_read_only_errors_in_their_usual_shapes():
    assert disk_problem(OSError(errno.ENOSPC, "No space left on device")) == "full"
    assert disk_problem(sqlite3.OperationalError("database or disk is full")) == "full"
    assert (
        disk_problem(RuntimeError("Error while serializing: I/O error: No space left on device (os error 28)"))
        == "full"
    )
    assert disk_problem(OSError(errno.EROFS, "Read-only file system", "/data/kb")) == "read-only"
    assert disk_problem(sqlite3.OperationalError("attempt to write a readonly database")) == "read-only"
    assert disk_problem(ValueError("bad row")) is None


def test_the_cause_is_found_behind_a_wrapper():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("save failed") from inner
    except RuntimeError as outer:
        assert disk_problem(outer) == "full"


def test_the_message_names_the_file_what_to_do_and_what_was_kept(tmp_path):
    err = OSError(errno.EROFS, "Read-only file system", str(tmp_path / "kb" / "x.lock"))
    message = disk_message(err, tmp_path, "nothing changed")
    assert str(tmp_path / "kb" / "x.lock") in message and "TAILOR_DATA_DIR" in message
    assert message.endswith("nothing changed.")
    assert disk_message(ValueError("bad row"), tmp_path, "nothing changed") is None  # plenty of room here


def test_only_complete_checkpoints_count(tmp_path):
    for step, complete in ((2, True), (4, True), (6, False)):
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        (folder / "adapter_model.safetensors").write_bytes(b"x")
        if complete:
            (folder / "trainer_state.json").write_text(json.dumps({"global_step": step}))
    (tmp_path / "checkpoint-8").mkdir()
    (tmp_path / "checkpoint-8" / "trainer_state.json").write_text('{"global_st')  # cut mid-write
    assert [c.name for c in checkpoints(tmp_path)] == ["checkpoint-2", "checkpoint-4", "checkpoint-6", "checkpoint-8"]
    assert [is_complete_checkpoint(c) for c in checkpoints(tmp_path)] == [True, True, False, False]
    removed = discard_incomplete_checkpoints(tmp_path)
    assert sorted(p.name for p in removed) == ["checkpoint-6", "checkpoint-8"]
    assert [c.name for c in checkpoints(tmp_path)] == ["checkpoint-2", "checkpoint-4"]
    assert checkpoints(Path(tmp_path / "absent")) == []
