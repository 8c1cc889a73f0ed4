"""Read answers and scores back out of free text, for models that do not follow formats reliably.

Order of trust: a stated "Answer: X" line, then "the answer is X", then "#### X", then the last
number in the text. Numbers are normalised ("1,200.0" -> "1200") so votes count alike answers together.
"""

from __future__ import annotations

import re

_STATED = [
    re.compile(r"(?im)^\s*\**\s*(?:final\s+)?answer\s*\**\s*[:=]\s*\**\s*(.+?)\s*\**\s*$"),
    re.compile(r"(?i)\bthe (?:final )?answer is[:\s]+([^\n]+?)(?:[.!]\s|[.!]?$)"),
    re.compile(r"(?m)^\s*####\s*(.+?)\s*$"),
]
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def normalise(answer: str) -> str:
    """Canonical form for voting and comparing: numbers without separators or trailing zeros."""
    text = answer.strip().strip(".").strip()
    numbers: list[str] = _NUMBER.findall(text)  # no groups: the matched strings
    if numbers and len(numbers) == 1 and len(text) <= len(numbers[0]) + 12:
        value = numbers[0].replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        return value
    return " ".join(text.lower().split())


def extract_answer(text: str) -> str | None:
    """The final answer stated in ``text``, normalised; None when there is nothing to take."""
    for pattern in _STATED:
        matches = pattern.findall(text)
        if matches:
            return normalise(matches[-1])
    numbers = _NUMBER.findall(text)
    if numbers:
        return normalise(numbers[-1])
    return None


def extract_score(text: str, low: float = 1.0, high: float = 10.0) -> float | None:
    """The first number in range in a value-prompt reply, scaled to 0-1; words as a fallback."""
    for raw in _NUMBER.findall(text):
        value = float(raw.replace(",", ""))
        if low <= value <= high:
            return (value - low) / (high - low)
    lowered = text.lower()
    for word, score in (("impossible", 0.0), ("sure", 1.0), ("likely", 0.6), ("unlikely", 0.2)):
        if word in lowered:
            return score
    return None
