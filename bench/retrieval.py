"""``python -m bench.retrieval [--quick] [--json]``: knowledge-base ingest throughput and query latency.

Side by side in one run, at 1k, 10k and 100k synthetic chunks (1k and 10k with ``--quick``):
- ingest chunks/s through the indexing API into Chroma on disk;
- query latency p50/p95, dense only vs hybrid (dense + BM25 + RRF), and their ratio at p95;
- how far the BM25 side's candidates-first ranking agrees with FTS5 scoring every match (top 20).
The store's share is measured with hash embeddings of the real model's size (384), so sizes can be
compared; the real embedding model's own ingest and query cost is measured once at 1k beside it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time

from langchain_core.documents import Document

TOPICS = ["adapter", "retrieval", "chunk", "router", "guardrail", "tokenizer", "gradient", "server", "thread", "eval"]


def synthetic_chunks(n: int, seed: int = 0) -> list[Document]:
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(5000)]
    docs = []
    for i in range(n):
        words = rng.choices(vocabulary, k=50) + rng.choices(TOPICS, k=5)
        rng.shuffle(words)
        docs.append(
            Document(
                page_content=" ".join(words) + ".", metadata={"source": f"synthetic/{i // 20}.txt", "chunk": i % 20}
            )
        )
    return docs


def queries(count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(TOPICS, k=2) + [f"w{rng.randrange(5000)}" for _ in range(3)]) for _ in range(count)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(size: int, spec: str, n_queries: int) -> dict[str, float]:
    from langchain_core.indexing import index

    from tools.kb import embeddings, keyword, store
    from tools.kb.retrieval import RetrievalOptions, retrieve

    os.environ["TAILOR_EMBEDDINGS"] = spec
    embeddings.clear_cache()
    embeddings.get_embeddings()  # load the model outside the timed part
    name = f"bench-{size}-{spec.replace(':', '')}"
    docs = synthetic_chunks(size)
    started = time.perf_counter()
    index(
        docs,
        store.record_manager(name),
        store.vector_store(name, create=True),
        cleanup=None,
        source_id_key="source",
        key_encoder="sha256",
        batch_size=500,
    )
    store.touch_stamp(name)
    ingest_s = time.perf_counter() - started

    row: dict[str, float] = {"chunks": size, "ingest_chunks_per_s": round(size / ingest_s, 1)}
    for mode, hybrid in (("dense", False), ("hybrid", True)):
        # the search alone: the answer checks after it cost the same in both modes (MiniLM over up to
        # 24 sentences, in the RAG eval's seconds per question)
        options = RetrievalOptions(k=4, hybrid=hybrid, min_relevance=0.0, answer_checks=False)
        retrieve(name, "warm up the caches", options)  # loads what a first query loads, outside the timing
        times = []
        for query in queries(n_queries):
            t = time.perf_counter()
            retrieve(name, query, options)
            times.append((time.perf_counter() - t) * 1000)
        row[f"{mode}_p50_ms"] = round(statistics.median(times), 2)
        row[f"{mode}_p95_ms"] = round(percentile(times, 0.95), 2)
    row["hybrid_over_dense_p95"] = round(row["hybrid_p95_ms"] / row["dense_p95_ms"], 2)
    row["bm25_top20_agreement"] = keyword_agreement(name, n_queries)
    store.client().delete_collection(name)
    keyword.drop(name)
    return row


def keyword_agreement(name: str, n_queries: int) -> float:
    """Mean share of the top 20 the keyword index returns that FTS5's own full ranking returns too (1.0: the same)."""
    from tools.kb import keyword, store

    index = keyword.keyword_index(name, store.raw_collection(name))
    shares = []
    for query in queries(n_queries):
        served = {cid for cid, _ in index.top(query, 20)}
        exact = {cid for cid, _ in index.top(query, 20, exact=True)}  # FTS5 scores every match
        shares.append(len(served & exact) / max(len(exact), 1))
    return round(statistics.mean(shares), 3)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k chunks only")
    parser.add_argument(
        "--sizes",
        type=lambda v: [int(x) for x in v.split(",")],
        default=None,
        help="comma-separated chunk counts, e.g. 100000,300000 (default 1k, 10k, 100k)",
    )
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="end with one JSON line of results")
    args = parser.parse_args(argv)

    from bench.machine import save_result

    sizes = args.sizes or ([1_000, 10_000] if args.quick else [1_000, 10_000, 100_000])
    with tempfile.TemporaryDirectory(prefix="tailor-bench-") as scratch:
        os.environ["TAILOR_DATA_DIR"] = scratch
        rows = []
        for size in sizes:
            print(f"measuring {size} chunks (store, hash embeddings)...", file=sys.stderr)
            rows.append({"embeddings": "hash-384", **measure(size, "fake:384", args.queries)})
            print(f"  {rows[-1]}", file=sys.stderr)  # each size as it is measured: the large ones take minutes
        print("measuring 1000 chunks with the real embedding model...", file=sys.stderr)
        rows.append({"embeddings": "all-MiniLM-L6-v2", **measure(1_000, "default", args.queries)})

    header = [
        "embeddings",
        "chunks",
        "ingest_chunks_per_s",
        "dense_p50_ms",
        "dense_p95_ms",
        "hybrid_p50_ms",
        "hybrid_p95_ms",
        "hybrid_over_dense_p95",
        "bm25_top20_agreement",
    ]
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[h]) for h in header))
    summary = {"rows": rows}
    for row in rows:
        tag = f"{row['chunks'] // 1000}k" + ("_model" if row["embeddings"] != "hash-384" else "")
        for key in header[2:]:
            summary[f"retrieval_{tag}_{key}"] = row[key]
    save_result("retrieval", summary, {k: v for k, v in summary.items() if k != "rows"}, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
