"""The input rail's rule layer: category scores for a request, read through every disguise."""

from __future__ import annotations

from pathlib import Path

import regex
import yaml

from tools.guard import injection
from tools.guard.normalise import variants
from tools.resources import Resources

RULES_FILE = Path(__file__).parent / "rules" / "input.yaml"
# Attack kinds, then content-safety kinds with their own refusal wording (prompts/guard/blocked.yaml).
CATEGORIES = (
    "override",
    "roleplay",
    "prompt_leak",
    "context_dump",
    "template",
    "harmful",
    "weapons",
    "cyber",
    "violent_crime",
    "fraud",
    "harassment",
    "self_harm",
    "child_sexual",
    "drugs",
)


_compiled: Resources[tuple[tuple[str, float, regex.Pattern], ...]] = Resources("guard input rules")


def _rules() -> tuple[tuple[str, float, regex.Pattern], ...]:
    return _compiled.get(RULES_FILE, _compile)


def _compile() -> tuple[tuple[str, float, regex.Pattern], ...]:
    # The regex module, not re: the same patterns and matches, but case-insensitive search is twice as
    # fast (a 2,000-character request's four readings: 29 ms instead of 56).
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return tuple(
        (r["category"], float(r["weight"]), regex.compile(r["pattern"], regex.IGNORECASE)) for r in data["rules"]
    )


def preload() -> None:
    _rules()


def score(text: str) -> dict[str, float]:
    """{category: score} over all readings of ``text``; planted-instruction rules count as "override"."""
    scores = dict.fromkeys(CATEGORIES, 0.0)
    for reading in variants(text):
        for category, weight, pattern in _rules():
            if weight > scores[category] and pattern.search(reading):
                scores[category] = weight
        planted = injection.scan(reading).score
        scores["override"] = max(scores["override"], planted)
    return scores
