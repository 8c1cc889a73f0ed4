"""Signs read from a rules file of ``patterns`` and ``unless`` (rules/help_seeking.yaml, rules/concealment.yaml).

A text shows the sign when one of the patterns matches it and none of ``unless`` does.
"""

from __future__ import annotations

from pathlib import Path

import regex
import yaml

from tools.resources import Resources

_compiled: Resources[tuple[regex.Pattern, regex.Pattern]] = Resources("guard sign patterns")


def _compile(path: Path) -> tuple[regex.Pattern, regex.Pattern]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return (
        regex.compile("|".join(f"(?:{p})" for p in data["patterns"]), regex.IGNORECASE),
        regex.compile("|".join(f"(?:{p})" for p in data["unless"]), regex.IGNORECASE),
    )


def shows(path: Path, text: str) -> bool:
    """Whether ``text`` matches one of the file's patterns and none of its ``unless``."""
    patterns, unless = _compiled.get(path, lambda: _compile(path))
    return bool(patterns.search(text)) and not unless.search(text)
