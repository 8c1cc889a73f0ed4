"""One verdict for one text under a policy: each input rail's score, allow/block, and the redacted text.

The input rails (declared in ``tools.guard.rails``) run in their declared order, cheapest first, and each
reports its own score under ``categories``; a rail whose action is ``block`` and whose score reaches its
threshold blocks. ``category`` says what a block is about, and ``refusal`` names the prompt it is worded with.
"""

from __future__ import annotations

from typing import Any

from tools.guard.builtin_rails import BUILTIN
from tools.guard.perplexity import Scorer
from tools.guard.pii import Vault
from tools.guard.policy import Policy
from tools.guard.rails import Layer, Rail, Reading, by_side

BLOCKED_PROMPT = "guard/blocked"


def _fires(rail: Rail, layer: Layer) -> bool:
    return layer.may_block and layer.score >= rail.threshold and rail.action == "block"


def scan_text(text: str, policy: Policy, vault: Vault | None = None, scorer: Scorer | None = None) -> dict[str, Any]:
    """The guard's result for ``text`` under ``policy``: verdict, category scores and redacted text.

    ``scorer`` is the language model the perplexity rail reads with (the agent passes its own); without one that
    rail is skipped and says so.
    """
    reading = Reading(text, scorer=scorer, vault=vault)
    layers: dict[str, Layer] = {}
    blocked_by: list[str] = []
    redacted = text
    refusal = ""
    for spec in by_side("input"):
        rail = policy.rail(spec.name)
        if not rail.enabled or spec.scan is None:
            continue
        layer = spec.scan(reading, rail)
        if layer is None:
            continue
        layers[spec.name] = layer
        if layer.redacted is not None:
            redacted = layer.redacted
        if _fires(rail, layer):
            blocked_by.append(spec.name)
            refusal = refusal or spec.refusal  # the first blocking rail with wording of its own
    categories = {name: {"score": layer.score, **layer.details} for name, layer in layers.items()}
    result: dict[str, Any] = {
        "verdict": "block" if blocked_by else "allow",
        "categories": categories,
        "redacted": redacted,
    }
    if blocked_by:
        result["blocked_by"] = blocked_by
        result["category"] = block_category(layers, blocked_by)
        result["refusal"] = refusal or BLOCKED_PROMPT
    return result


def block_category(layers: dict[str, Layer], blocked_by: list[str]) -> str:
    """What a block is about.

    The attack rules' top category unless similarity is surer; an adversarial suffix when perplexity blocked what
    no rule named; a content-safety category from the learned rail (its refusal names the harm); a rail declared
    beyond the built-in ones names its own category.
    """
    injection = layers.get("injection")
    by_category: dict[str, float] = injection.details["by_category"] if injection else {}
    top = max(by_category, key=lambda k: by_category[k]) if by_category else ""
    similarity = layers.get("similarity")
    if similarity is not None and (not top or by_category[top] < similarity.score):
        top = similarity.category or top
    if "perplexity" in blocked_by and top not in by_category:
        top = "adversarial_suffix"
    learned = layers.get("learned")
    if learned is not None and "learned" in blocked_by and (learned.category != "injection" or len(blocked_by) == 1):
        top = learned.category
    own = [name for name in blocked_by if name not in BUILTIN]
    if own and (len(own) == len(blocked_by) or not top):
        top = layers[own[0]].category or own[0]
    return top
