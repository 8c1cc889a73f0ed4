"""The BM25 index beside each collection.

It is written in the same batch as Chroma, so ingest keeps it in step (no rebuild); a write it missed is found
by its count and mended from the collection. The unit conftest gives every test hash embeddings and empty
caches.
"""

from __future__ import annotations

import sqlite3

from tools.kb import keyword, store
from tools.kb.ingest import ingest


def _folder(tmp_path):
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "trams.md").write_text("# Trams\nLine 4 runs to the harbour every ten minutes.\n")
    (folder / "passes.md").write_text("# Passes\nThe day pass costs 6.40 and the week pass 21.00.\n")
    return folder


def _search(name, query, allowed=None):
    col = store.raw_collection(name)
    return [cid for cid, _ in keyword.keyword_index(name, col).top(query, 5, allowed)]


def test_ingest_writes_the_index_as_it_goes_and_a_removed_file_leaves_it(tmp_path, monkeypatch):
    folder = _folder(tmp_path)
    ingest([str(folder)], "city", progress=False)
    rebuilt = []
    monkeypatch.setattr(keyword.KeywordIndex, "rebuild", lambda self, col, cid: rebuilt.append(cid))
    col = store.raw_collection("city")
    index = keyword.keyword_index("city", col)
    assert index.state() == (str(col.id), col.count()) and not rebuilt
    (harbour,) = _search("city", "harbour trams")
    assert col.get(ids=[harbour])["metadatas"][0]["source"].endswith("trams.md")

    (folder / "trams.md").unlink()
    ingest([str(folder)], "city", cleanup="full", progress=False)
    assert _search("city", "harbour") == [] and len(_search("city", "pass")) == 1 and not rebuilt


def test_a_write_the_index_missed_is_mended_from_the_collection(tmp_path):
    ingest([str(_folder(tmp_path))], "city", progress=False)
    with sqlite3.connect(keyword.index_path("city")) as db:
        db.execute("DELETE FROM chunks")  # as if the process died between Chroma's write and this one:
        db.execute("DELETE FROM ids")  # the index's own transaction never committed, so neither did its count
        db.execute("UPDATE meta SET value = '0' WHERE key = 'count'")
    db.close()
    assert len(_search("city", "harbour")) == 1
    assert keyword.KeywordIndex(keyword.index_path("city")).state()[1] == store.raw_collection("city").count()


def test_filtered_search_reads_down_the_ranking_and_drop_removes_the_index(tmp_path):
    ingest([str(_folder(tmp_path))], "city", progress=False)
    col = store.raw_collection("city")
    everything = set(col.get(include=[])["ids"])
    passes = {cid for cid in everything if col.get(ids=[cid])["metadatas"][0]["source"].endswith("passes.md")}
    assert set(_search("city", "day pass harbour", allowed=passes)) == passes
    index = keyword.keyword_index("city", col)
    assert index.coverage("day pass", "the day pass") == 1.0 and 0 < index.coverage("day harbour", "a day out") < 1
    store.drop("city")
    assert not keyword.index_path("city").exists()


def test_the_step_check_counts_the_collection_once_per_write_generation(tmp_path, monkeypatch):
    """Counting a collection reads all of it (12 ms at 100k chunks): queries between writes do not repeat it."""
    folder = _folder(tmp_path)
    ingest([str(folder)], "city", progress=False)
    checks = []
    state = keyword.KeywordIndex.state
    monkeypatch.setattr(keyword.KeywordIndex, "state", lambda self: checks.append(1) or state(self))
    for _ in range(3):
        with store.reading():
            assert len(_search("city", "harbour")) == 1
    assert len(checks) == 1
    (folder / "ferries.md").write_text("# Ferries\nThe harbour ferry leaves at noon.\n")
    ingest([str(folder)], "city", progress=False)  # a write: the generation moves
    with store.reading():
        assert len(_search("city", "harbour")) == 2
    assert len(checks) >= 2


def _vocab(path):
    with sqlite3.connect(path) as db:
        counted = dict(db.execute("SELECT term, doc FROM vocab").fetchall())
    db.close()
    return counted


def test_word_counts_are_kept_by_the_writes_and_an_older_index_gets_them_once(tmp_path):
    index = keyword.KeywordIndex(tmp_path / "k.sqlite")
    index.add(["a", "b", "c"], ["tram tram harbour", "harbour pass", "pass week"], "col")
    index.add(["b"], ["night bus"], "col")  # a chunk rewritten: its old words leave the counts
    index.delete(["c"], "col")
    assert index.doc_freq(["tram", "harbour", "pass", "night", "week"]) == {"tram": 1, "harbour": 1, "night": 1}
    assert index.doc_freq(_vocab(index.path)) == _vocab(index.path)

    with sqlite3.connect(index.path) as db:
        db.execute("DROP TABLE terms")  # an index written before the counts were kept
    db.close()
    assert keyword.KeywordIndex(index.path).doc_freq(["tram", "bus"]) == {"tram": 1, "bus": 1}


def test_past_many_matches_the_candidates_first_give_fts5s_own_ranking(tmp_path, monkeypatch):
    import random

    rng = random.Random(3)
    words = [f"w{i}" for i in range(400)]
    index = keyword.KeywordIndex(tmp_path / "k.sqlite")
    # chunks of different lengths, some words said several times: tf and length both move BM25
    texts = [" ".join(rng.choices(words[:40] + words, k=rng.randrange(3, 40))) for _ in range(3000)]
    index.add([f"c{i}" for i in range(len(texts))], texts, "col")
    index.size = index.state()[1]
    # "w7" alone: every match shares the same one word, so FTS5 ranks them (the pruning would have to guess)
    pruned_by = keyword._pruned_top
    used = []
    monkeypatch.setattr(keyword, "_pruned_top", lambda *a: used.append(pruned_by(*a) is not None) or pruned_by(*a))
    for query in ("w1 w2 w3", "w7", "w10 w11 w12 w13 w350", "w200 w300 w5"):
        exact = index.top(query, 20, exact=True)
        monkeypatch.setattr(keyword, "EXACT_UP_TO", 0)
        pruned = index.top(query, 20)
        assert [cid for cid, _ in pruned] == [cid for cid, _ in exact]
        assert all(abs(a - b) < 1e-9 for (_, a), (_, b) in zip(pruned, exact, strict=True))
    assert used == [True, False, True, True]
