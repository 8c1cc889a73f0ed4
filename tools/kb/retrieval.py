"""Hybrid retrieval: dense (Chroma) + BM25 merged by reciprocal rank fusion, then defended and pruned.

Steps, in order: rank candidates per query by vector and by keyword; fuse the rankings (RRF);
re-scan each candidate for planted instructions (neutralise, or drop when nothing safe is left);
drop candidates whose relevance is under ``min_relevance`` (the "not in the knowledge base" decision);
drop near-duplicates; put the chunks that name what the question asks about first (and keep none
when no chunk names it: :mod:`tools.kb.entities`); optionally reorder by MMR; put the chunks whose
sentences answer the question first, and keep none when no sentence does (:mod:`tools.kb.evidence`);
keep ``k``.

Relevance is the mean of the chunk's cosine similarity to the question and the IDF-weighted share of
the question's words the chunk contains. Similarity alone cannot tell "how do I install Tailor" from
"which Windows installer does Tailor ship" (both sit near the install docs); rare words the collection
never uses ("Windows", "CEO") pull the second one under the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from langchain_core.vectorstores.utils import maximal_marginal_relevance

from tools.guard import injection
from tools.kb import dates, entities, evidence, store
from tools.kb.embeddings import get_embeddings, sentence_vectors, unit_rows
from tools.kb.errors import KBError
from tools.kb.filters import to_where
from tools.kb.keyword import KeywordIndex, keyword_index, tokens
from tools.resources import Resources
from tools.settings import get_settings

SEARCH_MODES = ("similarity", "mmr")
RRF_K = 60  # the constant from the RRF paper; damps the weight of top ranks
MIN_SAFE_CHARS = 40


@dataclass
class RetrievalOptions:
    """How a retrieval searches and prunes: how many chunks, dense or hybrid, thresholds and filters."""

    k: int = 4
    search: str = "similarity"
    hybrid: bool = True
    min_relevance: float = field(default_factory=lambda: get_settings().min_relevance)
    filters: dict[str, Any] = field(default_factory=dict)
    fetch_k: int = 20
    dedup_similarity: float = 0.95
    mmr_lambda: float = 0.5
    answer_checks: bool = True  # rank by the question's names and answering sentences; none when nothing answers

    def __post_init__(self) -> None:
        if self.search not in SEARCH_MODES:
            raise KBError(f"search must be one of {', '.join(SEARCH_MODES)}; got {self.search!r}.")
        if not 1 <= self.k <= 100:
            raise KBError(f"k must be between 1 and 100; got {self.k}.")
        if not 0.0 <= self.min_relevance <= 1.0:
            raise KBError(f"min_relevance must be between 0 and 1; got {self.min_relevance}.")
        self.fetch_k = max(self.fetch_k, self.k)


@dataclass
class Hit:
    """One retrieved chunk with its scores and how it was found."""

    id: str
    text: str
    metadata: dict[str, Any]
    relevance: float  # mean of similarity and keyword coverage: what the threshold applies to
    score: float  # fused RRF score (what the order follows)
    found_by: list[str]
    neutralised: bool = False
    similarity: float = 0.0  # cosine similarity to the question
    coverage: float = 0.0  # IDF-weighted share of the question's words found in the chunk

    def citation(self, number: int) -> dict[str, Any]:
        return {
            "n": number,
            "source": self.metadata.get("source", ""),
            "title": self.metadata.get("title", ""),
            "section": self.metadata.get("section", ""),
            "chunk_id": self.id,
            "score": round(self.relevance, 4),
        }

    def document(self, number: int) -> dict[str, Any]:
        """The hit as the evidence checks read it: its citation, its text and the periods it names (not cited)."""
        return {**self.citation(number), "text": self.text, "periods": self.metadata.get("periods", "")}


@dataclass
class RetrievalResult:
    """What a retrieval kept, what it dropped and why, and the queries it searched with."""

    collection: str
    hits: list[Hit]
    best_relevance: float
    dropped: list[dict[str, Any]]
    queries: list[str]
    declined: str = ""  # why relevant chunks were all set aside (they name none of the question's names)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def retrieve(
    collection: str,
    question: str,
    options: RetrievalOptions | None = None,
    *,
    extra_queries: list[str] | None = None,
    hypothetical_answer: str = "",
) -> RetrievalResult:
    """Chunks for ``question``; ``extra_queries`` (multi-query) and ``hypothetical_answer`` (HyDE) add rankings."""
    options = options or RetrievalOptions()
    # searched and checked as the pages write it
    question = dates.holidays_dated(evidence.seasons_in_full(question))
    where = to_where(options.filters)
    store.check_name(collection)
    embeddings = get_embeddings()
    queries = [question, *(q for q in (extra_queries or []) if q.strip() and q != question)]
    question_vec = np.asarray(embeddings.embed_query(question), dtype=np.float32)
    dense_texts = queries + ([hypothetical_answer] if hypothetical_answer.strip() else [])
    dense_vecs = [question_vec] + [np.asarray(embeddings.embed_query(t), dtype=np.float32) for t in dense_texts[1:]]
    # The queries are embedded before the store is read: a writer in another process waits only for the search.
    with store.reading():
        result = _search(collection, question, options, where, queries, question_vec, dense_vecs)
    if options.answer_checks and result.hits:
        result.hits, result.declined = _by_sentence(question, result.hits)
    result.hits = result.hits[: options.k]
    return result


_threads: Resources[ThreadPoolExecutor] = Resources(
    "keyword search threads", close=lambda pool: pool.shutdown(wait=False)
)


def _keyword_threads() -> ThreadPoolExecutor:
    return _threads.get("bm25", lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="tailor-bm25"))


def _keyword_search(
    index: KeywordIndex, expanded: list[str], options: RetrievalOptions, allowed: set[str] | None
) -> tuple[dict[str, int], list[tuple[str, list[str]]]]:
    """The query words' document frequencies (for the coverage), and the BM25 rankings when hybrid."""
    freq = index.doc_freq(tokens(" ".join(expanded)))  # read once for the searches and the coverage
    if not options.hybrid:
        return freq, []
    return freq, [("bm25", [cid for cid, _ in index.top(query, options.fetch_k, allowed, freq)]) for query in expanded]


