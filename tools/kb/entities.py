"""The things a question is about (product names, model numbers, versions, acronyms) and whether a text names them.

A question about the "Nest 2" is not answered by a sentence about the "Nest 2 Pro", although the two
share every word the question has. So names are read as phrases: runs of capitalised words, words
with digits and acronyms ("Corvid Nest 2 Pro", "4.2.1", "UK"), and compared as phrases:

- EXACT: the same words;
- SHORTER: the text leaves out or adds leading words ("Nest 2" or "Corvid Nest 2" for "Corvid Nest 2"
  or "Nest 2"), or adds a description after it ("StoreCell 10 Home Battery"): the same thing;
- UNNAMED: the text names nothing related, or only the family ("Arc" for "Arc 400"): it neither
  confirms nor contradicts;
- LONGER: the text's name adds one word or a number ("Nest 2 Pro" for "Nest 2"): usually a twin;
- CONFLICT: the names share words but differ ("Arc 300" for "Arc 400", "Nest 2" for "Nest 2 Max").

Named-entity models (spaCy, GLiNER) would need weights this project does not ship and are trained
on people and places, not model numbers, so this reader is our own and purely lexical.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tools.kb import dates, measures

_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9+]|[.\-/](?=[A-Za-z0-9]))*")
_SENTENCE_START = re.compile(r"(^|[.!?:;]\s+|\n\s*|[#>*\-|]\s*|—\s*)$")
# Capitalised only because they start a question or sentence: never a name on their own.
COMMON = frozenset(
    "a about after all also am an and any are as at be because been before being between both but by can could did "
    "do does during each either for from had has have he her here hi hello hey his how however i if in into is it "
    "its just me might more most my no nor not now of off on once only or other our out over please she should so "
    "some such tell than thanks thank that the their them then there these they this those through to too under "
    "until up us very was we were what when where whether which while who whom whose why will with would yes yet "
    "you your".split()
    # a changelog's "Version 5.1.0" is the 5.1.0 of "KestrelReads 5.1.0", not a twin of it
    + ["version", "release"]
)
EXACT, SHORTER, UNNAMED, LONGER, CONFLICT = 5, 4, 3, 2, 1


@dataclass(frozen=True)
class Name:
    """A name found in a text: as written, and as its lowercased words."""

    text: str  # as written
    words: tuple[str, ...]  # lowercased, in order

    @property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.words)


_DIGIT = re.compile(r"\d")
_AMOUNT_OR_AGE = re.compile(
    r"(?:[£$€]\s?|\b(?:i['’]?m|i am|is|aged?|at|about|around|roughly|approx(?:imately)?"
    r"|(?:he|she)['’]?s|turn(?:s|ed|ing)"  # an age: "he's 8", "turning 7"
    # how many the asker has or wants: "bought 2 tickets", "I have 2 cats", "booked 2 seats", "need 2 armchairs taken"
    r"|(?:bought|buy(?:ing)?|book(?:ed|ing)?|ha(?:ve|s|d)|got|order(?:ed|ing)?|bring(?:ing)?|brought"
    r"|need(?:s|ed)?|want(?:s|ed)?)"
    r")\s+|\()"
    r"(?P<number>\d{1,3}(?:,\d{3})*(?:\.\d{2})?)(?![\w.,]\d)"
    # "there are 7 of us", "2 adults and 3 kids": how many people the asker brings, and an age bound ("65+")
    r"|(?<![\w.])(?P<number2>\d{1,3})(?=\s?-?\s?(?:years?|yrs?|yo)\b| of us\b"
    r"|\s(?:adults?|kids?|children|child|people|persons?|guests?|teens?|teenagers?|toddlers?|babies|infants?)\b)"
    r"|(?<![\w.])(?P<bound>\d{1,2}\+)(?!\w)",
    re.I,
)


# Ages said of people: "our two kids who are 9 and 14", "my dad's 70".
_AGES = re.compile(
    r"\b(?:(?:who|they)(?:['’]re| are)|aged|(?:dad|mum|mom|father|mother|son|daughter|wife|husband|partner|gran|"
    r"grandad|grandma|grandpa|nan|brother|sister|friend)['’]s)\s+\d{1,2}(?:\s*(?:,|and|&)\s*\d{1,2})*(?!\w|\.\d)"
    # "3 kids (5, 8 and 11)": the ages of the people just counted
    r"|\b(?:kids|children|boys|girls|grandchildren|teens|teenagers|sons|daughters)\s*\(\s*(?:aged?\s+)?"
    r"\d{1,2}(?:\s*(?:,|and|&)\s*\d{1,2})+\s*\)",
    re.I,
)

# An age group is an age: "the under-12s", "over 60s".
_AGE_GROUP = re.compile(r"\b(?:under|over)[- ]?(\d{1,2}s?)\b", re.I)


# A time of day or a date is when something happens, not a thing a page names: "at 5.30pm", "at 2am", "in April
# 2025" ask for the tariff or the line then. A year alone still is a name ("in 2021").
_CLOCK_TIME = re.compile(
    r"\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)|\d{1,2}:\d{2}"
    r"|\d{1,2}\.\d{2}(?=\s+(?:in the (?:morning|afternoon|evening)|at night|tonight)\b)",  # "2.30 in the morning"
    re.I,
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_DATED_YEAR = re.compile(rf"\b(?:{'|'.join(dates.MONTH_NAMES)})\s+({_YEAR.pattern})\b", re.I)  # "April 2025"
_VERSION = re.compile(r"v(\d+(?:\.\d+)+)")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)(?:-\d+(?:st|nd|rd|th))?", re.IGNORECASE)
_SEASON = re.compile(r"(?:19|20)\d\d[/-](?:\d\d|(?:19|20)\d\d)")  # "2025/26", "2024-2025"
# What kind of place a site is: "Wrenmouth Reach Marina" is the "Wrenmouth Reach", where "Nest 2 Pro" is a twin
# of the "Nest 2". Only kinds of premises, which no product variant ends in.
PLACE_KINDS = frozenset(
    "marina branch centre center clinic office offices store shop site depot library school surgery practice "
    "studio hotel gym campus showroom garage".split()
)


def _fold(word: str) -> str:
    word = word.lower()
    version = _VERSION.fullmatch(word)
    if version:
        return version.group(1)  # "v3.1.1" is the "3.1.1" of a changelog's heading
    return word[:-1] if word.endswith("s") and word[:-1].isdigit() else word  # "the 500s"


def _is_name_word(word: str) -> bool:
    if _ORDINAL.fullmatch(word):
        return False  # a day of the month: "Brackenmouth 5th-8th May" is a place and dates
    if _DIGIT.search(word):
        return True
    if word.lower() in COMMON:
        return False
    return word[0].isupper() or word[1:] != word[1:].lower()  # "Nest", "CEO", "iPhone", "eSIM"


def names(text: str) -> list[Name]:
    """The names in ``text`` in order, each a maximal run of adjacent name words."""
    found: list[Name] = []
    run: list[str] = []
    first_in_sentence = False
    last_end = -1
    # A number with a unit is a measure (tools.kb.measures), not a name: a text's "200 kg" is not the "Model 200".
    measure_starts = measures.starts(text)

    def close() -> None:
        # One capitalised word that starts a sentence ("Battery life is ...") is only grammar.
        word = run[0].replace("-", "") if run else ""  # "Summer-only berth at ..." starts a sentence too
        if run and not (len(run) == 1 and first_in_sentence and word.isalpha() and word[1:].islower()):
            found.append(Name(" ".join(run), tuple(_fold(w) for w in run)))
        run.clear()

    for match in _TOKEN.finditer(text):
        word, start = match.group(), match.start()
        if start in measure_starts and not (run and not text[last_end:start].strip(" ")):
            close()  # a measure, unless it follows a name word ("Arc 400 kW" is still the "Arc 400")
        elif _SEASON.fullmatch(word):
            close()  # a season is a name of its own: "Reach Marina 2025/26" is the marina in that season
            run.append(word)
            close()
        elif _is_name_word(word):
            if run and text[last_end:start].strip(" "):
                close()  # names are adjacent words; punctuation or a line break ends one
            if not run:
                first_in_sentence = start == 0 or bool(_SENTENCE_START.search(text[max(0, start - 3) : start]))
            run.append(word)
        else:
            close()
        last_end = match.end()
    close()
    return found


def specific(name: Name) -> bool:
    """A name that singles one thing out: a word with a number ("Nest 2", "4.2.1", "10-minute") or several words.

    "Nest Mini" is several words; one word ("Corvid", "Denmark", "CEO") is a word like others to look for, not a
    name to insist on.
    """
    if len(name.words) == 1:
        return bool(_DIGIT.search(name.text))
    return True


def named_in(question: str, known: Iterable[Name]) -> list[Name]:
    """The question's names, with known names it writes in lower case ("arc 500") added.

    A number alone that reads as an age, an amount or a time is no name: "I'm 63", "(35)", "my order comes to
    £90", "I finish at 6", "at 17:30" say nothing a page names, nor does a date ("April 2025").
    One that counts a thing ("10 sessions", "a 200 sq ft unit"), a year ("in 2021") and a version ("2.3.1")
    still are.
    """
    said_as_amounts = {
        m.group("number") or m.group("number2") or m.group("bound") for m in _AMOUNT_OR_AGE.finditer(question)
    }
    clock = [m.group() for m in _CLOCK_TIME.finditer(question)]
    said_as_amounts |= {*clock, *(part for time in clock for part in re.findall(r"\d+", time))}
    said_as_amounts |= {n for m in _AGES.finditer(question) for n in re.findall(r"\d+", m.group())}
    said_as_amounts |= {m.group(1) for m in _DATED_YEAR.finditer(question)}
    said_as_amounts |= {g for m in _AGE_GROUP.finditer(question) for g in m.group(0, 1)}
    # "Boxing Day" is a date (tools.kb.dates), which a page may write as "26 December"
    wanted = [n for n in names(question) if n.text not in said_as_amounts and n.text.lower() not in dates.FIXED_DAYS]
    words = [_fold(m.group()) for m in _TOKEN.finditer(question)]
    have = {w.words for w in wanted}
    # every ending of a known name ("Arc 500" of "Corvid Arc 500") that ends in a word of the question
    present = set(words)
    endings = {
        Name(" ".join(n.text.split()[i:]), n.words[i:])
        for n in known
        if len(n.words) > 1 and n.words[-1] in present and len(n.text.split()) == len(n.words)
        for i in range(len(n.words) - 1)
    }
    for name in sorted(endings, key=lambda n: (-len(n.words), n.text)):
        size = len(name.words)
        if size < 2 or name.words in have or not any(_DIGIT.search(w) for w in name.words):
            continue  # only a name with a number ("arc 500") is a name when written in lower case; "heat pump" is not
        if any(tuple(words[i : i + size]) == name.words for i in range(len(words) - size + 1)):
            if not any(set(name.words) <= set(h) for h in have):
                wanted = [w for w in wanted if not set(w.words) < set(name.words)] + [name]
                have = {w.words for w in wanted}
    kept = [kept for name in wanted if (kept := _without_when(name)) is not None]
    return [name for name in kept if not _owned(question, name) or any(_names(name, k) for k in known)]


# What the asker has or is on ("my 1.6 Focus", "I've got a regular self-charging Toyota Corolla", "buying a used
# Leaf", "I'm still on version 3.4.2", "my phone's still on Android 9"), what they call it ("a westerly called
# Puffin") and where they are or go ("we're in Taunton", "flying to Tenerife"). Such a name is context; a page
# need not say it unless it does.
_OWNED = re.compile(
    r"\b(?:my|our|i drive|i['’]?ve got|i have|we have|got|buying|bought|i['’]?m (?:still |stuck )?on"
    # "my phone's still on Android 9", "my iPad is stuck on iOS 15", "called Puffin"
    r"|my [\w-]+(?:['’]s| is) (?:still |stuck )?on|called|named"
    # where the asker is or comes from: "we're in Taunton", "coming down from Exeter after work"
    r"|we['’]re in|i['’]m in|(?:i|we) live in|based in|(?:coming|driving|travelling|sailing)(?: down| up| over)? from"
    # and where they travel: "flying to Tenerife", "off to Dublin", "our flight home from Crete"
    # ("back in 2022" is a time, not a trip)
    r"|(?:flying|flights?|off|going|heading|travelling|trip|holiday) to|(?:flying|flights?|back|home|returning) from)\s+"
    r"(?:an?\s+|the\s+)?(?:[\w.-]+\s+){0,2}$",  # "my 1.8 petrol Astra"
    re.IGNORECASE,
)


def owned(question: str) -> list[Name]:
    """The names of the asker's own context: what they have ("my BMW"), call it, or where they are or go."""
    return [name for name in names(question) if _owned(question, name)]


