"""Requests to hide what is done (rules/concealment.yaml): the sign that lifts a half-read harmful request."""

from __future__ import annotations

from pathlib import Path

import regex
import yaml

from tools.resources import Resources

RULES_FILE = Path(__file__).parent / "rules" / "concealment.yaml"
_compiled: Resources[regex.Pattern] = Resources("guard concealment patterns")


def _compile() -> regex.Pattern:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return regex.compile("|".join(f"(?:{p})" for p in data["patterns"]), regex.IGNORECASE)


def asks_to_conceal(text: str) -> bool:
    """Whether ``text`` asks for something to go unnoticed, undetected or untraced."""
    return bool(_compiled.get(RULES_FILE, _compile).search(text))