def _search(
    collection: str,
    question: str,
    options: RetrievalOptions,
    where: dict[str, Any] | None,
    queries: list[str],
    question_vec: np.ndarray,
    dense_vecs: list[np.ndarray],
) -> RetrievalResult:
    col = store.raw_collection(collection)

    index = keyword_index(collection, col)
    # the attribute a question's phrasing stands for is searched too ("cost" finds "Price:")
    expanded = [" ".join([query, *evidence.attribute_words(query)]) for query in queries]
    allowed = set(col.get(where=where, include=[])["ids"]) if options.hybrid and where else None
    # The keyword side (SQLite) runs in a worker thread while Chroma answers the dense queries: both leave
    # Python's lock while they search, so on two cores hybrid search costs little more than dense.
    keyword_side = _keyword_threads().submit(_keyword_search, index, expanded, options, allowed)

    rankings: list[tuple[str, list[str]]] = []
    found: dict[str, dict[str, Any]] = {}
    for vec in dense_vecs:
        res = col.query(
            query_embeddings=[vec.tolist()],
            n_results=options.fetch_k,
            where=where,
            include=["documents", "metadatas", "embeddings"],
        )
        ids = res["ids"][0]
        documents, metadatas, vectors = res["documents"], res["metadatas"], res["embeddings"]
        assert documents is not None and metadatas is not None and vectors is not None  # all three are included
        for i, cid in enumerate(ids):
            found[cid] = {
                "text": documents[0][i],
                "metadata": metadatas[0][i] or {},
                "vector": np.asarray(vectors[0][i], dtype=np.float32),
            }
        rankings.append(("dense", ids))

    freq, keyword_rankings = keyword_side.result()  # read once for the searches and the coverage
    rankings += keyword_rankings
    if options.hybrid:
        missing = [cid for _, ids in rankings for cid in ids if cid not in found]
        if missing:
            got = col.get(ids=list(dict.fromkeys(missing)), include=["documents", "metadatas", "embeddings"])
            got_documents, got_metadatas, got_vectors = got["documents"], got["metadatas"], got["embeddings"]
            assert got_documents is not None and got_metadatas is not None and got_vectors is not None  # included
            for i, cid in enumerate(got["ids"]):
                found[cid] = {
                    "text": got_documents[i],
                    "metadata": got_metadatas[i] or {},
                    "vector": np.asarray(got_vectors[i], dtype=np.float32),
                }

    fused: dict[str, float] = defaultdict(float)
    found_by: dict[str, set[str]] = defaultdict(set)
    for kind, ids in rankings:
        for rank, cid in enumerate(ids):
            fused[cid] += 1.0 / (RRF_K + rank + 1)
            found_by[cid].add(kind)

    hits: list[Hit] = []
    dropped: list[dict[str, Any]] = []
    best = 0.0
    # with the attribute words: "how heavy" is covered by a chunk that gives the "Weight"
    # the asker's own car or phone that no chunk names ("my BMW") is context, not a word a chunk must cover
    own = frozenset(w for name in entities.owned(question) for w in tokens(name.text) if not freq.get(w))
    coverage_of = index.coverage_of(expanded[0], freq, own)
    order = sorted(fused, key=fused.__getitem__, reverse=True)
    units = unit_rows([found[cid]["vector"] for cid in order]) if order else np.zeros((0, 1), dtype=np.float32)
    similarities = units @ unit_rows(question_vec) if order else []
    kept: list[int] = []  # rows of ``units`` of the hits kept so far, for the duplicate check
    codes = _asked_codes(question)
    for row, cid in enumerate(order):
        item = found[cid]
        similarity = float(similarities[row])
        coverage = coverage_of(item["text"] or "")
        relevance = (similarity + coverage) / 2
        best = max(best, relevance)
        text, neutralised = item["text"] or "", False
        if injection.scan(text).flagged:
            text, neutralised = injection.neutralise(text), True
            if injection.scan(text).flagged or len(text.replace(injection.REMOVED, "").strip()) < MIN_SAFE_CHARS:
                dropped.append({"chunk_id": cid, "source": item["metadata"].get("source", ""), "reason": "injection"})
                continue
        if relevance < options.min_relevance and codes and _headed_by(item["metadata"], codes):
            # a changelog's "## 4.2.1 — 2 December 2024" lists fixes, few of the question's words: the heading
            # that names the version or model asked about makes it on topic (whether it answers is checked later)
            relevance = options.min_relevance
        if relevance < options.min_relevance:
            continue
        neutralised = neutralised or bool(item["metadata"].get("neutralised"))
        hit = Hit(
            cid,
            text,
            item["metadata"],
            relevance,
            fused[cid],
            sorted(found_by[cid]),
            neutralised,
            round(similarity, 4),
            round(coverage, 4),
        )
        if kept:
            closeness = units[kept] @ units[row]
            duplicate_of = next(
                (
                    hits[i]
                    for i in np.flatnonzero(closeness >= options.dedup_similarity)
                    if _adds_nothing(text, hits[i].text)
                ),
                None,
            )
            if duplicate_of is not None:
                dropped.append(
                    {
                        "chunk_id": cid,
                        "source": hit.metadata.get("source", ""),
                        "reason": f"near_duplicate of {duplicate_of.id}",
                    }
                )
                continue
        hits.append(hit)
        kept.append(row)

    declined = ""
    if options.answer_checks:
        hits, declined = _by_name(question, hits[: max(3 * options.k, 12)])  # the rest would not make the cut
    if options.search == "mmr" and len(hits) > options.k:
        picked = maximal_marginal_relevance(
            question_vec, [found[h.id]["vector"] for h in hits], lambda_mult=options.mmr_lambda, k=options.k
        )
        hits = [hits[i] for i in picked]
    return RetrievalResult(collection, hits, round(best, 4), dropped, queries, declined)


