"""Requests to hide what is done (rules/concealment.yaml): the sign that lifts a half-read harmful request."""

from __future__ import annotations

from pathlib import Path

from tools.guard.signs import shows

RULES_FILE = Path(__file__).parent / "rules" / "concealment.yaml"


def asks_to_conceal(text: str) -> bool:
    """Whether ``text`` asks for something to go unnoticed, undetected or untraced (and is not a surprise)."""
    return shows(RULES_FILE, text)
