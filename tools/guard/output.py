"""Output rails that need no model: personal data the user did not give, and profanity.

Personal data in an answer is kept when the same value appears in what the user wrote or in the
chunks the answer was built from; anything else is replaced by a typed placeholder (a model must
not make up or leak someone's e-mail, card or key). Profanity from ``rules/profanity.yaml`` is
masked, keeping the first letter.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tools.guard.pii import Vault, find
from tools.resources import Resources

PROFANITY_FILE = Path(__file__).parent / "rules" / "profanity.yaml"


_patterns: Resources[re.Pattern[str]] = Resources("guard profanity")


def _profanity() -> re.Pattern[str]:
    return _patterns.get(PROFANITY_FILE, _compile)


def _compile() -> re.Pattern[str]:
    words = yaml.safe_load(PROFANITY_FILE.read_text(encoding="utf-8"))["words"]
    return re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b", re.IGNORECASE
    )


def preload() -> None:
    _profanity()


def foreign_personal_data(answer: str, given: list[str]) -> tuple[str, list[str]]:
    """(answer with personal data nobody gave replaced, the kinds replaced)."""
    findings = [f for f in find(answer) if not any(f.text in text for text in given)]
    if not findings:
        return answer, []
    vault, parts, cursor = Vault(), [], 0
    for f in findings:
        parts += [answer[cursor : f.start], vault.placeholder(f.kind, f.text)]
        cursor = f.end
    parts.append(answer[cursor:])
    return "".join(parts), sorted({f.kind for f in findings})


def mask_profanity(answer: str) -> tuple[str, int]:
    """(answer with profanity masked, how many words were masked)."""
    count = 0

    def mask(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        word = match.group(0)
        return word[0] + "*" * (len(word) - 1)

    masked = _profanity().sub(mask, answer)
    return (masked, count) if count else (answer, 0)
