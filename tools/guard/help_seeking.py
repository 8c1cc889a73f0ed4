"""Requests for help against harm (report, protect, verify, get support), which the learned layer reads as harm.

Patterns in rules/help_seeking.yaml, with the signs of a harmful request that override them.
"""

from __future__ import annotations

from pathlib import Path

import regex
import yaml

from tools.resources import Resources

RULES_FILE = Path(__file__).parent / "rules" / "help_seeking.yaml"
_compiled: Resources[tuple[regex.Pattern, regex.Pattern]] = Resources("guard help-seeking patterns")


def _compile() -> tuple[regex.Pattern, regex.Pattern]:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return (
        regex.compile("|".join(f"(?:{p})" for p in data["patterns"]), regex.IGNORECASE),
        regex.compile("|".join(f"(?:{p})" for p in data["unless"]), regex.IGNORECASE),
    )


def seeks_help(text: str) -> bool:
    """Whether ``text`` asks for help against a harm and shows no sign of asking for the harm itself."""
    asks, harmful = _compiled.get(RULES_FILE, _compile)
    return bool(asks.search(text)) and not harmful.search(text)