def _owned(question: str, name: Name) -> bool:
    at = question.find(name.text)
    return at >= 0 and bool(_OWNED.search(question[max(0, at - 60) : at]))


def _names(wanted: Name, name: Name) -> bool:
    """Whether ``name`` is ``wanted``, in full, in short or longer."""
    return match(wanted, name) in (EXACT, SHORTER, LONGER)


def _without_when(name: Name) -> Name | None:
    """The name, or None when it is a time of day or a date ("5.30pm", "April 2025", "1st May")."""
    if _CLOCK_TIME.fullmatch(name.text):
        return None
    if not any(w in dates.MONTH_NAMES for w in name.words):
        return name
    if not all(
        w in dates.MONTH_NAMES or _ORDINAL.fullmatch(w) or (w.isdigit() and len(w) <= 2) or _YEAR.fullmatch(w)
        for w in name.words
    ):
        return name  # "May Clinic", "Version 4 May"
    return None


def match(wanted: Name, name: Name) -> int | None:
    """How ``name`` relates to the ``wanted`` one; None when they share no word."""
    want, have = wanted.word_set, name.word_set
    if not want & have:
        # one model code for another: "gr2" is not the "GR3", "x500" not the "X700"
        return CONFLICT if any(_other_code(w, h) for w in want for h in have) else None
    if want == have:
        return EXACT
    if have < want:
        if all(w.isdigit() for w in name.words):
            return None  # a bare count ("credits: 10") is not the "Flex 10" written short
        dropped = wanted.words[: len(wanted.words) - len(name.words)]
        if wanted.words[len(dropped) :] == name.words and not any(any(c.isdigit() for c in w) for w in dropped):
            return SHORTER  # leading words left out, none of them a number
        if any(any(c.isdigit() for c in w) for w in want - have):
            return UNNAMED  # the family without the number ("Arc" for "Arc 400")
        return CONFLICT  # a trailing word left out: "Nest 2" is not the "Nest 2 Max"
    if want < have:
        extra = name.words[: len(name.words) - len(wanted.words)]
        if name.words[len(extra) :] == wanted.words and not any(any(c.isdigit() for c in w) for w in extra):
            return SHORTER  # the text puts words before it ("Corvid Nest 2 Pro" for "Nest 2 Pro")
        if name.words[: len(wanted.words)] == wanted.words:
            after = name.words[len(wanted.words) :]
            if len(after) > 1 and all(w.isalpha() for w in after):
                return SHORTER  # words after it describe it ("StoreCell 10 Home Battery"); a twin adds one ("Pro")
            if all(w in PLACE_KINDS for w in after):
                return SHORTER  # the kind of place: "Wrenmouth Reach Marina" for "Wrenmouth Reach"
        return LONGER
    return CONFLICT


