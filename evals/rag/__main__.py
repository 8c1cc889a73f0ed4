"""``python -m evals.rag``: run the RAG eval set against a collection and report its metrics.

Each row of the questions file: ``question``, ``facts`` (any one of them in the answer counts as
correct), ``sources`` (files that hold the answer) and ``answerable`` (default true). Results go to
``TAILOR_DATA_DIR/evals/`` as JSON, a Markdown table and a PNG chart; ``--json`` ends with one line of
metrics.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from tqdm.auto import tqdm

from evals.data import read_rows
from evals.rag.metrics import score_rows, summarise
from evals.report import write_report

QUESTIONS = Path(__file__).parent / "questions.jsonl"


def load_questions(path: Path) -> list[dict]:
    rows = read_rows(path, ("question",))
    for row in rows:
        row.setdefault("answerable", True)
        row.setdefault("facts", [])
        row.setdefault("sources", [])
    return rows


def retrieval_only(rows: list[dict], collection: str, k: int) -> list[dict]:
    from tools.kb.retrieval import RetrievalOptions, retrieve

    out = []
    for row in tqdm(rows, desc="retrieving", unit="q", file=sys.stderr):
        result = retrieve(collection, row["question"], RetrievalOptions(k=k))
        cites = [h.citation(n) for n, h in enumerate(result.hits, start=1)]
        out.append({**row, "answer": "", "retrieved": [c["source"] for c in cites], "citations": [],
                    "declined": not result.hits, "best_relevance": result.best_relevance})
    return out


async def with_answers(rows: list[dict], collection: str, k: int, model: str | None) -> list[dict]:
    from langchain_core.messages import HumanMessage

    from graph.answer import result_of
    from graph.context import Context
    from graph.graph import build_graph

    agent = build_graph()
    ctx = Context(collection=collection, k=k, **({"model": model} if model else {}))
    out = []
    for row in tqdm(rows, desc="answering", unit="q", file=sys.stderr):
        started = time.perf_counter()
        state = await agent.ainvoke({"messages": [HumanMessage(content=row["question"])]}, context=ctx)
        result = result_of(state)
        out.append({
            **row,
            "answer": result["answer"],
            "citations": [c["source"] for c in result["citations"]],
            "retrieved": [d["source"] for d in state.get("documents") or []],
            "declined": (result["reasoning"].get("rag") or {}).get("mode") == "not_found"
            or result["answer"].lower().startswith(("i don't know", "i do not know")),
            "mode": (result["reasoning"].get("rag") or {}).get("mode", ""),
            "best_relevance": (result["reasoning"].get("retrieval") or {}).get("best_relevance"),
            "seconds": round(time.perf_counter() - started, 2),
        })
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.rag", description=__doc__.splitlines()[0])
    parser.add_argument("--collection", default="docs")
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--ingest", nargs="*", default=None, metavar="PATH", help="ingest these paths first")
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--model", default=None, help="model spec (default TAILOR_MODEL)")
    parser.add_argument("--retrieval-only", action="store_true", help="measure retrieval and declining, no model")
    parser.add_argument("--limit", type=int, default=0, help="first N questions only")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of metrics")
    args = parser.parse_args(argv)

    rows = load_questions(args.questions)[: args.limit or None]
    if args.ingest:
        from tools.kb.ingest import ingest

        ingest(args.ingest, args.collection, progress=False)
    if args.retrieval_only:
        scored = score_rows(retrieval_only(rows, args.collection, args.k))
    else:
        scored = score_rows(asyncio.run(with_answers(rows, args.collection, args.k, args.model)))
    metrics = summarise(scored, answers=not args.retrieval_only)
    paths = write_report("rag", scored, metrics, columns=["id", "declined", "cited_ok", "fact_ok", "answer"])
    if args.json:
        print(json.dumps({"suite": "rag", **metrics, "report": str(paths["json"])}))
    else:
        for key, value in metrics.items():
            print(f"{key:24s} {value}")
        print(f"report: {paths['markdown']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
