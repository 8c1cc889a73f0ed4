"""System-prompt leakage: a canary marker in every system prompt, and long verbatim runs of it.

An answer that carries the canary, or ``min_words`` consecutive words of a system prompt, is
repeating its instructions. The canary comes from ``TAILOR_GUARD_CANARY``; by default it is derived
from the data folder, so it is stable for a deployment (answers stay reproducible) and differs
between deployments.
"""

from __future__ import annotations

import hashlib
import re

from tools.settings import get_settings

_WORD = re.compile(r"\w+", re.UNICODE)


def canary() -> str:
    settings = get_settings()
    if settings.guard_canary:
        return settings.guard_canary
    return "tailor-" + hashlib.sha256(str(settings.data_dir).encode()).hexdigest()[:12]


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def leaked(answer: str, system_texts: list[str], min_words: int = 12, marker: str | None = None) -> str | None:
    """``"canary"`` or ``"system_prompt"`` when ``answer`` repeats its instructions; None otherwise."""
    return Leakage(system_texts, min_words, marker or canary())(answer)


class Leakage:
    """The check with the system prompts' word runs computed once (it runs on every streamed word)."""

    def __init__(self, system_texts: list[str], min_words: int = 12, marker: str = "") -> None:
        self.marker, self.min_words = marker.lower(), min_words
        self.runs = set().union(*(_shingles(t, min_words) for t in system_texts)) if min_words > 0 else set()

    def __call__(self, answer: str) -> str | None:
        if self.marker and self.marker in answer.lower():
            return "canary"
        if self.runs and not self.runs.isdisjoint(_shingles(answer, self.min_words)):
            return "system_prompt"
        return None