def _other_code(a: str, b: str) -> bool:
    """Whether two words are model codes of one series with different numbers ("gr2" and "gr3")."""
    letters_a, letters_b = _DIGIT.sub("", a), _DIGIT.sub("", b)
    return a != b and bool(letters_a) and letters_a == letters_b and letters_a != a and letters_b != b


def level_of(wanted: Name, own: Sequence[Name], *around: Sequence[Name]) -> int:
    """The best relation of any of the text's ``own`` names to ``wanted``.

    The names ``around`` it count when its own say nothing about it, nearest first (its heading, then the
    page's title and section).
    """
    for pool in (own, *around):
        found = [m for m in (match(wanted, n) for n in pool) if m is not None]
        if found:
            return max(found)
    return UNNAMED


def level(wanted: Sequence[Name], own: Sequence[Name], *around: Sequence[Name]) -> int:
    """The worst level over every name asked about (EXACT when the question names nothing)."""
    return min((level_of(w, own, *around) for w in wanted), default=EXACT)


def twins(wanted: Name, pool: Iterable[Name]) -> set[tuple[str, ...]]:
    """The distinct longer names in ``pool`` that ``wanted`` could be short for ("Nest 2 Pro" for "Nest Pro")."""
    return {n.words for n in pool if match(wanted, n) == LONGER}
