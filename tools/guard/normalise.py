"""Undo the cheap disguises attackers put on text before the rules read it.

NFKC folds full-width and stylised letters to plain ones; zero-width and other format characters
are removed. The scanners read the normalised text; what is redacted is always the original.
"""

from __future__ import annotations

import unicodedata

_INVISIBLE = {"Cf"}  # format characters: zero-width space/joiners, bidi controls, soft hyphen


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if unicodedata.category(ch) not in _INVISIBLE)
