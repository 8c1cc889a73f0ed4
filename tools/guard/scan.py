"""One verdict for one text under a policy: the layers' scores, allow/block, and the redacted text."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tools.guard.input_rules import score as rule_scores
from tools.guard.pii import Vault, redact
from tools.guard.policy import Policy


def scan_text(text: str, policy: Policy, vault: Vault | None = None) -> dict[str, Any]:
    categories: dict[str, Any] = {}
    verdict = "allow"
    if policy.injection.enabled:
        scores = rule_scores(text)
        categories["injection"] = {"score": max(scores.values()), "by_category": scores}
        if categories["injection"]["score"] >= policy.injection.threshold and policy.injection.action == "block":
            verdict = "block"
    if policy.similarity.enabled:
        from tools.guard.normalise import normalise
        from tools.guard.similarity import nearest_attack  # loads the embedding model on first use

        similarity, entry = nearest_attack(normalise(text))
        categories["similarity"] = {"score": round(similarity, 4), "nearest": entry["technique"]}
        if similarity >= policy.similarity.threshold and policy.similarity.action == "block":
            verdict = "block"
    redacted = text
    if policy.personal_data.enabled:
        masked, vault, found = redact(text, vault, policy.personal_data.kinds)
        categories["personal_data"] = {"score": 1.0 if found else 0.0, "kinds": dict(Counter(f.kind for f in found))}
        if found and policy.personal_data.action == "redact":
            redacted = masked
        elif found and policy.personal_data.action == "block":
            verdict = "block"
    return {"verdict": verdict, "categories": categories, "redacted": redacted}
