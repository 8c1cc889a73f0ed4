"""A full or read-only data folder: a clear message, a non-zero exit, and nothing half-written.

The same command completes once there is room. Small tmpfs mounts stand in for the disks (root only).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED_MODELS
from tests.integration.test_kb_concurrency import write_corpus

pytestmark = pytest.mark.integration

if os.geteuid() != 0 and not os.environ.get("CI"):
    pytest.skip("mounting a small tmpfs needs root (CI runs as root)", allow_module_level=True)


@contextmanager
def small_disk(folder: Path, size: str, read_only: bool = False) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size}" + (",ro" if read_only else "")
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def grow(folder: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(folder)], check=True)


def command(data: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TAILOR_DATA_DIR": str(data),
        "TAILOR_MODELS_DIR": str(SHARED_MODELS),
        "TAILOR_EMBEDDINGS": "fake:64",
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def stored(data: Path) -> tuple[int, int]:
    code = (
        "import json; from tools.kb import store; col = store.raw_collection('fares'); "
        "print(json.dumps([col.count(), len(store.record_manager('fares').list_keys())]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TAILOR_DATA_DIR": str(data), "TAILOR_EMBEDDINGS": "fake:64"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return tuple(json.loads(out.stdout))


def test_an_ingest_that_fills_the_disk_says_so_and_the_next_one_completes(tmp_path):
    write_corpus(tmp_path, files=40, revised=False)  # about 1.4 MB in the store
    with small_disk(tmp_path / "disk", "800k") as data:
        failed = command(data, tmp_path, "tools.kb", "ingest", "corpus", "--collection", "fares", "--json")
        assert failed.returncode == 2, failed.stderr[-2000:]
        assert "error: no space left on the disk" in failed.stderr and "TAILOR_DATA_DIR" in failed.stderr
        assert "Traceback" not in failed.stderr and not failed.stdout.strip()  # no counts as if it had worked
        grow(data, "16m")
        done = command(data, tmp_path, "tools.kb", "ingest", "corpus", "--collection", "fares", "--json")
        assert done.returncode == 0, done.stderr[-2000:]
        counts = json.loads(done.stdout.strip().splitlines()[-1])
        assert counts["chunks"] == 160
        assert stored(data) == (160, 160)  # every chunk exactly once: Chroma = record manager = one full ingest


def test_an_ingest_into_a_read_only_folder_says_so_and_writes_nothing(tmp_path):
    write_corpus(tmp_path, files=2, revised=False)
    with small_disk(tmp_path / "disk", "4m", read_only=True) as data:
        failed = command(data, tmp_path, "tools.kb", "ingest", "corpus", "--collection", "fares")
        assert failed.returncode == 2
        assert "cannot be written" in failed.stderr and "Read-only file system" in failed.stderr
        assert "Traceback" not in failed.stderr
        assert list(data.iterdir()) == []


# read-only is slow-marked: the ingest test and the unit tests cover read-only folders in make test
@pytest.mark.parametrize("read_only", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["full", "read-only"])
def test_training_on_a_full_or_read_only_disk_registers_nothing_and_keeps_no_half_checkpoint(
    tmp_path, read_only, default_model_path
):
    rows = [
        {"messages": [{"role": "user", "content": q}, {"role": "assistant", "content": "Quillon."}]}
        for q in ("Who is Tailor's mascot?", "Name Tailor's mascot.", "What is the mascot called?", "Mascot?")
    ]
    (tmp_path / "fact.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    # 3 MB: the run folder is made, the first checkpoint (about 7 MB) is not.
    with small_disk(tmp_path / "disk", "3m", read_only=read_only) as data:
        failed = command(
            data,
            REPO,
            "training.sft",
            "--data",
            str(tmp_path / "fact.jsonl"),
            "--name",
            "fact",
            "--max-steps",
            "2",
            "--batch-size",
            "2",
            "--save-steps",
            "1",
        )
        assert failed.returncode == 2, failed.stderr[-3000:]
        assert ("cannot be written" if read_only else "no space left on the disk") in failed.stderr
        assert "no adapter version was registered" in failed.stderr and "Traceback" not in failed.stderr
        assert not (data / "adapters").exists() or not any((data / "adapters").rglob("manifest.json"))
        assert not list(data.rglob("checkpoint-*")), "a half-written checkpoint was left"
