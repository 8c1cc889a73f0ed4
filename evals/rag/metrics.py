"""The RAG suite's own summary over an experiment's rows (beside the evaluators' means)."""

from __future__ import annotations


def summarise(rows: list[dict], answers: bool) -> dict[str, float | int]:
    """Shares of answerable / unanswerable questions, from each row's reference and outputs."""
    answerable = [r for r in rows if r["reference"].get("answerable", True)]
    other = [r for r in rows if not r["reference"].get("answerable", True)]

    def share(items: list[dict], test) -> float:
        return round(sum(1 for r in items if test(r)) / len(items), 3) if items else 0.0

    def score(key: str):
        return lambda r: (r["scores"].get(key) or 0.0) >= 1.0

    metrics: dict[str, float | int] = {
        "questions": len(rows),
        "answerable": len(answerable),
        "unanswerable": len(other),
        "recall_at_k": share(answerable, score("recall_at_k")),
        "declined_unanswerable": share(other, lambda r: bool(r["outputs"].get("refused"))),
        "declined_answerable": share(answerable, lambda r: bool(r["outputs"].get("refused"))),
    }
    if answers:
        metrics["cited_source"] = share(answerable, score("cited_source"))
        metrics["answer_contains_fact"] = share(answerable, score("contains"))
        metrics["seconds_per_question"] = round(sum(r["seconds"] for r in rows) / len(rows), 2) if rows else 0.0
    return metrics
