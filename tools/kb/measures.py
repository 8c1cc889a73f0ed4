"""Measures in a question ("190 cm", "a 10-minute charge", "about 2 hours late") and whether a text covers them.

A measure is not a name: "I'm 190 cm tall" is answered by the row "XL — rider height 187–198 cm", which never
writes 190, and a sentence's "200 kg" is not the "Model 200". But it is a condition: "a 10-minute charge" is not
answered by how long a full charge takes. So a sentence answers a question with measures only when it states
one of them, or a range of the same unit that holds it ("187–198 cm", "up to 10 m", "over 2 hours").
Written here because no maintained parser reads ranges like these out of prose and tables (quantulum-style
parsers read single quantities).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Each unit as written, and the one it is compared as.
_UNIT_FORMS = {
    "mm": ("mm",),
    "cm": ("cm",),
    "m": ("m", "metre", "metres", "meter", "meters"),
    "km": ("km", "kilometre", "kilometres", "kilometer", "kilometers"),
    "kg": ("kg", "kilo", "kilos", "kilogram", "kilograms"),
    "g": ("gram", "grams"),  # not "g": "5G" is a network
    "lb": ("lb", "lbs", "pound", "pounds"),
    "ft": ("ft", "feet", "foot"),
    "inch": ("inch", "inches"),
    "mile": ("mi", "mile", "miles"),
    "mph": ("mph",),
    "knot": ("kn", "knot", "knots"),
    "kw": ("kw",),
    "kwh": ("kwh",),
    "mbps": ("mbps", "mb/s"),  # a connection's speed
    "gbps": ("gbps", "gb/s"),
    "wh": ("wh",),
    "mah": ("mah",),
    "w": ("w", "watt", "watts"),
    "v": ("v", "volt", "volts"),
    "hour": ("h", "hr", "hrs", "hour", "hours"),
    "minute": ("min", "mins", "minute", "minutes"),
    "second": ("sec", "secs", "second", "seconds"),  # not "s": "the 500s" are models
    "day": ("day", "days"),
    "night": ("night", "nights"),
    "week": ("week", "weeks", "wk", "wks"),
    "month": ("month", "months", "mth", "mths"),
    "year": ("year", "years", "yr", "yrs"),
    "litre": ("l", "litre", "litres", "liter", "liters"),
    "ml": ("ml",),
    "cc": ("cc",),  # an engine's size: "1,401cc – 2,000cc" holds a "1.8 petrol"
    "percent": ("%", "percent"),
    "degree": ("°", "°c", "degree", "degrees"),
}
_CANONICAL = {form: unit for unit, forms in _UNIT_FORMS.items() for form in forms}
# Units of one kind in the first's terms: "2 hours" is held by "more than 90 minutes".
_SCALE = {
    "mm": ("m", 0.001),
    "cm": ("m", 0.01),
    "km": ("m", 1000.0),
    "gbps": ("mbps", 1000.0),
    "ft": ("m", 0.3048),
    "inch": ("m", 0.0254),
    "mile": ("m", 1609.344),
    "g": ("kg", 0.001),
    "lb": ("kg", 0.4536),
    "minute": ("second", 60.0),
    "hour": ("second", 3600.0),
    "night": ("day", 1.0),  # "5 nights" away is a stay in the "4-7 days" band
    "week": ("day", 7.0),
    "month": ("day", 30.0),
    "year": ("day", 365.0),
    "ml": ("litre", 0.001),
    "cc": ("litre", 0.001),
}
_UNIT = "|".join(sorted((re.escape(f) for f in _CANONICAL), key=len, reverse=True))
_THOUSANDS = r"\d{1,3}(?:,\d{3})+"
_NUMBER = rf"{_THOUSANDS}(?!\d)|\d+(?:[.,]\d+)?"  # "1,500 kg" is thousands; "2,5 kg" a decimal comma
# A word between a number and its unit that says which days or hours count: "5 working days", "3 clear days".
_KIND = r"(?:(?:working|business|clear|full|calendar|school|opening)\s)?"
# "190 cm", "10-minute", "25%", "55 degree" ("6ft3" is only a measure's start, for entities: _FEET_INCHES)
MEASURE = re.compile(rf"(?<![\w.])({_NUMBER})\s?-?\s?{_KIND}({_UNIT})(?![\w])", re.IGNORECASE)
_RANGE = re.compile(
    rf"(?<![\w.])({_NUMBER})\s?(?:{_UNIT})?\s?(?:–|-|—|to)\s?({_NUMBER})\s?-?\s?{_KIND}({_UNIT})(?![\w])",
    re.IGNORECASE,
)
# A table cell under a column named by its unit: "Hours: 10", "Length (m): 10.4" (tools.kb.tables writes a row so).
_COLUMN = re.compile(rf"\b(?:({_UNIT})|[a-z]+ \(({_UNIT})\)): ({_NUMBER})(?![\w])", re.IGNORECASE)
# An engine's size in litres, written without the unit before its fuel or type: "my 1.8 petrol", "a 2.0 TDI".
_ENGINE = re.compile(
    r"(?<![\w.])(\d\.\d)(?=\s?(?:petrol|diesel|tdi|tsi|tfsi|hdi|crdi|dci|ecoboost|turbo|hybrid)\b)", re.IGNORECASE
)
_FEET_INCHES = re.compile(r"(?<![\w.])\d\s?(?:ft|')\s?\d{1,2}\b", re.IGNORECASE)  # "6ft3", "5'10"
_UPPER = ("up to", "under", "less than", "fewer than", "below", "within", "at most", "max", "maximum")
_LOWER = ("over", "more than", "above", "at least", "min", "minimum")
_BOUND = re.compile(
    rf"\b({'|'.join(sorted(_UPPER + _LOWER, key=len, reverse=True))})\s+({_NUMBER})\s?-?\s?{_KIND}({_UNIT})(?![\w])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Measure:
    """A number and the unit it is compared in."""

    value: float
    unit: str


def _number(text: str) -> float:
    if re.fullmatch(_THOUSANDS, text):
        return float(text.replace(",", ""))
    return float(text.replace(",", "."))


def _unit(text: str) -> str:
    return _CANONICAL[text.lower()]


def _measure(number: str, unit: str) -> Measure:
    """A measure in its kind's base unit (metres, kilograms, seconds, days)."""
    base, factor = _SCALE.get(_unit(unit), (_unit(unit), 1.0))
    return Measure(round(_number(number) * factor, 6), base)


