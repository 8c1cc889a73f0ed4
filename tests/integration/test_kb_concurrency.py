"""The knowledge base under concurrent writers, a reader during a write, and a writer killed mid-ingest.

Hash embeddings (``fake:64``) keep these fast; the store, the record manager and the indexing API are real.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration

MARKER = "Revised paragraph of the second version"
WORDS = "tram ticket fare line pass zone adult child price route depot platform timetable".split()


def write_corpus(folder: Path, files: int, revised: bool) -> Path:
    corpus = folder / "corpus"  # the same relative source names in every version
    corpus.mkdir(parents=True)
    for i in range(files):
        paragraphs = [
            " ".join(WORDS[(i * 7 + j * 3 + w) % len(WORDS)] for w in range(110)) + f" file{i}part{j}" for j in range(4)
        ]
        if revised:
            paragraphs.append(f"{MARKER} of file {i}.")
        (corpus / f"doc{i:03d}.md").write_text(f"# Document {i}\n\n" + "\n\n".join(paragraphs))
    return folder


@pytest.fixture
def hashed(monkeypatch):
    monkeypatch.setenv("TAILOR_EMBEDDINGS", "fake:64")


def ingest(cwd: Path, *extra: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tools.kb", "ingest", "corpus", "--collection", "fares", *extra],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def stored() -> tuple[int, int, list[str]]:
    """(Chroma count, record manager keys, stored texts), read in a fresh process as a new reader would."""
    code = (
        "import json; from tools.kb import store; col = store.raw_collection('fares'); "
        "print(json.dumps([col.count(), len(store.record_manager('fares').list_keys()), col.get()['documents']]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    count, keys, texts = json.loads(out.stdout)
    return count, keys, texts


def test_two_ingests_of_different_versions_at_once_leave_exactly_one_version(tmp_path, hashed):
    first, second = write_corpus(tmp_path / "a", 120, revised=False), write_corpus(tmp_path / "b", 120, revised=True)
    runs = [ingest(first, "--json"), ingest(second, "--json")]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outputs]
    waited = [i for i, (_, err) in enumerate(outputs) if "waiting for another write to the knowledge base" in err]
    assert len(waited) == 1  # the second writer queued behind the first instead of interleaving
    last = json.loads(outputs[waited[0]][0].strip().splitlines()[-1])
    count, keys, texts = stored()
    assert count == keys == last["chunks"]  # every chunk once, store and record manager agree
    with_marker = sum(MARKER in text for text in texts)
    assert with_marker == (120 if waited[0] == 1 else 0)  # only the version written last remains


def test_searches_keep_answering_while_another_process_ingests(tmp_path, hashed):
    from tools.kb.ingest import ingest as ingest_here
    from tools.kb.retrieval import RetrievalOptions, retrieve

    first, second = write_corpus(tmp_path / "a", 120, revised=False), write_corpus(tmp_path / "b", 120, revised=True)
    os.chdir(first)
    try:
        ingest_here(["corpus"], "fares", progress=False)
    finally:
        os.chdir(REPO)
    writer = ingest(second, "--json")
    errors, answered = [], 0
    while writer.poll() is None:
        try:
            # the store under a concurrent writer, not the answer checks: the corpus states no price to find
            options = RetrievalOptions(k=3, min_relevance=0.0, answer_checks=False)
            result = retrieve("fares", "adult day ticket price", options)
            answered += bool(result.hits)
        except Exception as err:  # noqa: BLE001 - any failure of a search is what this test looks for
            errors.append(repr(err))
        time.sleep(0.05)
    out, err = writer.communicate()
    assert writer.returncode == 0, err[-2000:]
    assert not errors and answered > 0
    after = retrieve("fares", f"{MARKER} of file 7", RetrievalOptions(k=3, min_relevance=0.0))
    assert any(MARKER in hit.text for hit in after.hits)  # this process sees what the other one wrote


def test_an_ingest_killed_midway_is_completed_by_the_next(tmp_path, hashed):
    folder = write_corpus(tmp_path / "a", 400, revised=False)
    killed = ingest(folder, start_new_session=True)
    seen = ""
    deadline = time.monotonic() + 240
    # The embedding bar on stderr says how far the writing (100 chunks a batch) has gone.
    while time.monotonic() < deadline and killed.poll() is None:
        seen += os.read(killed.stderr.fileno(), 4096).decode(errors="replace")
        done = [int(n) for n in re.findall(r"embedding:[^|]*\|[^|]*\| *(\d+)/", seen)]
        if done and done[-1] >= 300:
            break
    assert killed.poll() is None, "the ingest ended before it could be killed: make the corpus bigger"
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()

    rerun = ingest(folder, "--json")
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err[-2000:]
    counts = json.loads(out.strip().splitlines()[-1])
    assert counts["skipped"] > 0 and counts["added"] + counts["skipped"] == counts["chunks"]  # finished the rest
    count, keys, _ = stored()
    assert count == keys == counts["chunks"]
