"""Days of the year a question asks about, and whether a page's date range covers them.

"What time does the safari park open in August" is answered by the row for "Summer: 1 June – 6 September", which
never says August, and not by the spring row beside it, which shares every other word. A fixed holiday is a
date too: Boxing Day is "26 December". Years are left to the period checks in :mod:`tools.kb.evidence`; here a
range is a stretch of the calendar, wrapping past New Year ("2 November – 13 February"). Written here because
the patterns are few: a date parser would read "may" and "march" as months everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTH_NAMES = "january february march april may june july august september october november december".split()
_SHORT = "jan feb mar apr may jun jul aug sep oct nov dec".split()
# a month's name and its short forms ("sept" too) -> its number
MONTHS = (
    {name: i for i, name in enumerate(MONTH_NAMES, start=1)}
    | {s: i for i, s in enumerate(_SHORT, start=1)}
    | {"sept": 9}
)
# holidays that fall on one date every year (Easter moves, so it is left to the words that name it)
FIXED_DAYS = {
    "christmas eve": (12, 24),
    "christmas day": (12, 25),
    "xmas day": (12, 25),
    "boxing day": (12, 26),
    "new year's eve": (12, 31),
    "new years eve": (12, 31),
    "hogmanay": (12, 31),
    "new year's day": (1, 1),
    "new years day": (1, 1),
}
_MONTH = r"(?P<{0}>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<{0}>[0-3]?\d)(?:st|nd|rd|th)?"
_DAY_MONTH = re.compile(rf"\b{_DAY.format('day')}\s+(?:of\s+)?{_MONTH.format('month')}\b", re.I)
_MONTH_DAY = re.compile(rf"\b{_MONTH.format('month')}\s+{_DAY.format('day')}\b", re.I)
# a month alone: "may" and "march" only where a month is meant ("in May", "early March"), not "may I"
_MONTH_ALONE = re.compile(
    rf"\b(?:(?P<lead>in|during|through|throughout|for|of|early|mid|late|end of|start of|this|next|last)\s+)?"
    rf"{_MONTH.format('month')}(?!\w)",
    re.I,
)
_YEAR = r"(?:\s+\d{{4}})?"
_POINT = r"(?:{day}\s+(?:of\s+)?)?{month}" + _YEAR
_SPAN = re.compile(
    r"\b(?:from\s+|between\s+)?"
    + _POINT.format(day=_DAY.format("d1"), month=_MONTH.format("m1"))
    + r"\s*(?:–|—|-|to|until|till)\s*(?:the end of\s+)?"  # "1 November to the end of February"
    + _POINT.format(day=_DAY.format("d2"), month=_MONTH.format("m2"))
    + r"\b",
    re.I,
)


@dataclass(frozen=True)
class Span:
    """Days of the year from ``start`` to ``end`` inclusive, as (month, day); wraps when end < start."""

    start: tuple[int, int]
    end: tuple[int, int]

    def overlaps(self, other: Span) -> bool:
        return any(self._holds(day) for day in (other.start, other.end)) or any(
            other._holds(day) for day in (self.start, self.end)
        )

    def _holds(self, day: tuple[int, int]) -> bool:
        if self.start <= self.end:
            return self.start <= day <= self.end
        return day >= self.start or day <= self.end


_ALSO_WORDS = frozenset("may mar march jan feb apr jun jul aug sep sept oct nov dec".split())
_HOLIDAY = re.compile("|".join(re.escape(name) for name in sorted(FIXED_DAYS, key=len, reverse=True)), re.I)


def holidays_dated(question: str) -> str:
    """``question`` with each fixed holiday's date beside it ("Boxing Day (26 December)"), as pages write it."""

    def dated(match: re.Match[str]) -> str:
        month, day = FIXED_DAYS[match.group(0).lower()]
        return f"{match.group(0)} ({day} {MONTH_NAMES[month - 1].title()})"

    return _HOLIDAY.sub(dated, question)


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def asked(question: str) -> list[Span]:
    """The days and months ``question`` names: "in August", "on 26 December", "on Boxing Day"."""
    found: list[Span] = []
    lowered = question.lower()
    for name, fixed in FIXED_DAYS.items():
        if name in lowered:
            found.append(Span(fixed, fixed))
    taken: list[tuple[int, int]] = []
    for pattern in (_DAY_MONTH, _MONTH_DAY):
        for match in pattern.finditer(question):
            date = (_month(match.group("month")), int(match.group("day")))
            if 1 <= date[1] <= 31:
                found.append(Span(date, date))
                taken.append(match.span())
    for match in _MONTH_ALONE.finditer(question):
        if any(start <= match.start("month") < end for start, end in taken):
            continue
        name = match.group("month").lower().rstrip(".")
        if name in _ALSO_WORDS and not match.group("lead"):
            continue  # "may I bring", "march", "jan" (a name): only with a word that makes it a month
        month = MONTHS[name]
        found.append(Span((month, 1), (month, 31)))
    return found


def spans(text: str) -> list[Span]:
    """The date ranges ``text`` gives: "14 February – 31 May", "April to October", "1 June - 6 September 2026"."""
    out = []
    for match in _SPAN.finditer(text):
        first, last = _month(match.group("m1")), _month(match.group("m2"))
        d1 = int(match.group("d1")) if match.group("d1") else 1
        d2 = int(match.group("d2")) if match.group("d2") else 31
        out.append(Span((first, d1), (last, d2)))
    return out


def starts_with_span(text: str) -> bool:
    """Whether ``text`` opens with a date range ("28 March to 12 April ..."), as a period's definition does."""
    return bool(_SPAN.match(text.lstrip(" (:–—-")))


def names(text: str, days: list[Span]) -> bool:
    """Whether ``text`` names every asked day as a date or month of its own ("26 December")."""
    given = asked(text)
    return bool(days) and all(any(span.overlaps(day) for span in given) for day in days)


def covers(text: str, days: list[Span]) -> bool | None:
    """Whether a range in ``text`` covers every asked day; None when ``text`` gives no range."""
    given = spans(text)
    if not given or not days:
        return None
    return all(any(span.overlaps(day) for span in given) for day in days)