_AGE = re.compile(r"\s*-?\s*olds?\b", re.IGNORECASE)


def _written(text: str) -> Iterator[tuple[re.Match[str], Measure]]:
    """Each measure written in ``text`` with where it stands; not ages ("my 7 year old" is a child, not a time)."""
    for m in MEASURE.finditer(text):
        if not _AGE.match(text, m.end()):
            yield m, _measure(m.group(1), m.group(2))
    for m in _ENGINE.finditer(text):
        yield m, _measure(m.group(1), "litre")
    for m in _COLUMN.finditer(text):
        if m.group(2) or len(m.group(1)) > 2:  # a column "Hours", not a size "L: 12"
            yield m, _measure(m.group(3), m.group(1) or m.group(2))


def found(text: str) -> list[Measure]:
    """The measures written in ``text``."""
    return [measure for _, measure in _written(text)]


# What comes before the asker's own distance, weight or time ("my house 7 miles from the store", "she weighs about
# 18kg", "the film is in about 3 hours"): a value to hold against a band or a rule, where "a 10-minute charge" or
# "the price for a 90 minute lesson" names the thing asked about ("for" and "with" lead both: left out).
_SITUATION = re.compile(
    r"\b(?:about|around|roughly|approx(?:imately)?|nearly|almost|weighs?|weighing|lives?|living|my|i['’]?m|i am|"
    r"we['’]?re|we are|(?:s)?he['’]?s|(?:i|we)['’](?:ll|d)|(?:i|we) (?:will|would)|away|staying|"
    # when the asker comes or goes: "we arrive in 3 days", "leaving in 2 weeks"
    r"arriv(?:e|es|ing)|leav(?:e|es|ing)|check(?:ing)? in|due)\b[^.?!,;]{0,12}$",
    re.IGNORECASE,
)
# A stay's length beside a price per night or day: "for 3 nights ..., how much a night?" asks the nightly rate.
_STAY = re.compile(r"\bfor\s+$", re.IGNORECASE)
_PER_UNIT = re.compile(r"\b(?:a|per|each) (?:night|day|week)\b|\bnightly\b", re.IGNORECASE)


def situational(text: str) -> list[Measure]:
    """The measures in ``text`` that state the asker's situation rather than name what is asked about."""
    per_unit = bool(_PER_UNIT.search(text))
    return [
        measure
        for m, measure in _written(text)
        if _SITUATION.search(before := text[max(0, m.start() - 30) : m.start()]) or (per_unit and _STAY.search(before))
    ]


def starts(text: str) -> set[int]:
    """Where a measure starts in ``text`` (those read as numbers, engine sizes, and heights in feet and inches)."""
    return {m.start() for pattern in (MEASURE, _ENGINE, _FEET_INCHES) for m in pattern.finditer(text)}


def covers(text: str, measure: Measure) -> bool:
    """Whether ``text`` states ``measure`` or a range or bound of its unit that holds it."""
    text = re.sub(r"[*_`]+", "", text)  # "more than **90 minutes**"
    if measure in found(text):
        return True
    for low, high, unit in _RANGE.findall(text):
        ends = sorted((_measure(low, unit), _measure(high, unit)), key=lambda m: m.value)
        if ends[0].unit == measure.unit and ends[0].value <= measure.value <= ends[1].value:
            return True
    for bound, number, unit in _BOUND.findall(text):
        limit = _measure(number, unit)
        # of the same kind and scale: "up to 30 hours" of playback says nothing of "a 10-minute charge"
        if limit.unit != measure.unit or not 0.2 <= measure.value / max(limit.value, 1e-9) <= 5:
            continue
        if (measure.value <= limit.value) if bound.lower() in _UPPER else (measure.value >= limit.value):
            return True
    return False
