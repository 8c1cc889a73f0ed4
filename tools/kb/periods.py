"""Stretches of the year a page names once and then uses by name ("Peak 2026", "Winter season").

A price page defines "**Peak 2026:** 28 March to 12 April 2026 and 23 May to 13 September 2026 (the summer
holidays)" once, and its tables say only "Fell Centre: Peak 2026" or "Summer weekday". A row read alone then
does not say that it holds 18 August or the summer. So each chunk carries the definitions of the periods it
names (chunk metadata ``periods``, written at ingest), and the evidence checks read a date or a season asked for
in them as well as in the chunk. Our own reader: the forms are few (a label and a colon, a table row, "X is ..."),
and a date range must follow (:func:`tools.kb.dates.spans`), so a label that is no stretch of the year is never one.
"""

from __future__ import annotations

import re

from tools.kb import dates, tables

# Words that say a label is a period, not which one: "Summer season" is named "Summer" in a table's header
GENERIC = frozenset("season seasons period periods dates rates prices fees times hours opening".split())
# Words that name a stretch of the year: "Peak 2026", "Low", "Winter", "Summer holidays"
SEASON_WORDS = frozenset(
    "summer winter spring autumn peak off-peak high low mid shoulder holiday holidays term half-term easter "
    "christmas".split()
)
_YEAR = re.compile(r"(?:19|20)\d\d(?:/\d\d)?")
MAX_LABEL_WORDS = 4
MAX_DEFINITION = 300  # characters kept of one definition
_LABEL = r"[A-Za-z][\w'’-]*(?: [\w'’-]+){0,5}"
# "- **Peak 2026:** 28 March ...", "Summer season: 1 April ..." (an HTML page's list reads so once loaded)
_COLON = re.compile(rf"^\s*(?:[-*+]\s+|\d+\.\s+)?(?:\*\*|__)?(?P<label>{_LABEL})(?:\*\*|__)?\s*:\s*(?P<rest>.+)$", re.M)
# "Peak 2026 is 28 March to 12 April ..." at the start of a sentence
_IS = re.compile(
    r"(?:^|(?<=[.!?]\s))(?!(?:The|This|That|Our|Your|It|We|Each|Every)\b)(?P<label>[A-Z][\w'’-]*(?: [\w'’-]+){0,3}) "
    r"(?:is|are|runs|run)(?: from)? "
    r"(?P<rest>[^.!?\n]+)",
    re.M,
)
_MARKUP = re.compile(r"\*\*|__")
# where a definition goes on to define another period: "1 March to 31 October, and winter hours run from ..."
_ANOTHER = re.compile(
    r"[,;.]\s+(?:and\s+|while\s+|whereas\s+)?(?=(?:[\w'’-]+\s+){0,3}(?:" + "|".join(sorted(GENERIC)) + r")\b)",
    re.IGNORECASE,
)


def _label_of(raw: str) -> str:
    """The label's name ("Summer" of "Summer season"); empty unless it says it is a period of the year.

    A period is named by a season or a year, or called one: "Open: 1 April to 31 October" and "Paddleboarding
    runs from April to October" are when something happens, not a name a table uses for a stretch of the year.
    """
    said = _MARKUP.sub("", raw).split()
    lowered = {w.lower().strip("'’") for w in said}
    if not (lowered & (GENERIC | SEASON_WORDS) or any(_YEAR.fullmatch(w) for w in lowered)):
        return ""
    words = [w for w in said if w.lower() not in GENERIC]
    return " ".join(words) if 0 < len(words) <= MAX_LABEL_WORDS else ""


def definitions(text: str) -> dict[str, str]:
    """The periods ``text`` defines: label ("Peak 2026", "Winter" for "Winter season") -> its definition."""
    found: dict[str, str] = {}

    def add(raw_label: str, rest: str) -> None:
        label = _label_of(raw_label)
        rest = _ANOTHER.split(_MARKUP.sub("", rest).strip(), maxsplit=1)[0]
        if label and label not in found and dates.starts_with_span(rest):
            found[label] = f"{_MARKUP.sub('', raw_label).strip()}: {rest}"[:MAX_DEFINITION]

    for line in text.splitlines():
        if tables.is_row(line):  # a table row: "| Low | 6 January – 27 March 2025 and ... |"
            cells = tables.cells(line)
            if len(cells) > 1 and cells[0]:
                add(cells[0], "; ".join(c for c in cells[1:] if c))
    for match in _COLON.finditer(text):
        add(match.group("label"), match.group("rest"))
    for match in _IS.finditer(text):
        add(match.group("label"), match.group("rest"))
    return found


def named_in(text: str, defined: dict[str, str]) -> list[str]:
    """The definitions of the periods ``text`` names, longest label first ("Off-peak 2026" is not "Peak 2026").

    A one-word label must be written capitalised, as a name ("Summer weekday"; not "summer" in a sentence).
    """
    left = text
    out = []
    for label in sorted(defined, key=len, reverse=True):
        flags = re.IGNORECASE if " " in label or any(ch.isdigit() for ch in label) else 0
        pattern = re.compile(rf"(?<![\w-]){re.escape(label)}(?![\w-])", flags)
        if pattern.search(left):
            out.append(defined[label])
            left = pattern.sub(" ", left)
    return out
