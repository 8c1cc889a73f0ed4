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
    configured = get_settings().guard_canary
    if configured:
        return configured
    return "tailor-" + hashlib.sha256(str(get_settings().data_dir).encode()).hexdigest()[:12]


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def leaked(answer: str, system_texts: list[str], min_words: int = 12, marker: str | None = None) -> str | None:
    """"canary" or "system_prompt" when ``answer`` repeats its instructions; None otherwise."""
    marker = marker or canary()
    if marker and marker.lower() in answer.lower():
        return "canary"
    if min_words > 0:
        said = _shingles(answer, min_words)
        if said and any(said & _shingles(text, min_words) for text in system_texts):
            return "system_prompt"
    return None