def _adds_nothing(text: str, kept: str) -> bool:
    """Whether every keyword of ``text`` is in ``kept``: a copy of it, not a twin close in meaning.

    Two rows of one table ("Flex 10 - Monthly price: £165", "Flex 10 Plus - Monthly price: £210") embed at 0.95 and
    more; the one asked about must not be dropped as a duplicate of the other.
    """
    return set(tokens(text)) <= set(tokens(kept))


def _asked_codes(question: str) -> set[tuple[str, ...]]:
    """The versions and model numbers a question names ("4.2.1", "Nest 2"): names with a digit in them."""
    return {n.words for n in entities.names(question) if entities.specific(n) and any(c.isdigit() for c in n.text)}


def _headed_by(metadata: dict[str, Any], codes: set[tuple[str, ...]]) -> bool:
    """Whether the chunk's heading names one of ``codes`` exactly.

    The heading is the section's last part, or the nearest part above it with a number when it has none (a
    changelog's "### Fixed" under "## Version 4.2.1 – 3 March 2025").
    """
    parts = str(metadata.get("section", "")).split(" > ")
    numbered = [p for p in parts[1:] if any(c.isdigit() for c in p)]
    heading = parts[-1] if any(c.isdigit() for c in parts[-1]) or not numbered else numbered[-1]
    return any(n.words in codes for n in entities.names(heading))


def _by_sentence(question: str, hits: list[Hit]) -> tuple[list[Hit], str]:
    """The hits whose sentences answer the question first, best sentence first (:mod:`tools.kb.evidence`).

    None, with the reason, when no sentence of any does.
    """
    documents = [h.document(i) for i, h in enumerate(hits)]
    found = evidence.gather(question, documents, sentence_vectors, limit=len(hits))
    if not found.answerable:
        return [], found.reason
    first = list(dict.fromkeys(c.n for c in found.sentences))
    return [hits[i] for i in first] + [h for i, h in enumerate(hits) if i not in first], ""


def _by_name(question: str, hits: list[Hit]) -> tuple[list[Hit], str]:
    """Hits that name what the question names first (exactly or in short; a twin's last).

    None, with the reason, when no hit names it (exactly, in short, or as a longer name it could be short for).
    """
    if not hits:
        return hits, ""
    named = {
        h.id: (
            entities.names(h.text),
            entities.names(f"{h.metadata.get('title', '')}\n{h.metadata.get('section', '')}"),
        )
        for h in hits
    }
    known = [n for own, around in named.values() for n in own + around]
    wanted = [w for w in entities.named_in(question, known) if entities.specific(w)]
    if not wanted:
        return hits, ""
    levels = {cid: entities.level(wanted, own, around) for cid, (own, around) in named.items()}
    if max(levels.values()) < entities.SHORTER and entities.LONGER not in levels.values():
        return [], f"no relevant chunk mentions {', '.join(w.text for w in wanted)}"

    return sorted(hits, key=lambda h: min(levels[h.id], entities.SHORTER), reverse=True), ""
