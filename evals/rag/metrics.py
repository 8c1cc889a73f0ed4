"""Per-question scores and the suite's metrics for the RAG eval."""

from __future__ import annotations


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def score_rows(rows: list[dict]) -> list[dict]:
    for row in rows:
        expected = set(row["sources"])
        row["recalled"] = bool(expected & set(row.get("retrieved", [])))
        row["cited_ok"] = bool(expected & set(row.get("citations", [])))
        answer = _norm(row.get("answer", ""))
        row["fact_ok"] = any(_norm(f) in answer for f in row["facts"])
    return rows


def summarise(rows: list[dict], answers: bool) -> dict[str, float | int]:
    answerable = [r for r in rows if r["answerable"]]
    other = [r for r in rows if not r["answerable"]]

    def share(items: list[dict], key: str, want: bool = True) -> float:
        return round(sum(1 for r in items if bool(r[key]) == want) / len(items), 3) if items else 0.0

    metrics: dict[str, float | int] = {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(other),
        "recall_at_k": share(answerable, "recalled"),
        "declined_unanswerable": share(other, "declined"),
        "declined_answerable": share(answerable, "declined"),
    }
    if answers:
        metrics["cited_source"] = share(answerable, "cited_ok")
        metrics["answer_contains_fact"] = share(answerable, "fact_ok")
        seconds = [r["seconds"] for r in rows if "seconds" in r]
        metrics["seconds_per_question"] = round(sum(seconds) / len(seconds), 2) if seconds else 0.0
    return metrics
