"""Scores for one answer against its reference, and LangSmith evaluators built from them.

Text scores (all 0-1): exact match and contains after normalising case, punctuation and spacing;
token F1 (SQuAD-style bag of words); ROUGE-L (F-measure of the longest common subsequence of
words). Retrieval: recall@k (an expected source among the retrieved). Refusal correctness: the
agent declined exactly when it should have. ROUGE-L is ours: the ``rouge-score`` package brings
nltk and absl for one short function.

A LangSmith evaluator here is ``f(inputs, outputs, reference_outputs) -> {"key", "score"}``, the
shape ``langsmith.evaluate`` calls; ``score`` None means "does not apply to this example" and is
left out of the mean.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

Evaluator = Callable[[dict, dict, dict], dict]
# Every symbol, not only ASCII punctuation: "€229" must contain the fact "229".
_PUNCT = re.compile(r"[^\w\s]|_")


def normalise(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", str(text).lower()).split())


def tokens(text: str) -> list[str]:
    return normalise(text).split()


def exact_match(prediction: str, reference: str) -> float:
    return float(normalise(prediction) == normalise(reference))


def contains_any(prediction: str, facts: Iterable[str]) -> float:
    text = f" {normalise(prediction)} "
    return float(any(f" {normalise(fact)} " in text for fact in facts if normalise(fact)))


def token_f1(prediction: str, reference: str) -> float:
    pred, ref = tokens(prediction), tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def _lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    pred, ref = tokens(prediction), tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    lcs = _lcs_length(pred, ref)
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(pred), lcs / len(ref)
    return 2 * precision * recall / (precision + recall)


def recall_at_k(retrieved: Iterable[str], expected: Iterable[str]) -> float:
    return float(bool(set(expected) & set(retrieved)))


def best_of(score: Callable[[str, str], float], prediction: str, references: Iterable[str]) -> float:
    return max((score(prediction, ref) for ref in references), default=0.0)


# -- LangSmith evaluators -----------------------------------------------------------------------


def _result(key: str, score: float | None, comment: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"key": key, "score": None if score is None else round(float(score), 4)}
    if comment:
        out["comment"] = comment
    return out


def _references(reference_outputs: dict) -> list[str]:
    refs = reference_outputs.get("answers") or reference_outputs.get("facts") or []
    answer = reference_outputs.get("answer")
    return [str(r) for r in ([answer] if answer else []) + list(refs)]


def text_evaluators(answer_key: str = "answer") -> list[Evaluator]:
    """exact_match, contains, token_f1 and rouge_l of ``outputs[answer_key]`` against the references."""

    def make(key: str, fn: Callable[[str, list[str]], float]) -> Evaluator:
        def evaluator(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
            refs = _references(reference_outputs)
            if not refs:
                return _result(key, None)
            return _result(key, fn(str(outputs.get(answer_key) or ""), refs))

        evaluator.__name__ = key
        return evaluator

    return [
        make("exact_match", lambda p, refs: best_of(exact_match, p, refs)),
        make("contains", lambda p, refs: contains_any(p, refs)),
        make("token_f1", lambda p, refs: best_of(token_f1, p, refs)),
        make("rouge_l", lambda p, refs: best_of(rouge_l, p, refs)),
    ]


def recall_evaluator(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
    expected = reference_outputs.get("sources") or []
    if not expected or reference_outputs.get("answerable") is False:
        return _result("recall_at_k", None)
    return _result("recall_at_k", recall_at_k(outputs.get("retrieved") or [], expected))


def refusal_evaluator(inputs: dict, outputs: dict, reference_outputs: dict) -> dict:
    """1 when the agent declined (or blocked) exactly when the reference says it should."""
    should = reference_outputs.get("should_refuse")
    if should is None:
        return _result("refusal_correct", None)
    return _result("refusal_correct", float(bool(outputs.get("refused")) == bool(should)))


def mean_scores(rows: list[dict[str, Any]], keys: Iterable[str]) -> dict[str, float]:
    """Mean of each score over the rows where it applies (None left out)."""
    out = {}
    for key in keys:
        values = [r["scores"][key] for r in rows if r["scores"].get(key) is not None]
        if values:
            out[key] = round(sum(values) / len(values), 4)
    return out
