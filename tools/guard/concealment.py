"""Requests to hide what is done (rules/concealment.yaml): the sign that lifts a half-read harmful request."""

from __future__ import annotations

from pathlib import Path

import regex
import yaml

from tools.resources import Resources

RULES_FILE = Path(__file__).parent / "rules" / "concealment.yaml"
_compiled: Resources[tuple[regex.Pattern, regex.Pattern]] = Resources("guard concealment patterns")


def _compile() -> tuple[regex.Pattern, regex.Pattern]:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return (
        regex.compile("|".join(f"(?:{p})" for p in data["patterns"]), regex.IGNORECASE),
        regex.compile("|".join(f"(?:{p})" for p in data["unless"]), regex.IGNORECASE),
    )


def asks_to_conceal(text: str) -> bool:
    """Whether ``text`` asks for something to go unnoticed, undetected or untraced (and is not a surprise)."""
    asks, harmless = _compiled.get(RULES_FILE, _compile)
    return bool(asks.search(text)) and not harmless.search(text)
