"""One verdict for one text under a policy: each layer's score, allow/block, and the redacted text.

Layers run cheapest first and each reports its own score under ``categories``; a layer whose
action is ``block`` and whose score reaches its threshold blocks. The model-backed layers
(similarity, learned, classifier) are loaded on first use; the perplexity layer reads with the model it is given.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tools.guard.input_rules import score as rule_scores
from tools.guard.normalise import normalise
from tools.guard.perplexity import Scorer
from tools.guard.pii import Vault, redact
from tools.guard.policy import Policy, Rail


def _fires(rail: Rail, score: float) -> bool:
    return score >= rail.threshold and rail.action == "block"


def scan_text(text: str, policy: Policy, vault: Vault | None = None, scorer: Scorer | None = None) -> dict[str, Any]:
    """``scorer`` is the language model the perplexity layer reads with (the agent passes its own);
    without one that layer is skipped and says so."""
    categories: dict[str, Any] = {}
    blocked_by: list[str] = []
    if policy.injection.enabled:
        scores = rule_scores(text)
        categories["injection"] = {"score": max(scores.values()), "by_category": scores}
        if _fires(policy.injection, categories["injection"]["score"]):
            blocked_by.append("injection")
    readable = normalise(text) if (policy.similarity.enabled or policy.perplexity.enabled or policy.learned.enabled) else text
    reading = None  # the pieces and static vectors the similarity and learned layers share
    if policy.learned.enabled or (policy.similarity.enabled and policy.similarity.option("encoder") == "static"):
        from tools.guard import learned

        reading = learned.read(readable)  # StaticModelMissing says how to build the model
    if policy.similarity.enabled:
        from tools.guard.similarity import closeness

        margin = float(policy.similarity.option("margin", 0.0))
        near = closeness(readable, margin, str(policy.similarity.option("encoder", "embeddings")), reading)
        categories["similarity"] = {"score": near.score, "margin": near.margin, "nearest": near.technique}
        if near.margin >= margin and _fires(policy.similarity, near.score):
            blocked_by.append("similarity")
    if policy.perplexity.enabled:
        from tools.guard import perplexity

        rail = policy.perplexity
        found = perplexity.surprise(readable, scorer, int(rail.option("window", perplexity.DEFAULT_WINDOW)),
                                    float(rail.option("low", perplexity.DEFAULT_LOW)), float(rail.option("high", perplexity.DEFAULT_HIGH)))
        if found is None:
            categories["perplexity"] = {"score": 0.0, "skipped": "no local model"}
        else:
            categories["perplexity"] = {"score": found.score, "nll": found.nll, "window": found.window}
            if _fires(rail, found.score):
                blocked_by.append("perplexity")
    if policy.learned.enabled:
        verdict = learned.assess(readable, reading=reading)  # HeadMissing says how to train it
        categories["learned"] = {"score": verdict.score, "category": verdict.category}
        if _fires(policy.learned, verdict.score):
            blocked_by.append("learned")
    if policy.classifier.enabled:
        from tools.guard.classifier import attack_probability

        rail = policy.classifier
        probability, labels = attack_probability(text, str(rail.option("model")), tuple(rail.option("labels", ())))
        categories["classifier"] = {"score": probability, "labels": {k: round(v, 4) for k, v in labels.items()}}
        if _fires(rail, probability):
            blocked_by.append("classifier")
    redacted = text
    if policy.personal_data.enabled:
        masked, vault, found_items = redact(text, vault, policy.personal_data.kinds)
        categories["personal_data"] = {"score": 1.0 if found_items else 0.0,
                                       "kinds": dict(Counter(f.kind for f in found_items))}
        if found_items and policy.personal_data.action == "redact":
            redacted = masked
        elif found_items and policy.personal_data.action == "block":
            blocked_by.append("personal_data")
    result: dict[str, Any] = {"verdict": "block" if blocked_by else "allow", "categories": categories, "redacted": redacted}
    if blocked_by:
        result["blocked_by"] = blocked_by
    return result
