"""The semantic router: which strategy suits a request, with a confidence and a reason.

Three signals, each cheap and none asking the model for JSON:
- the nearest labelled exemplars (``prompts/router/exemplars.jsonl``, embedded once). Similarities
  of short requests are low in absolute terms but their order is telling, so the exemplar signal is
  a softmax over groups (direct, few_shot, reasoning, rag): its confidence is how clearly one group
  leads, scaled down when even the best similarity is weak. The request is also scored without its payload (the part after "Instruction:"), so a long
  review to classify does not drown the word "classify";
- rules (``prompts/router/rules.yaml``), for the unmistakable cases;
- the default knowledge base's relevance to the request, rising from 0.5 at the threshold.
The highest confidence wins; under ``MIN_CONFIDENCE`` the answer is plain chat (``direct``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import prompts
from graph.strategies import group_of
from tools.kb.embeddings import get_embeddings, sentence_vectors, unit_rows
from tools.resources import Resources
from tools.settings import get_settings

MIN_CONFIDENCE = 0.5
NEIGHBOURS = 2  # a label's semantic score: mean similarity of its closest exemplars
SOFTMAX_TEMPERATURE = 0.05  # a lead of 0.1 in similarity is a clear lead
SEMANTIC_MAX = 0.85  # exemplars never outrank a rule (>= 0.88) or a strongly relevant knowledge base (0.9)
SIMILARITY_FULL = 0.4  # a lead among weak similarities is weak evidence: confidence scales up to this one
KB_BASE, KB_SLOPE, KB_MAX = 0.5, 2.0, 0.9  # relevance at the threshold lends rag 0.5, 0.2 above it 0.9


@dataclass
class RouteDecision:
    """The strategy picked for a request, how sure the router is, and why."""

    strategy: str
    confidence: float
    reason: str
    scores: dict[str, float] = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)
    nearest: str = ""

    def as_dict(self) -> dict[str, Any]:
        top = {k: round(v, 3) for k, v in sorted(self.scores.items(), key=lambda kv: kv[1], reverse=True)[:4]}
        return {
            "strategy": self.strategy,
            "confidence": round(self.confidence, 3),
            "scores": top,
            "rules": self.rules,
            "nearest": self.nearest,
        }


class _Exemplars:
    def __init__(self) -> None:
        rows = prompts.records("router/exemplars")
        self.texts = [r["text"] for r in rows]
        self.labels = [r["strategy"] for r in rows]
        self.vectors = sentence_vectors(self.texts)

    def scores(self, text: str) -> tuple[dict[str, float], dict[str, str]]:
        query = unit_rows(get_embeddings().embed_query(text))
        sims = self.vectors @ query
        scores, nearest = {}, {}
        for label in dict.fromkeys(self.labels):
            idx = [i for i, lab in enumerate(self.labels) if lab == label]
            order = sorted(idx, key=lambda i: sims[i], reverse=True)
            scores[label] = float(np.mean([sims[i] for i in order[:NEIGHBOURS]]))
            nearest[label] = self.texts[order[0]]
        return scores, nearest


_exemplars: Resources[_Exemplars] = Resources("router exemplars")


def _exemplars_now() -> _Exemplars:
    return _exemplars.get(get_settings().embeddings, _Exemplars)


_compiled: Resources[tuple[tuple[str, float, re.Pattern[str]], ...]] = Resources("router rules")


def _rules() -> tuple[tuple[str, float, re.Pattern[str]], ...]:
    """The rules, compiled once (``decide`` runs on every request)."""
    return _compiled.get("router/rules", _compile)


def _compile() -> tuple[tuple[str, float, re.Pattern[str]], ...]:
    return tuple(
        (r["strategy"], float(r["confidence"]), re.compile(r["pattern"], re.IGNORECASE))
        for r in prompts.data("router/rules")["rules"]
    )


def _instruction(text: str) -> str:
    """The request without its payload: what comes before the first colon, when that reads as an instruction."""
    head, sep, _ = text.partition(":")
    return head if sep and 2 <= len(head.split()) <= 15 else ""


def _group(label: str) -> str:
    return group_of(label)


def semantic_confidence(similarity: dict[str, float]) -> dict[str, float]:
    """Softmax over groups of the best similarity in each; a group's best label carries its probability."""
    groups: dict[str, tuple[str, float]] = {}
    for label, value in similarity.items():
        group = _group(label)
        if group not in groups or value > groups[group][1]:
            groups[group] = (label, value)
    top = max(v for _, v in groups.values())
    weights = {g: math.exp((v - top) / SOFTMAX_TEMPERATURE) for g, (_, v) in groups.items()}
    total = sum(weights.values())
    strength = min(1.0, max(0.0, top) / SIMILARITY_FULL)
    return {label: min(SEMANTIC_MAX, strength * weights[g] / total) for g, (label, _) in groups.items()}


def decide(
    text: str, kb_relevance: float | None = None, min_relevance: float = 1.0, collection: str = ""
) -> RouteDecision:
    """Route ``text`` (blocking: embeds it). ``kb_relevance``: best relevance in the default collection."""
    exemplars = _exemplars_now()
    similarity, nearest = exemplars.scores(text)
    instruction = _instruction(text)
    if instruction:
        head, head_nearest = exemplars.scores(instruction)
        for label, value in head.items():
            if value > similarity[label]:
                similarity[label], nearest[label] = value, head_nearest[label]
    scores = semantic_confidence(similarity)
    why = {label: f"nearest exemplar {nearest[label]!r} (similarity {similarity[label]:.2f})" for label in scores}
    fired = []
    for strategy, confidence, pattern in _rules():
        if pattern.search(text) and confidence > scores.get(strategy, 0.0):
            scores[strategy] = confidence
            why[strategy] = f"rule for {strategy} matched"
            fired.append(strategy)
    if kb_relevance is not None and kb_relevance >= min_relevance:
        kb_score = min(KB_MAX, KB_BASE + KB_SLOPE * (kb_relevance - min_relevance))
        if kb_score > scores.get("rag", 0.0):
            scores["rag"] = kb_score
            why["rag"] = f"knowledge base {collection!r} is relevant ({kb_relevance:.2f} >= {min_relevance:.2f})"
    best = max(scores, key=lambda label: scores[label])
    if scores[best] < MIN_CONFIDENCE:
        return RouteDecision(
            "direct",
            scores[best],
            f"low confidence (best {best} {scores[best]:.2f} < {MIN_CONFIDENCE}); plain chat",
            scores,
            fired,
            nearest.get(best, ""),
        )
    return RouteDecision(best, scores[best], why[best], scores, fired, nearest.get(best, ""))


def clear_cache() -> None:
    _exemplars.clear()
