"""The prompting strategies the router may pick, and which of them this build can run."""

from __future__ import annotations

AUTO = "auto"
# Each strategy maps to the node that answers with it.
STRATEGY_NODES: dict[str, str] = {
    "direct": "generate",
    "few_shot": "few_shot",
    "cot": "cot",
    "self_consistency": "self_consistency",
    "tot": "tot",
    "rag": "retrieve",  # retrieve, then the `rag` node answers (or `generate`, when nothing relevant is found)
}
REASONING = ("cot", "self_consistency", "tot")


def valid_strategies() -> list[str]:
    return [AUTO, *STRATEGY_NODES]
