"""BM25 keyword search over a collection's chunks (rank_bm25), cached until the collection changes."""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from rank_bm25 import BM25Okapi

from tools.kb import store
from tools.resources import Resources

_WORD = re.compile(r"[a-z0-9]+")
# Words too common to tell chunks apart; kept short on purpose (BM25's idf does the rest).
STOPWORDS = frozenset(
    "a an and are as at be by can do does for from has have how i in is it its of on or that the this to "
    "was what when where which who why will with you your".split()
)
PAGE = 5000

# name -> (the collection's version, its index); an index is rebuilt when the collection changes.
_indexes: Resources[tuple[tuple, "KeywordIndex"]] = Resources("keyword indexes")
_build_lock = threading.Lock()


def tokens(text: str) -> list[str]:
    out = []
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]  # crude plural folding: "adapters" finds "adapter"
        out.append(word)
    return out


@dataclass
class KeywordIndex:
    ids: list[str]
    bm25: BM25Okapi | None
    doc_freq: Counter = field(default_factory=Counter)

    def idf(self, word: str) -> float:
        """Rarer words weigh more; a word the collection never uses weighs most."""
        return math.log(1 + len(self.ids) / (self.doc_freq.get(word, 0) + 0.5))

    def coverage(self, query: str, text: str) -> float:
        """IDF-weighted share of the query's words that the text contains (0-1)."""
        words = set(tokens(query))
        if not words:
            return 0.0
        present = set(tokens(text))
        total = sum(self.idf(w) for w in words)
        return sum(self.idf(w) for w in words & present) / total if total else 0.0

    def top(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        words = tokens(query)
        if self.bm25 is None or not words:
            return []
        scores = self.bm25.get_scores(words)
        if allowed is not None:
            mask = np.fromiter((i in allowed for i in self.ids), dtype=bool, count=len(self.ids))
            scores = np.where(mask, scores, 0.0)
        order = np.argsort(-scores)[:n]
        return [(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]


def _version(name: str, col) -> tuple:
    stamp = store.stamp_path(name)
    return (col.id, col.count(), stamp.stat().st_mtime_ns if stamp.exists() else 0)


def keyword_index(name: str, col) -> KeywordIndex:
    version = _version(name, col)
    cached = _indexes.loaded().get(name)
    if cached and cached[0] == version:
        return cached[1]
    with _build_lock:  # one build at a time: each reads the whole collection
        cached = _indexes.loaded().get(name)
        if cached and cached[0] == version:
            return cached[1]
        ids: list[str] = []
        corpus: list[list[str]] = []
        doc_freq: Counter = Counter()
        for offset in range(0, version[1], PAGE):
            page = col.get(include=["documents"], limit=PAGE, offset=offset)
            ids.extend(page["ids"])
            corpus.extend(tokens(doc or "") for doc in page["documents"])
        for words in corpus:
            doc_freq.update(set(words))
        built = KeywordIndex(ids, BM25Okapi(corpus) if ids else None, doc_freq)
        _indexes.install(name, (version, built))
        return built
