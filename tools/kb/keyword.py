"""BM25 keyword search over a collection's chunks: an SQLite FTS5 index beside the record manager.

Every write to a collection goes through :class:`tools.kb.batched_chroma.BatchedChroma`, which writes
the same chunks here in the same batch, so an ingest updates the index incrementally: a query reads
only the chunks that contain its words (FTS5's inverted index), where scoring every chunk per query word
made hybrid search 7x slower than dense at 100k chunks. The index is rebuilt from the collection only
when the two disagree (a crash between the two writes, an index from before this one existed): it
records the collection's id, and its row count must equal the collection's.

Chunks are stored as their keyword tokens (stop words dropped, plurals folded), so FTS5 matches
exactly what :func:`tokens` makes of a query.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tools.kb import store
from tools.resources import Resources

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

_WORD = re.compile(r"[a-z0-9]+")
# Words too common to tell chunks apart; kept short on purpose (BM25's idf does the rest).
STOPWORDS = frozenset(
    "a an and are as at be by can do does for from has have how i in is it its of on or that the this to "
    "was what when where which who why will with you your".split()
)
PAGE = 5000
COMMON_SHARE = 0.1
# Past this many postings for a query, FTS5's own bm25() (which scores every match: 14 ms for 9,000 at 300k
# chunks) gives way to candidates first (:func:`_pruned_top`).
EXACT_UP_TO = 4000
CANDIDATES = 200
K1, B = 1.2, 0.75  # FTS5's bm25() defaults, which the pruned path reproduces
_rebuild_lock = threading.Lock()
_open: Resources[KeywordIndex] = Resources("keyword indexes")  # one per file: its tables are created once


def tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]  # crude plural folding: "adapters" finds "adapter"
        out.append(word)
    return out


def index_path(name: str) -> Path:
    return store.kb_dir() / "keywords" / store.server_label().replace("/", "_") / f"{name}.sqlite"


class KeywordIndex:
    """One collection's BM25 index: an SQLite FTS5 file of the chunks' keyword tokens."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size: int | None = None
        self.checked_at: tuple[str, int] | None = None  # (collection id, store generation) it was last found in step at
        self._create()

    def _create(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            # chunk ids map to the FTS table's integer rowids: looking a row up by an unindexed FTS
            # column would scan the whole table for every chunk written
            db.execute("CREATE TABLE IF NOT EXISTS ids (id TEXT PRIMARY KEY)")
            db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(words)")
            db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(chunks, 'row')")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            # each word's chunk count, kept by the writes (an index from before it is filled once, from fts5vocab)
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'terms'").fetchone():
                db.execute("CREATE TABLE terms (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID")
                db.execute("INSERT INTO terms SELECT term, doc FROM vocab")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per call, committed (or rolled back) and closed: writers in other processes wait."""
        db = sqlite3.connect(self.path, timeout=60)
        try:
            with db:
                yield db
        finally:
            db.close()

    # --- writes (inside the collection's write batch) ---
    # A new index takes the id of the collection its first write is for; one built for another
    # collection of the same name keeps the old id and is rebuilt on its next read.
    def add(self, ids: Sequence[str], texts: Iterable[str], collection_id: str) -> None:
        with self._connect() as db:
            _remove(db, ids)
            _insert(db, ids, texts)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('collection', ?)", (collection_id,))
            _count(db)

    def delete(self, ids: Sequence[str], collection_id: str) -> None:
        with self._connect() as db:
            _remove(db, ids)
            db.execute("INSERT OR IGNORE INTO meta VALUES ('collection', ?)", (collection_id,))
            _count(db)

    def rebuild(self, col: Collection, collection_id: str) -> None:
        """Every chunk of the collection, read in pages, replacing what the index held."""
        with self._connect() as db:
            db.execute("DELETE FROM chunks")
            db.execute("DELETE FROM ids")
            db.execute("DELETE FROM terms")
            total = col.count()
            for offset in range(0, total, PAGE):
                page = col.get(include=["documents"], limit=PAGE, offset=offset)
                documents = page["documents"]
                assert documents is not None  # asked for in ``include``
                _insert(db, page["ids"], documents)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('collection', ?)", (collection_id,))
            _count(db)

    # --- reads ---
    def state(self) -> tuple[str | None, int]:
        """(the collection id it was built for, how many chunks it holds).

        The count is kept by the writes, so a query does not count the rows (a few ms at 100k chunks).
        """
        try:
            return self._state()
        except sqlite3.OperationalError:  # the file was removed under an open index (a drop elsewhere)
            self._create()
            return self._state()

    def _state(self) -> tuple[str | None, int]:
        with self._connect() as db:
            meta = dict(db.execute("SELECT key, value FROM meta WHERE key IN ('collection', 'count')").fetchall())
            if "count" not in meta:  # an index written before the count was kept
                meta["count"] = _count(db)
            return meta.get("collection"), int(meta["count"])

    def chunk_count(self) -> int:
        """How many chunks it holds: read once by :func:`keyword_index`, which checks it anyway."""
        return self.size if self.size is not None else self.state()[1]

    def doc_freq(self, words: Iterable[str]) -> dict[str, int]:
        """How many chunks hold each word, from the ``terms`` table the writes keep.

        fts5vocab counts a word's chunks by walking its whole posting list, 10 ms a query at 300k chunks.
        """
        words = list(set(words))
        if not words:
            return {}
        with self._connect() as db:
            marks = ",".join("?" * len(words))
            return dict(db.execute(f"SELECT term, docs FROM terms WHERE term IN ({marks})", words).fetchall())

    def coverage_of(
        self, query: str, freq: dict[str, int] | None = None, ignore: frozenset[str] = frozenset()
    ) -> Callable[[str], float]:
        """A text's IDF-weighted share of the query's words (0-1), less those in ``ignore``.

        Rarer words weigh more, and a word the collection never uses weighs most. The weights are read once per
        query (``freq``: the words' document frequencies, when the caller has read them already).
        """
        words = set(tokens(query)) - ignore
        size = self.chunk_count()
        freq = self.doc_freq(words) if freq is None else freq
        weights = {w: math.log(1 + size / (freq.get(w, 0) + 0.5)) for w in words}
        total = sum(weights.values())

        def coverage(text: str) -> float:
            return sum(weights[w] for w in words & set(tokens(text))) / total if total else 0.0

        return coverage

    def coverage(self, query: str, text: str) -> float:
        return self.coverage_of(query)(text)

    def top(
        self,
        query: str,
        n: int,
        allowed: set[str] | None = None,
        freq: dict[str, int] | None = None,
        exact: bool = False,
    ) -> list[tuple[str, float]]:
        """The ``n`` best chunks by BM25 (FTS5's, k1 1.2 and b 0.75), higher is better; only ``allowed`` ids when given."""
        words = list(dict.fromkeys(tokens(query)))
        size = self.chunk_count()
        freq = self.doc_freq(words) if freq is None else freq
        words = [w for w in words if freq.get(w)]  # a word no chunk has matches nothing
        # Words in more than a tenth of the chunks move BM25 scores little but would make FTS5 score
        # most of the collection (180 ms at 100k chunks): they are left out when rarer words are there.
        rare = [w for w in words if freq[w] <= COMMON_SHARE * size]
        words = rare or words
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)  # tokens are [a-z0-9]+: nothing to escape
        # ``rank`` is bm25() with its default weights, and ``ORDER BY rank`` lets FTS5 sort by it itself, scoring
        # each match once: half the time of ``ORDER BY bm25(chunks)`` at 100k chunks, with the same rows.
        sql = (
            "SELECT ids.id, -rank FROM chunks JOIN ids ON ids.rowid = chunks.rowid "
            "WHERE chunks MATCH ? ORDER BY rank LIMIT ?"
        )
        with self._connect() as db:
            if not exact and allowed is None and sum(freq[w] for w in words) > EXACT_UP_TO:
                pruned = _pruned_top(db, words, freq, n)
                if pruned is not None:
                    return pruned
            if allowed is None:
                return [(i, float(s)) for i, s in db.execute(sql, (match, n))]
            # a metadata filter: read further down the ranking until n allowed chunks are found
            limit = n * 5
            while True:
                rows = db.execute(sql, (match, limit)).fetchall()
                kept = [(i, float(s)) for i, s in rows if i in allowed]
                if len(kept) >= n or len(rows) < limit:
                    return kept[:n]
                limit *= 4


def _pruned_top(
    db: sqlite3.Connection, words: list[str], freq: dict[str, int], n: int
) -> list[tuple[str, float]] | None:
    """The best ``n`` by BM25 among the matches that share the most (IDF-weighted) query words.

    Reading a word's matches without scoring them is cheap (1 ms for 3,000 at 300k chunks); FTS5's bm25() is what
    costs. So the matches' IDFs are summed over the words' posting lists, and exact BM25, FTS5's formula with its
    own average length, is computed for the best ``CANDIDATES`` only. A match left out would need a word many
    times or a very short chunk to outscore one sharing more of the query's words. None (FTS5 ranks them all)
    when fewer than ``n`` candidates stand above the cut, as for one word: which of the equals to keep would be
    a guess. Our own because FTS5 has no top-k pruning (WAND) to ask for; ``python -m bench.retrieval`` reports
    how often the two rankings agree.
    """
    rows, total_tokens = _averages(db)
    idf = {w: max(math.log((rows - freq[w] + 0.5) / (freq[w] + 0.5)), 1e-6) for w in words}
    postings = [_posting(db, w) for w in words]
    rowids, inverse = np.unique(np.concatenate(postings), return_inverse=True)
    weights = np.bincount(
        inverse, weights=np.concatenate([np.full(len(p), idf[w]) for w, p in zip(words, postings, strict=True)])
    )
    keep = max(CANDIDATES, 10 * n)
    if len(rowids) > keep:
        order = np.argpartition(-weights, keep)
        if int((weights > weights[order[keep]]).sum()) < n:
            return None
        rowids = rowids[order[:keep]]
    marks = ",".join(str(int(r)) for r in rowids)  # integers from SQLite: nothing to escape
    average = total_tokens / rows
    scored = []
    # FTS5 keeps each chunk's text in its ``%_content`` table by rowid: a plain b-tree lookup, where
    # selecting the FTS table by rowid costs five times as much
    for rowid, chunk_id, text in db.execute(
        f"SELECT c.id, ids.id, c.c0 FROM chunks_content AS c JOIN ids ON ids.rowid = c.id WHERE c.id IN ({marks})"
    ):
        chunk_words = text.split()
        norm = K1 * (1 - B + B * len(chunk_words) / average)
        counts = {w: chunk_words.count(w) for w in words}
        score = sum(idf[w] * tf * (K1 + 1) / (tf + norm) for w, tf in counts.items() if tf)
        scored.append((score, rowid, chunk_id))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [(chunk_id, score) for score, _, chunk_id in scored[:n]]


def _posting(db: sqlite3.Connection, word: str) -> np.ndarray:
    """The rowids of the chunks that hold ``word``, unscored (one string from SQLite: faster than a row each)."""
    joined = db.execute("SELECT group_concat(rowid) FROM chunks WHERE chunks MATCH ?", (f'"{word}"',)).fetchone()[0]
    return np.array(joined.split(","), dtype=np.int64) if joined else np.zeros(0, dtype=np.int64)


def _averages(db: sqlite3.Connection) -> tuple[int, int]:
    """(rows, tokens) from FTS5's averages record, the one its bm25() reads: ``%_data`` row 1, two varints."""
    blob = db.execute("SELECT block FROM chunks_data WHERE id = 1").fetchone()[0]
    values, value = [], 0
    for byte in blob:
        # SQLite varints, big-endian: 7 bits a byte, the high bit set while more follow (counts this size
        # never reach the 9-byte form)
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            values.append(value)
            value = 0
            if len(values) == 2:
                break
    return values[0], values[1]


def _remove(db: sqlite3.Connection, ids: Sequence[str]) -> None:
    rows = [
        (r,)
        for (r,) in (db.execute("SELECT rowid FROM ids WHERE id = ?", (i,)).fetchone() or (None,) for i in ids)
        if r is not None
    ]
    gone: Counter[str] = Counter()
    for (rowid,) in rows:
        (text,) = db.execute("SELECT c0 FROM chunks_content WHERE id = ?", (rowid,)).fetchone()
        gone.update(set(text.split()))
    db.executemany("UPDATE terms SET docs = docs - ? WHERE term = ?", [(c, t) for t, c in gone.items()])
    db.executemany("DELETE FROM terms WHERE term = ? AND docs <= 0", [(t,) for t in gone])
    db.executemany("DELETE FROM chunks WHERE rowid = ?", rows)
    db.executemany("DELETE FROM ids WHERE rowid = ?", rows)


def _count(db: sqlite3.Connection) -> int:
    count: int = db.execute("SELECT COUNT(*) FROM ids").fetchone()[0]
    db.execute("INSERT OR REPLACE INTO meta VALUES ('count', ?)", (str(count),))
    return count


def _insert(db: sqlite3.Connection, ids: Sequence[str], texts: Iterable[str]) -> None:
    added: Counter[str] = Counter()
    for chunk_id, text in zip(ids, texts, strict=True):
        rowid = db.execute("INSERT INTO ids (id) VALUES (?)", (chunk_id,)).lastrowid
        words = tokens(text or "")
        db.execute("INSERT INTO chunks (rowid, words) VALUES (?, ?)", (rowid, " ".join(words)))
        added.update(set(words))
    db.executemany(
        "INSERT INTO terms VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET docs = docs + excluded.docs", added.items()
    )


def keyword_index(name: str, col: Collection) -> KeywordIndex:
    """The collection's index, rebuilt first when it is not in step with the collection.

    The check counts the collection's chunks, which Chroma does by reading them all (12 ms at 100k), so it is
    made once per write generation of the embedded store: a write by anyone moves the generation, and every
    write to a collection writes its index in the same batch. A Chroma server has no generation: checked always.
    """
    index = opened(index_path(name))
    generation = store.generation()
    if generation is not None and index.checked_at == (_id(col), generation):
        return index
    built_for, size = index.state()
    if built_for != _id(col) or size != col.count():
        with _rebuild_lock:  # one rebuild at a time: each reads the whole collection
            built_for, size = index.state()
            if built_for != _id(col) or size != col.count():
                index.rebuild(col, _id(col))
                size = index.state()[1]
    index.size = size
    index.checked_at = (_id(col), generation) if generation is not None else None
    return index


def opened(path: Path) -> KeywordIndex:
    """The index at ``path``, opened (and its tables created) once per process."""
    return _open.get(str(path), lambda: KeywordIndex(path))


def _id(col: Collection) -> str:
    return str(col.id)


def drop(name: str) -> None:
    path = index_path(name)
    _open.discard(str(path))
    path.unlink(missing_ok=True)
