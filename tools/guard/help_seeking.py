"""Requests for help against harm (report, protect, verify, get support), which the learned layer reads as harm.

Patterns in rules/help_seeking.yaml, with the signs of a harmful request that override them.
"""

from __future__ import annotations

from pathlib import Path

from tools.guard.signs import shows

RULES_FILE = Path(__file__).parent / "rules" / "help_seeking.yaml"


def seeks_help(text: str) -> bool:
    """Whether ``text`` asks for help against a harm and shows no sign of asking for the harm itself."""
    return shows(RULES_FILE, text)
