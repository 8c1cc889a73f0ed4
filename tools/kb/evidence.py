"""Which retrieved sentences answer the question, about the thing it asks about, and whether any does.

A chunk can be relevant and still not hold the answer: the Nest Mini's page does not say how water-
resistant the Mini is because the Nest 2 Pro's page says it of the Pro. So the answer is looked for
sentence by sentence:

1. The question's names (:mod:`tools.kb.entities`) decide which sentences may answer. A chunk that
   names them (exactly, or in short) is about them: its sentences may answer unless they name a
   twin. When no chunk names them, one twin the name could be short for ("Nest Pro" for "Nest 2
   Pro") is taken; otherwise the sources do not mention what was asked about.
2. Among those, a sentence must take up what the question asks of that thing: the question's other
   words (IDF-weighted over the retrieved sentences) and the embedding similarity of sentence and
   question with the names taken out of both (so that "Bluetooth range of the Nest Mini" does not
   match every sentence naming the Mini and Bluetooth). At least one asked word must be there, in any
   form or as the kind of value it asks for ("what year" is said by "2016"); closeness of meaning
   alone does not answer. A question for a number wants a sentence stating one; "who" wants one naming
   somebody beyond the question's own names. The thing asked for ("interest" in "what interest do you
   charge", :mod:`tools.kb.focus`) must be said in at least one of its words, so must the thing a price
   question prices ("to lay artificial grass"), and a when-question about a happening (opened, joined,
   born, closed: :mod:`tools.kb.events`) must be answered by a sentence that says one of its kind. A table
   row answers only a question that says a word of its label or its values, a kind no row lists ("tenor"
   beside "Alto saxophone") is answered by no row, and figures under a heading for the past ("Previous
   tariffs") answer only a question about the past.
3. A sentence that names the thing asked about is quoted before one that names other things.

No sentence passing both means the sources do not answer the question: the agent says it does not know.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from typing import Any

import numpy as np

from tools.guard import grounding, pii
from tools.kb import dates, entities, events, focus, measures
from tools.kb.keyword import STOPWORDS, tokens

# Words that say how a question is asked, not what it asks about.
ASKING = frozenset(
    "much many long tell know please need want get there any kind way go s ve ll re d m t my me "
    "if did only just also really got use used one give hi hello hey thanks each".split()
)
# How people ask for the attributes product pages name in one word. Small on purpose: the embedding
# similarity covers paraphrase in general, but it cannot see "how much" in a question once the
# product's name is taken out, and these are the commonest questions about products.
ASKED_AS = {
    "cost": ("price",),
    "pay": ("price",),
    "expensive": ("price",),
    "cheap": ("price",),
    "cheaper": ("price",),
    "cheapest": ("price",),
    "total": ("price",),  # "what's the total" for a stay is its price
    "overnight": ("night",),  # "park overnight" is priced "per night"
    "salary": ("income", "earn"),
    "new": ("replacement",),  # "how much is a new one" after losing it
    "wifi": ("wi-fi", "internet", "broadband"),
    "weigh": ("weight",),
    "heavy": ("weight",),
    "waterproof": ("water",),
    "color": ("colour",),
    "colour": ("color",),
    # a bound asked in short or as the person it fits: "the max weight", "the youngest age" is the "Minimum age"
    "max": ("maximum",),
    "youngest": ("minimum",),
    "oldest": ("maximum",),
    # a superlative asks for the bound of a measure: "the longest lorry" is the "maximum vehicle length"
    "longest": ("length", "maximum"),
    "shortest": ("length", "minimum"),
    "tallest": ("height", "maximum"),
    "heaviest": ("weight", "maximum"),
    "biggest": ("size", "maximum"),
    "largest": ("size", "maximum"),
    "smallest": ("size", "minimum"),
    "lorry": ("vehicle",),
    "truck": ("vehicle", "lorry"),
    # a rate by its period: "the nightly rate" is the one "per night"
    "nightly": ("night",),
    "weekly": ("week",),
    "monthly": ("month",),
    "daily": ("day",),
    "yearly": ("year",),
}
PRICE_QUESTION = re.compile(
    r"\bhow much (?:is|are|does|do|did|would|will)\b(?!.*\b(?:weigh|last|hold|take)\b)|\bgo(?:es)? for\b", re.IGNORECASE
)
# Questions whose answer is a quantity, a date, a version or a number to call: a sentence without one
# does not answer them ("The original Nest (2018) is no longer sold" does not say what it cost).
NUMERIC_QUESTION = re.compile(
    r"\bhow (?:much|many|long|heavy|big|far|loud|old|tall|wide|fast|often|soon)\b|\bwhat (?:year|date|time)\b"
    r"|\b(?:longest|shortest|maximum|minimum|most|least)\b"
    r"|\b(?:which|what) (?:version|release|update|firmware)\b|\b(?:cost|costs|price|prices|weigh|weight|range|capacity|"
    r"size|dimensions?|height|width|length|depth|volume|decibels?|db|duration|speed|voltage|temperature|"
    r"number|percentage|rate|fee|fees)\b",
    re.IGNORECASE,
)
# "Who is ...?" wants somebody: a sentence that names nobody beyond the question's own names does not say who
# ("It is staffed by our own vets and nurses" is not who the head nurse is).
WHO_QUESTION = re.compile(r"^\W*(?:and |so |but )?who(?:'s| is| was| are| were)?\b", re.IGNORECASE)
# "Who do I call about ...?" wants a number to ring (a phone number, or "call NHS 111"), not a person.
CALL_QUESTION = re.compile(
    r"\bwho (?:do|should|can|could) (?:i|we) (?:call|ring|phone|telephone)\b"
    r"|\bwhat(?:'s| is)? (?:the )?(?:number|phone number) (?:to|for|do|should)\b",
    re.IGNORECASE,
)
_CALL_NUMBER = re.compile(r"\b(?:call|ring|phone|dial)\b[^.]{0,40}\b\d{3}", re.IGNORECASE)  # "call NHS 111"
PAST_HEADING = re.compile(r"\b(?:previous|former|old|archived?|earlier|legacy|discontinued|superseded)\b", re.I)
PAST_QUESTION = re.compile(
    r"\b(?:before|previous(?:ly)?|used to|old|former|originally|last year|in the past|was|were|did)\b", re.I
)
# Asking for an earlier period's figures in so many words (PAST_QUESTION also takes any "was" or "did").
LAST_PERIOD_QUESTION = re.compile(
    r"\blast (?:year|season|year's|season's)\b|\bbefore (?:the|your|you put the) (?:prices?|fees?|charges?|rates?) "
    r"(?:went|go|rose|increased|changed)\b|\b(?:old|previous|former) (?:prices?|fees?|charges?|rates?|price list)\b",
    re.IGNORECASE,
)
NOW_TOO = re.compile(
    r"\b(?:now|compared?|current(?:ly)?|this year|today)\b", re.IGNORECASE
)  # then and now: now answers
WHICH_QUESTION = re.compile(r"\bwhich\b|\bwhat (?:size|kind|type|sort|plan|option|model|one)\b", re.IGNORECASE)
VERSION_QUESTION = re.compile(r"\b(?:which|what) (?:version|release|update|firmware)\b|\bversion\b", re.IGNORECASE)
# A question asks "when" if one of its sentences starts so ("When is ...", "From what time?"); a
# "when" clause ("What did it cost when it launched?", "When DPO starts ..., what ...?") does not.
WHEN_QUESTION = re.compile(
    r"^\W*(?:and |so |but |from |since |until |at )?(?:when|what (?:year|date|day|time)|how soon)\b"
    r"(?![^?]*,\s*(?:what|which|who|how|where|why|is|are|do|does|can)\b)",
    re.IGNORECASE,
)
_BOLD = re.compile(r"\*\*")
_QUESTION_PARTS = re.compile(r"(?<=[.?!])\s+")
YEAR = r"\b(?:19|20)\d\d\b"
CLOCK = r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2} ?(?:am|pm)\b"  # with re.IGNORECASE
TIME = re.compile(
    rf"{YEAR}|{CLOCK}|\b(?:within|after|in|every) (?:\d+|one|two|three|"
    r"four|five|six|seven|eight|nine|ten|twelve|thirty) (?:minute|hour|day|business day|working day|week|month|year)s?\b"
    r"|\b\d+ (?:minute|hour|day|week|month)s? (?:before|after|prior to|ahead of)\b"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekdays?|weekends?|january|february|march|april|"
    r"may|june|july|august|september|october|november|december|daily|weekly|monthly|yearly|annually|tomorrow|today|"
    r"spring|summer|autumn|winter)\b|\b(?:every|first|last|next|each) (?:day|week|month|year|quarter)\b",
    re.IGNORECASE,
)
_MONTH = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|"
    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b",
    re.IGNORECASE,
)
_VERSION_NUMBER = re.compile(r"\b\d+(?:\.\d+)+\b")  # "3.4.1"
# A heading for one release: a version ("4.2.1") or a full date ("3 March 2025", "2017-06-20"); not "2025 prices".
_VERSIONED = re.compile(
    rf"{_VERSION_NUMBER.pattern}|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}} {_MONTH.pattern}", re.IGNORECASE
)
# Words that state a quantity as well as digits do ("up to six speakers").
NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred thousand dozen half single double".split()
)
# "How many <thing>": the thing a sentence must count ("how many crew" is not "12 bicycles"); words that
# ask for any count, and the short forms units are written in.
HOW_MANY = re.compile(r"\bhow many ((?:[a-z][a-z-]*\s*){1,4})", re.IGNORECASE)
PHRASE_ENDS = frozenset(
    "are is do does did can could will would should have has had there in on at for to of per with from by get "
    "i we you they he she it my your our their work come go fit take".split()
)
COUNTED_ANYWAY = frozenset("time more other different thing".split())  # "how many things": whatever is counted
# "How many people can it seat?": a room's figure for each layout ("Theatre: 80") counts people without saying so
PEOPLE = frozenset("people person persons ppl guests".split())
_HOLDS = re.compile(r"\b(?:seat|seats|hold|holds|fit|fits|take|takes|accommodate|accommodates|sleep|sleeps)\b", re.I)

SHORT_FORMS = {
    "hour": ("h", "hr", "hrs"),
    "minute": ("min", "mins"),
    "second": ("sec", "secs"),
    "day": ("daily",),
    "kilometre": ("km",),
    "kilometer": ("km",),
    "km": ("kilometre", "kilometer"),
    "mile": ("mi",),
    "mph": ("mile",),
    "knot": ("kn", "kt"),
    "litre": ("l", "liter"),
    "liter": ("l", "litre"),
    "kilogram": ("kg",),
    "metre": ("m",),
    "meter": ("m",),
    "person": ("people",),
    "people": ("person", "staff", "employee"),
    "employee": ("staff", "people"),
    "staff": ("employee", "people"),
    "year": ("yr", "annual", "annually"),
    "pound": ("lb", "lbs"),
    "bike": ("bicycle", "cycle"),
    "bicycle": ("bike", "cycle"),
}
# Units a question can ask its answer in ("in knots"): looked for as words, with SHORT_FORMS ("12.5kn").
MEASURES = ("knot", "mile", "mph", "kilometre", "kilometer", "km", "minute", "hour", "litre", "liter", "kilogram")
# Currencies are written as signs as often as words ("£7.40"), so they are looked for in the text itself.
CURRENCIES = {
    "euro": ("€", "eur", "euro"),
    "dollar": ("$", "usd", "dollar"),
    "pound": ("£", "gbp", "pound"),
    "yen": ("¥", "jpy", "yen"),
    "franc": ("chf", "franc"),
    "krona": ("sek", "kr", "krona", "kronor"),
    "krone": ("nok", "dkk", "kr", "krone", "kroner"),
}
# A price or count asked per period needs that period ("a monthly ticket" is not "£35 per week").
PERIODS = {
    r"\b(?:monthly|per month|a month|each month|every month)\b": ("month", "monthly"),
    r"\b(?:weekly|per week|a week|each week|every week)\b": ("week", "weekly"),
    r"\b(?:annual|yearly|per year|a year|each year|every year)\b": ("year", "annual", "yearly", "annually"),
    # a stay's price: "how much is it per night" is not answered by a weekly rent
    r"\b(?:nightly|per night|a night|each night|every night)\b": ("night", "nights", "nightly", "overnight"),
}
# How long the asker stays or is away ("I'm visiting my aunt for a week"), which asks for no weekly price
_STAY = re.compile(
    r"\b(?:stay|staying|visit|visiting|here|there|away|travelling|traveling)\b[^.?!,]{0,30}?\bfor an? "
    r"(?:week|month|year|night)\b",
    re.IGNORECASE,
)
PERIOD_WORDS = frozenset(
    {sign for signs in PERIODS.values() for sign in signs}
    | {"weekly", "daily", "nightly", "fortnight", "fortnightly", "per"}
)
SUBJECT_BONUS = 0.1  # a sentence whose first name is the one asked about is about it, not merely mentioning it
MIN_WORDS = 3
MAX_EMBEDDED = 24  # sentences embedded per question: the best by words (about 0.3 s on 2 cores)
LEXICAL_WEIGHT = 0.5
MIN_SCORE = 0.15  # below this no sentence answers the question (chosen on the development sets: corvid, docs)
NEAR_BEST = 0.8  # a further quote scores at least this share of the best one's score

Embed = Callable[[list[str]], np.ndarray]


@dataclass
class Candidate:
    """A sentence that could be quoted as the answer, with how well it matches the question."""

    text: str
    n: int  # the source's number
    level: int  # entities.EXACT ... CONFLICT
    heading: str = ""  # the heading above it in its chunk
    lexical: float = 0.0
    semantic: float = 0.0

    subject: bool = False  # its first name is the one asked about
    # a table row labelled by another thing: a longer name holding the asked one ("Nest 2 Pro Home Set"), or another
    # product ("Corvid Dock Pro — Compatible with: Nest 2 Pro")
    labels_another: bool = False
    periods: str = ""  # the definitions of the periods its chunk names ("Peak 2026: 28 March to ...")

    @cached_property
    def forms(self) -> tuple[set[str], set[str]]:
        """Its words and its heading's, with the kinds of value they state, and their stems (built once).

        The periods it names add the months they span and the seasons and holidays they say ("the summer holidays").
        """
        words, stems = _forms(f"{self.text} {self.heading}")
        if self.periods:
            said = _months_within(self.periods) | (set(_RAW_WORD.findall(self.periods.lower())) & PERIOD_NAMES)
            words |= said
            stems |= {_stem(w) for w in said}
        return words, stems

    @property
    def dated(self) -> str:
        """What a day asked is looked for in: its text and heading, and the definitions of the periods it names."""
        return f"{self.text} {self.heading} {self.periods}"

    @property
    def score(self) -> float:
        return (
            LEXICAL_WEIGHT * self.lexical
            + (1 - LEXICAL_WEIGHT) * self.semantic
            + (SUBJECT_BONUS if self.subject else 0.0)
        )


@dataclass
class Evidence:
    """The sentences that answer a question, best first, or why none does."""

    question: str
    names: list[str]  # what the question asks about, as written
    sentences: list[Candidate] = field(default_factory=list)  # answering sentences, best first
    reason: str = ""  # why nothing answers, when nothing does

    @property
    def answerable(self) -> bool:
        return bool(self.sentences)


def _candidates(documents: Sequence[dict[str, Any]]) -> list[tuple[str, int, str]]:
    """(sentence, source number, heading above it) for every sentence that could be quoted."""
    out = []
    for doc in documents:
        heading = ""
        # Keep a Changelog's "### Fixed" under "## Version 4.2.1 – 3 March 2025": the numbered heading above it
        # (in the chunk, or in its section's path) speaks for the sentence too
        above = [p for p in str(doc.get("section") or "").split(" > ") if _VERSIONED.search(p)]
        numbered, numbered_level = (above[-1], 0) if above else ("", 0)
        for position, sentence in enumerate(grounding.sentences(doc.get("text") or "")):
            if sentence.startswith("#"):
                level = len(sentence) - len(sentence.lstrip("#"))
                heading = sentence.lstrip("# ").strip()
                if _VERSIONED.search(heading):
                    numbered, numbered_level = heading, level
                elif numbered and level > numbered_level and heading not in numbered:
                    heading = f"{numbered} > {heading}"
                elif level <= numbered_level:
                    numbered = ""  # a heading of the same level or higher ends the numbered one's part
                continue
            # bold marks are emphasis, not words; a list item's "**2021** – ..." otherwise quotes as "2021** – ..."
            clean = unbold(sentence).lstrip("-*> ").strip()
            if (
                len(tokens(clean)) < MIN_WORDS
                or clean.startswith("[removed")
                or (position == 0 and clean[:1].islower())
            ):
                continue  # too short, removed, or the tail of a sentence cut at the chunk's start
            out.append((clean, doc["n"], heading))
    return out


def unbold(text: str) -> str:
    """``text`` without Markdown's bold marks: emphasis, not words (``__`` stays: it is in file names)."""
    return _BOLD.sub("", text)


# "When did it open and how many new routes are there?" asks two things: a sentence may answer either
_ASKED_TOO = re.compile(
    r",?\s+and\s+(?=(?:how|what|what's|whats|which|when|where|who|is|are|do|does|did|can|will|would)\b)", re.IGNORECASE
)


def states_what_is_asked(candidate: Candidate, question: str) -> bool:
    """:func:`states_what_one_part_asks` of any part of a question that asks two things joined by "and"."""
    return any(states_what_one_part_asks(candidate, part) for part in _ASKED_TOO.split(question) if part.strip())


def states_what_one_part_asks(candidate: Candidate, question: str) -> bool:
    """False when the question wants a number and the sentence states none of its own.

    Numbers the question already has, and those inside a name ("Arc 300", "Bluetooth 5.3"), do not count, unless the
    question has the name's words ("the minimum Android version" is answered by "Android 8.0"); the
    heading's count only for when- and version questions (a changelog's version and date), and a when-question
    wants a time (a year, a day, "within 30 days"), not any number.
    """
    if CALL_QUESTION.search(question):  # "who do I call about ..." wants a number to ring, not a person
        text = quoted(candidate)
        return bool(pii.find(text, ("PHONE",)) or _CALL_NUMBER.search(text))
    if _asks_who(question) and not (
        _names_someone(quoted(candidate), question) and _states_the_role(candidate, question)
    ):
        return False
    when = _asks_when(question)  # not a "when" clause: "Does it need a restart when ...?" wants no date
    if not (when or NUMERIC_QUESTION.search(question)):
        return True
    version = bool(VERSION_QUESTION.search(question))
    text = quoted(candidate) if when or version else candidate.text
    if when and not version:
        return bool(TIME.search(_without(text, entities.names(question))))  # "when" wants a time, not any number
    given = set(tokens(question))
    # a name's number is not an answer ("the Arc 300 plays for 30 hours"), unless the question asks for the
    # number of what it names ("the minimum Android version" is answered by "Android 8.0")
    in_names = {
        t
        for n in entities.names(text)
        if len(n.words) > 1
        and any(w.isalpha() for w in n.words)
        and not all(w in given for w in n.words if w.isalpha())
        and not (when and _MONTH.search(n.text))  # "10 February 2025" reads as a name; to a when, it is the answer
        for t in tokens(n.text)
    }
    return any(
        (any(ch.isdigit() for ch in t) or t in NUMBER_WORDS) and t not in given and t not in in_names
        for t in tokens(text)
    )


def _asks_who(question: str) -> bool:
    return any(WHO_QUESTION.search(part) for part in _QUESTION_PARTS.split(question.strip()))


# "Who is the head of marketing?" asks for whoever holds that role: a sentence naming the founders does not say
# who it is. The role is the words after "who is the" up to where the place or company starts.
ROLE_QUESTION = re.compile(
    r"\bwho(?:'s| is| was| are)\s+(?:the |your |(?:[a-z]+'s) )?((?:[a-z-]+ ){0,4}?"
    r"(?:manager|director|head|lead|chief|exec|executive|officer|ceo|cfo|cto|coo|president|chair|chairman|"
    r"chairwoman|chairperson|nurse|vet|setter|coordinator|supervisor|secretary|treasurer|editor|architect)"
    r"(?: of (?:[a-z-]+ ){0,2}?[a-z-]+)?)(?=\s+(?:at|in|for|on|of)\b|\s*[?,.]|\s*$)",
    re.IGNORECASE,
)


def _states_the_role(candidate: Candidate, question: str) -> bool:
    """False when a who-question names a role and the sentence (with its heading) does not say it."""
    found = ROLE_QUESTION.search(question)
    if not found:
        return True
    role, _, of = found.group(1).partition(" of ")
    if of and role.split()[-1].lower() in ("head", "director") and of.islower():
        role = f"{role} of {of}"  # "head of customer service"; not the company in "the CEO of Corvid Audio"
    forms = candidate.forms
    for one in re.split(r"\s+or\s+", role):  # "the finance director or CFO"
        words = [t for t in tokens(one) if t not in STOP]
        if words and all(_says(forms, w) for w in words):
            return True
    return False


def _names_someone(text: str, question: str) -> bool:
    """Whether ``text`` names something in words (not a bare number or version) that the question does not."""
    # the question's words in any case: "who won the greyfriars shorts" names "Greyfriars Shorts" itself
    asked = {w for n in entities.names(question) for w in n.words} | set(_RAW_WORD.findall(question.lower()))
    return any({w for w in n.words if w.isalpha()} - asked for n in entities.names(text))


def _asks_when(question: str) -> bool:
    return _when_part(question) is not None


def _when_part(question: str) -> str | None:
    """The sentence of the question that asks when, if one does."""
    return next((part for part in _QUESTION_PARTS.split(question.strip()) if WHEN_QUESTION.search(part)), None)


# A season or holiday the question sets as a condition: the range in general is not the range "in winter", nor
# the usual hours those "on Easter Monday". Days of the week and times of day are left out: "can I ring them on
# a Friday" is answered by "Monday to Friday", and "close at night" by "11pm".
_SEASONS = frozenset("winter summer spring autumn".split())
PERIOD_NAMES = _SEASONS | {"easter", "christmas"}  # what a period's definition says it holds ("the summer holidays")
OCCASION = re.compile(
    r"\b(?:on|in|during|at) (?:the |a )?((?:easter|christmas|boxing|new year'?s?)"
    r"(?: holiday| bank holiday)?(?: monday| friday| day| eve| holidays?)?|(?:bank|public|school) holidays?"
    r"|winter|summer|spring|autumn)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Occasion:
    """A season or holiday the question sets: the ways a sentence can say it, and the days it is, if fixed."""

    ways: list[list[str]]  # all the words of one way
    days: list[dates.Span]  # Boxing Day's 26 December; none for a season or Easter

    def said_by(self, candidate: Candidate, *, in_range: bool = True) -> bool:
        """Whether the sentence says it in one of its ways.

        A holiday on a fixed date is also said by that date ("Boxing Day" as "closed on 24, 25 and 26 December")
        or, with ``in_range``, by a range that covers it.
        """
        if any(all(_says(candidate.forms, w) for w in way) for way in self.ways):
            return True
        said = candidate.dated
        return bool(self.days) and (dates.names(said, self.days) or (in_range and bool(_covers(candidate, self.days))))


def _covers(candidate: Candidate, days: list[dates.Span]) -> bool | None:
    """:func:`tools.kb.dates.covers` for a sentence and its heading, or else for the periods it names.

    A period's definition only adds: a row naming "Summer" and "Winter" where the page dates only the summer
    is not thereby out of the winter.
    """
    own = dates.covers(f"{candidate.text} {candidate.heading}", days)
    if own is not None:
        return own
    return True if dates.covers(candidate.periods, days) else None


def _occasions(question: str) -> list[_Occasion]:
    """Each occasion the question names.

    "Easter Monday" is said only as itself; "the summer peak" as "summer" or as the "peak" it qualifies.
    """
    out = []
    for found in OCCASION.finditer(question):
        ways = [tokens(found.group(1))]
        after = re.match(r"\s+([a-z]+)", question[found.end() :], re.IGNORECASE)
        if after and after.group(1).lower() not in STOP and found.group(1).lower() in _SEASONS:
            ways.append([after.group(1).lower()])
        out.append(_Occasion(ways, dates.asked(" ".join(ways[0]))))
    return out


def _dated_heading_names(candidate: Candidate, wanted: Sequence[entities.Name]) -> bool:
    """Whether the sentence's heading names every asked name (exactly or in short) and carries a date (a changelog's entry)."""
    heading = candidate.heading
    return bool(TIME.search(heading)) and entities.level(wanted, entities.names(heading)) >= entities.SHORTER


def counts_what_is_asked(candidate: Candidate, question: str) -> bool:
    """False when the question names what it counts, its unit or its period, and the sentence does not.

    "How many crew work on board MV Skua?" is not answered by "it can carry 12 bicycles", a price "in euros" by
    a price in pounds, nor a monthly ticket by a weekly one: a number about the right thing is still a number of
    something else. Words are looked for in the sentence and its heading, plurals folded, with their usual short
    forms ("20 h", "8kW").
    """
    text = f"{candidate.text} {candidate.heading}"
    words = set(tokens(text))

    acronyms = {a.lower() for a in _ACRONYM.findall(question)}

    def said(word: str) -> bool:
        if word.removesuffix("s") in acronyms and _spelled_out(word.removesuffix("s"), text):
            return True  # "public PCs" are "public computers"
        forms = {word, *SHORT_FORMS.get(word, ())}
        # a unit glued to its number: "8kw", "12.5kn"
        return bool(forms & words) or any(
            t.endswith(f) and t[: -len(f)].replace(".", "").isdigit() for t in words for f in forms
        )

    counted = HOW_MANY.search(question)
    if counted:
        phrase = []  # "how many wheelchair spaces are there": wheelchair, space
        for word in counted.group(1).lower().split():
            if word in PHRASE_ENDS:
                break
            phrase += tokens(word)
        if phrase and not set(phrase) & COUNTED_ANYWAY and not (set(phrase) & PEOPLE and _HOLDS.search(question)):
            head, modifiers = phrase[-1], phrase[:-1]
            # the counted thing, and what kind of it when the question says ("car parking spaces" finds
            # "6 parking spaces"; "wheelchair spaces" does not find "turning space")
            # in any inflection: "parking spaces" are counted by "a car park with 12 spaces"
            # a compound counted holds its head: "accessible rooms" are counted by "two accessible bedrooms"
            compound = len(head) >= MIN_PREFIX and bool(
                re.search(rf"(?:\d|\b(?:{'|'.join(NUMBER_WORDS)}))\s+(?:[a-z-]+\s+)?[a-z]+{_stem(head)}", text, re.I)
            )
            if not (said(head) or _says(candidate.forms, head) or compound) or (
                modifiers and not any(said(m) or _says(candidate.forms, m) for m in modifiers)
            ):
                return False
    # asked "in knots" or "in euros" ("how many pounds does it weigh" is not a price)
    for unit in MEASURES:
        if _asked_in(unit, question) and not said(unit):
            return False
    for currency, signs in CURRENCIES.items():
        if _asked_in(currency, question) and not any(sign in text.lower() for sign in signs):
            return False
    rate_asked = _STAY.sub(" ", question)
    for period, signs in PERIODS.items():
        if re.search(period, rate_asked, re.IGNORECASE) and not any(sign in words for sign in signs):
            return False
    return True


_RAW_WORD = re.compile(r"[a-z0-9][a-z0-9.-]*")
STOP = STOPWORDS | ASKING
# Attributes a page gives for several kinds of one thing: "towing capacity" and "tail lift capacity"
KINDED = frozenset(
    "capacity price cost fee fees charge charges rate rates weight range size height width length depth volume "
    # "an afternoon pass" is no day pass, nor a delegate package a wedding package
    "speed limit allowance time discount deposit pass passes ticket tickets package packages".split()
)


def _another_kind(candidate: Candidate, forms: tuple[set[str], set[str]], question: str, name_words: set[str]) -> bool:
    """Whether the sentence gives another kind of the attribute asked: "tail lift capacity" for "towing capacity".

    The question qualifies an attribute ("towing capacity"); the sentence has the attribute, not the qualifier,
    and qualifies it with a word of its own that the question does not use. ``forms`` are the sentence's
    (:func:`_forms` of it and its heading).
    """
    asked = set(tokens(question))
    words = _RAW_WORD.findall(question.lower())
    # word pairs within the sentence and within its heading: the sentence's last word does not qualify the heading's first
    pairs = [
        pair
        for part in (candidate.text, candidate.heading)
        for pair in itertools.pairwise(_RAW_WORD.findall(part.lower()))
    ]
    for qualifier, head in zip(words, words[1:], strict=False):
        # a head in the asked name is part of it ("how much would Pass Plus cost"), not an attribute of it
        qualifying = set(tokens(qualifier))
        if head not in KINDED or head in name_words or qualifier in STOP or not qualifying or qualifying & name_words:
            continue
        if _says_asked(forms, qualifier):
            continue
        for before, word in pairs:
            if word == head and before not in STOP and tokens(before) and not set(tokens(before)) & asked:
                return True
    return False


# "How tall" wants a length and "how heavy" a weight: a sentence whose numbers are counts ("8 auto-belays")
# or another measure does not say it.
DIMENSIONS = (
    (re.compile(r"\bhow (?:tall|high|wide|deep)\b", re.IGNORECASE), frozenset({"mm", "cm", "m", "km", "ft", "inch"})),
    (re.compile(r"\bhow heavy\b|\bhow much does\b.*\bweigh\b", re.IGNORECASE), frozenset({"kg", "g", "lb"})),
)
GRAMS = re.compile(r"\d\s?g\b")  # "310 g": measures leaves a bare "g" out ("5G" is a network), a weight takes it
# "How long does it last" wants a duration (or, of a thing, a length): "for under-12s only" says neither.
HOW_LONG = re.compile(r"\bhow long\b", re.IGNORECASE)
DURATION = re.compile(
    r"(?:\b\d+(?:[.,]\d+)?(?:\s?[–-]\s?\d+(?:[.,]\d+)?)?|\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|fourteen|thirty|half an?|several|a few|few))\s?-?(?:[a-z]+\s){0,2}"  # "3 working days", "90 consecutive days"
    r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|h|days?|nights?|weeks?|months?|years?|yrs?|terms?|seasons?)\b"
    r"|\b(?:overnight|all day|half-day|full-day|same day|next day)\b",
    re.IGNORECASE,
)
LENGTHS = frozenset({"m"})  # measures' base unit of length: "how long is the lane" is answered in metres
# "How much is the course" wants a price: "3 sessions of 2.5 hours" is a number, not what it costs.
MONEY_QUESTION = re.compile(
    r"\bhow much (?:extra |more )?(?:is|are|does|do|did|would|will)\b(?!.*\b(?:weigh|last|hold|take|data|storage|space)\b)"
    r"|\b(?:cost|costs|price|prices|fee|fees)\b"
    r"|\bhow much (?:a|per|each) (?:night|day|week|month|year|hour|person|head|adult|child|kid)\b",  # "how much a night"
    re.IGNORECASE,
)
MONEY = re.compile(
    r"[£$€¥]\s?\d|\d\s?(?:p|eur|gbp|usd|chf|euros?|pounds?|dollars?)\b|\b(?:free|no charge|at no cost|included|"
    r"includes|costs? nothing|complimentary)\b|\bno (?:[a-z]+ )?(?:fee|charge|cost)s?\b"
    r"|\d\s?% of\b"  # a share of what was paid: "50% of the total cost is refunded"
    r"|\d\s?% (?:[a-z]+ )?(?:fee|charge|surcharge|deposit|discount)\b",  # "a 15% cancellation fee"
    re.IGNORECASE,
)


def _states_the_dimension(candidate: Candidate, question: str) -> bool:
    """False when the question asks a length, a weight, a duration or a price and the sentence states none."""
    text = quoted(candidate)
    for asks, units in DIMENSIONS:
        if not asks.search(question):
            continue
        if not (any(m.unit in units for m in measures.found(text)) or ("g" in units and GRAMS.search(text))):
            return False
    if HOW_LONG.search(question) and not (
        DURATION.search(text) or any(m.unit in LENGTHS for m in measures.found(text))
    ):
        return False
    return not (MONEY_QUESTION.search(question) and not MONEY.search(candidate.text))


def _asked_in(unit: str, question: str) -> bool:
    return bool(re.search(rf"\bin (?:[a-z]+ )?{unit}s?\b", question, re.IGNORECASE))


def attribute_words(question: str) -> list[str]:
    """The attribute words a question's phrasing stands for ("how much is" and "cost" ask for the "price")."""
    own = tokens(question)
    return list(
        dict.fromkeys(
            [x for t in own for x in ASKED_AS.get(t, ())] + (["price"] if PRICE_QUESTION.search(question) else [])
        )
    )


def asked_words(question: str, name_words: set[str]) -> list[str]:
    """What the question asks of the thing: its words less the names and the asking, plus attribute words.

    The attribute words are those its phrasing stands for ("cost" asks for the "price").
    """
    own = [t for t in tokens(question) if t not in name_words and t not in ASKING]
    return list(dict.fromkeys(own + attribute_words(question)))


_ENDINGS = ("ing", "ed", "es", "s")
MIN_PREFIX = 4  # "exec" for "executive"; shorter prefixes ("car" of "cargo") say nothing
_DOUBLED = re.compile(r"([bgmnprt])\1$")  # not "dd": "added" is "add"
# Plurals no ending makes: "prices for the children" asks about the "Child" row
_IRREGULAR = {"children": "child", "people": "person", "women": "woman", "men": "man", "feet": "foot", "teeth": "tooth"}


def _stem(word: str) -> str:
    """The word without an inflection: "handles", "handled" and "handling" are one word to the question."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_PREFIX - 1:
            stem = word[: -len(ending)]
            if ending in ("ing", "ed") and _DOUBLED.search(stem):
                return stem[:-1]  # "fitting" and "stopped" are "fit" and "stop"; "falling" stays "fall"
            return stem
    return word


# Words a question uses for a kind of value that a sentence states as the value itself: "in what year" is
# said by "2016 – ...", "which update" by a version under its heading, "the price" by "£9.80".
_STATED_AS = (
    (re.compile(YEAR), ("year",)),
    (re.compile(r"\b\d+\.\d+(?:\.\d+)?\b"), ("version", "update", "release", "firmware")),
    (re.compile(r"[£$€¥]\s?\d|\b\d+(?:\.\d+)?p\b"), ("price", "cost", "fee", "charge", "fine", "rate")),
    (re.compile(CLOCK, re.IGNORECASE), ("time",)),
    (re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"), ("postcode", "address")),  # a UK postcode: "SO21 3NE"
)
# A measure states its dimension: "1,500 kg" says the weight limit, "between 10°C and 20°C" the temperature.
# (measures reads grams and pounds as kilograms; a charger's or a motor's kilowatts are how fast it charges or goes)
_MEASURED_AS = {"kg": ("weight",), "degree": ("temperature",), "kw": ("power", "speed")}
# The personal-data detectors already tell an email address or a phone number from a date or an order number.
_PERSONAL_AS = {"EMAIL": ("email", "address"), "PHONE": ("phone", "number", "call", "ring")}
LONG_STEM = 6
TYPO_RATIO = 0.85  # "refridgerant" for "refrigerant"; long words only


def _months_within(text: str) -> set[str]:
    """The months a range in ``text`` spans (:func:`tools.kb.dates.spans`): "Winter (1 October to 31 March)" holds January."""
    held: set[str] = set()
    for span in dates.spans(text):
        (first, _), (last, _) = span.start, span.end
        held.update(dates.MONTH_NAMES[(first - 1 + i) % 12] for i in range((last - first) % 12 + 1))
    return held


def _forms(text: str) -> tuple[set[str], set[str]]:
    """A sentence's words (with the kinds of value it states and the months its date ranges span) and their stems."""
    words = set(tokens(text)) | _months_within(text)
    for pattern, kinds in _STATED_AS:
        if pattern.search(text):
            words.update(kinds)
    for found in pii.find(text, tuple(_PERSONAL_AS)):
        words.update(_PERSONAL_AS[found.kind])
    words.update(kind for m in measures.found(text) for kind in _MEASURED_AS.get(m.unit, ()))
    return words, {_stem(w) for w in words}


def _says(forms: tuple[set[str], set[str]], word: str) -> bool:
    """Whether a sentence has the asked word, also inflected otherwise, written out or misspelt.

    "handled" says "handles"; "executive" says "exec"; "refrigerant" says "refridgerant".
    """
    words, stems = forms
    if word in words or _stem(word) in stems:
        return True
    if "-" in word.strip("-"):  # "off-peak" is said by "Off-Peak", which a sentence's words hold apart
        return all(_says(forms, part) for part in word.split("-") if part)
    if len(word) >= MIN_PREFIX and any(w.startswith(word) for w in words):
        return True
    # "installation" says "installed": a long stem begins the word ("charg" of "charging" is too short to say "charger")
    stem = _stem(word)
    if stem != word and len(stem) >= LONG_STEM and any(w.startswith(stem) for w in words):
        return True
    return len(word) >= 6 and any(
        w[0] == word[0] and abs(len(w) - len(word)) <= 2 and SequenceMatcher(None, w, word).ratio() >= TYPO_RATIO
        for w in words
    )


def _says_asked(forms: tuple[set[str], set[str]], word: str) -> bool:
    """Whether a sentence says the word or the attribute it stands for ("heavy" is said by a weight)."""
    return _says(forms, word) or any(_says(forms, a) for a in ASKED_AS.get(word, ()))


def _says_priced(forms: tuple[set[str], set[str]], word: str) -> bool:
    """:func:`_says_asked`, with "changing" said by "change" (the stemmer keeps the "e" it drops from "-ing")."""
    return _says_asked(forms, word) or (word.endswith("ing") and _says(forms, word[:-3] + "e"))


_ACRONYM = re.compile(r"\b[A-Z]{2,4}(?=s?\b)")  # "PCs" is the plural of "PC"


def _spelled_out(acronym: str, text: str) -> bool:
    """Whether ``text`` writes the acronym out in words: "MD" is "managing director", "AGM" "annual general meeting"."""
    letters = acronym.lower()
    pattern = r"\b" + r"[\w-]*\s+".join(re.escape(ch) for ch in letters) + r"[\w-]*"
    # led by a word of substance: "please call" is no "PC", "learn to lead" is "LTL"
    return any(
        (lead := found.group().split()[0]) not in STOPWORDS and lead not in entities.COMMON
        for found in re.finditer(pattern, text.lower())
    )


def _names_others(text: str) -> bool:
    """Whether a sentence names things of its own (a person, a place, a product; not a bare number)."""
    return any(entities.specific(n) and not all(w.isdigit() for w in n.words) for n in entities.names(text))


def _without(text: str, names: Sequence[entities.Name]) -> str:
    for name in names:
        text = re.sub(re.escape(name.text), " ", text, flags=re.IGNORECASE)
    return text


def _eligible(
    wanted: list[entities.Name],
    candidates: list[Candidate],
    context: dict[int, list[entities.Name]],
    text_names: dict[int, list[entities.Name]],
) -> tuple[list[Candidate], str]:
    """The candidates that may answer, by the names they carry; or none and the reason."""
    if not wanted:
        return candidates, ""
    # A chunk is about what its title and section name, else what its text names.
    about = {n for n in context if entities.level(wanted, context[n], text_names[n]) >= entities.SHORTER}
    if about or any(c.level >= entities.SHORTER for c in candidates):
        return [
            c for c in candidates if c.level >= entities.SHORTER or (c.n in about and c.level == entities.UNNAMED)
        ], ""
    pool = [name for n in context for name in text_names[n] + context[n]]
    if all(len(entities.twins(w, pool)) == 1 for w in wanted):  # one thing the name is short for
        return [c for c in candidates if c.level == entities.LONGER], ""
    return [], f"the sources do not mention {', '.join(w.text for w in wanted)}"


def _section_parts(doc: dict[str, Any]) -> list[str]:
    """The components of a source's section path ("Prices > Millbrook > Standard units"), page title first."""
    return [p.strip() for p in str(doc.get("section") or "").split(">")]


def _section_names(
    question: str,
    documents: Sequence[dict[str, Any]],
    found: Sequence[entities.Name],
    text_names: dict[int, list[entities.Name]],
) -> list[entities.Name]:
    """Names the sources give a section of their own ("Prices > Millbrook") that the question writes, in any case.

    A one-word name is otherwise a word like others; but under "Prices > Millbrook" and "Prices > Kingsford", a
    price is the asked site's only where its section or the sentence names that site.
    """
    have = {w for n in found for w in n.words}
    asked = question.lower()
    texts = " ".join(doc.get("text") or "" for doc in documents)
    in_text = {n.words for names in text_names.values() for n in names}
    out: dict[tuple[str, ...], entities.Name] = {}
    for doc in documents:
        for part in _section_parts(doc):
            named = entities.names(f"at {part}")  # not a sentence's first word, which is only grammar
            if len(named) != 1 or named[0].text != part or set(named[0].words) <= have:
                continue
            written = rf"\b{re.escape(part.lower())}\b"
            # a proper name: the sources write it capitalised inside a sentence and never in lower case
            # ("Refunds are paid ..." is capitalised only because it starts a sentence)
            proper = named[0].words in in_text and not re.search(written, texts)
            if proper and re.search(written, asked):
                out[named[0].words] = named[0]
    return list(out.values())


def _other_siblings(question: str, documents: Sequence[dict[str, Any]], proper: frozenset[str]) -> dict[int, str]:
    """Sources filed under a twin of the section the question names; with that twin's name.

    Under one page, "Stanway Wharf > Standard units" and "Millbrook > Climate-controlled units" are sections of
    the same level that share a word and differ in others: a question for a climate-controlled unit is not
    answered by a standard unit's price. A twin is named when the question says every word that sets it apart
    from the other and none of the other's; sections sharing no word ("Who we are", "Our founders") are not
    twins, and where the question names neither twin nothing is ruled out.
    """
    paths = {d["n"]: _section_parts(d) for d in documents}
    levels: dict[tuple[str, int], set[str]] = {}
    for d in documents:
        for depth, part in enumerate(paths[d["n"]][1:], start=1):  # the page's own title has no siblings
            levels.setdefault((str(d.get("title", "")), depth), set()).add(part)
    asked = _forms(question)
    under: dict[str, set[str]] = {}  # the words of the chunks filed under each part
    for d in documents:
        for part in paths[d["n"]][1:]:
            under.setdefault(part, set()).update(tokens(d.get("text") or ""))
    names = {part: proper - under[part] for part in under}  # a name said under a part does not set another apart
    ruled_out = {level: _unasked_twins(parts, asked, names) for level, parts in levels.items()}
    out = {}
    for d in documents:
        for depth, part in enumerate(paths[d["n"]][1:], start=1):
            if part in ruled_out.get((str(d.get("title", "")), depth), set()):
                out[d["n"]] = part
    return out


_POSSESSIVES = frozenset("his her their our my mine".split())  # "his library card" is no kind of card
_PRICE_WORDS = "price cost fee fees charge charges rate"
_ROW_LABEL = re.compile(r"^(.+?) — [^—]*:")


def _other_rows(question: str, candidates: Sequence[Candidate]) -> set[int]:
    """Table rows (``label — header: value``) whose label a sibling row's label, named in the question, rules out.

    The rows of one table under one heading label kinds of one thing ("Adult", "Concession", "Junior"; a
    group's "Flex" and "Flex Plus"): a question for the concession price is not answered by the adult row.
    A label is named when the question says every word that sets it apart from the other and none of the
    other's; a row's group, written before its label ("Flex Plus, Adult"), is compared with the other groups.
    """
    labels: dict[int, list[str]] = {}
    for c in candidates:
        found = _ROW_LABEL.match(c.text)
        if found:
            labels[id(c)] = [part.strip() for part in found.group(1).split(", ")]
    levels: dict[tuple[str, int], set[str]] = {}  # each row is a chunk of its own: its heading is its table's
    for c in candidates:
        for depth, part in enumerate(labels.get(id(c), [])):
            levels.setdefault((c.heading, depth), set()).add(part)
    asked = _forms(question)
    ruled_out = {level: _unasked_twins(parts, asked) for level, parts in levels.items()}
    return {
        id(c)
        for c in candidates
        for depth, part in enumerate(labels.get(id(c), []))
        if part in ruled_out[(c.heading, depth)]
    }


def _unlisted_kinds(question: str, candidates: Sequence[Candidate]) -> set[str]:
    """Kinds of a table's rows that the question names and the table has no row for.

    A row label ends in the thing the row is a kind of ("Adult 10-visit pass", "Alto saxophone"). A question
    for a "junior 10-visit pass" or a "tenor saxophone" puts a word of its own where a label puts its kind,
    and no row of the table says it: the table does not price that kind, and only a sentence that says
    "junior" or "tenor" can answer.
    """
    if WHICH_QUESTION.search(question):
        return set()  # "which stage would a 4-year-old start in" asks for a label
    groups: dict[str, list[tuple[Candidate, list[str]]]] = {}  # a table's rows (its heading), with their labels
    for c in candidates:
        found = _ROW_LABEL.match(c.text)
        if found:
            # a gloss in brackets is not the kind: "660 litre (general rubbish or recycling)" is a kind of "litre" bin
            unglossed = re.sub(r"\([^)]*\)", " ", found.group(1).lower())
            groups.setdefault(c.heading, []).append((c, _RAW_WORD.findall(unglossed)))
    words = _RAW_WORD.findall(question.lower())
    out: set[str] = set()
    for group in groups.values():
        said = _forms(" ".join(f"{c.text} {c.heading}" for c, _ in group))
        for _, label in group:
            qualifier = _word_before_ending(label, words)
            if (
                qualifier.isalpha()
                and len(qualifier) >= MIN_PREFIX
                and qualifier not in STOP | KINDED | PERIOD_WORDS | _POSSESSIVES
                and qualifier not in dates.MONTHS  # "a saturday in august": a date, for the range checks
                and not _says(said, qualifier)
            ):
                out.add(qualifier)
    return out


def _word_before_ending(label: list[str], words: list[str]) -> str:
    """The question's word before the longest end of a row's ``label`` that it says, not the whole label.

    ("junior" in "a junior 10-visit pass" for the label "Adult 10-visit pass"; "" where it says none.)
    """
    for size in range(len(label) - 1, 0, -1):
        ending = label[-size:]
        for at in range(1, len(words) - size + 1):
            if words[at : at + size] == ending:
                return words[at - 1]
    return ""


def _other_names(
    question: str, known: Sequence[entities.Name], candidates: Sequence[Candidate], proper: frozenset[str]
) -> set[int]:
    """Sentences about a twin of the name the question writes, in any case ("riverside" asked, "Eastgate" said).

    Known names of as many words that differ in one word ("Wrenholt Riverside", "Wrenholt Eastgate") are twins,
    and so are names of one word written before the same word ("Spark member", "Surge member"); a question that
    says one's own word and not the other's is not answered by a sentence (with its heading) that says only the
    other's.
    """
    multi = {n.words for n in known if len(n.words) >= 2}
    pairs = set()
    for a in multi:
        for b in multi:
            if a < b and len(a) == len(b):
                differ = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
                if (
                    len(differ) == 1
                    and all(w.isalpha() and w not in entities.COMMON for w in differ[0])
                    and _stem(differ[0][0]) != _stem(differ[0][1])  # "Care Plan", "Care Plans": one name
                ):
                    pairs.add(differ[0])
    pairs |= _proper_twins(candidates, proper)
    asked = set(_RAW_WORD.findall(question.lower()))
    out: set[int] = set()
    for x, y in pairs:
        for mine, theirs in ((x, y), (y, x)):
            if mine in asked and theirs not in asked:
                for c in candidates:
                    said = set(_RAW_WORD.findall(f"{c.text} {c.heading}".lower()))
                    if theirs in said and mine not in said:
                        out.add(id(c))
    return out


_NAME_BEFORE_WORD = re.compile(r"\b([A-Z][a-z]{2,})\s+([a-z][a-z-]{2,})\b")


def _proper_twins(candidates: Sequence[Candidate], proper: frozenset[str]) -> set[tuple[str, str]]:
    """Pairs of one-word names the sources write before the same word: "Spark" and "Surge" ("... member")."""
    texts = " ".join(f"{c.heading}. {c.text}" for c in candidates)
    before: dict[str, set[str]] = {}
    for found in _NAME_BEFORE_WORD.finditer(texts):
        name, word = found.group(1).lower(), found.group(2)
        if name in proper and word not in STOP and not TIME.fullmatch(name):  # "Monday" is no twin of "Tuesday"
            before.setdefault(word, set()).add(name)
    return {(a, b) for names in before.values() for a in names for b in names if a < b}


def _unasked_twins(
    parts: set[str], asked: tuple[set[str], set[str]], names: dict[str, frozenset[str]] | None = None
) -> set[str]:
    """The ``parts`` of one level that a sibling the question names rules out.

    A sibling is named when the question says none of the other's own words, and every word that sets it apart
    from the other or one of those that is a name the other's chunks do not say (``names`` of each part:
    "Westmoor" in "Hollin Westmoor Pool & Fitness" beside "Hollin Leisure Eastgate"). Sections (``names``
    given) are twins only where they share a word ("Standard units", "Climate-controlled units"); a table's row
    labels are kinds of one thing whatever their words, and a label the other only adds to ("Flex" beside "Flex
    Plus") can still be ruled out.
    """
    sections = names is not None
    words = {part: set(tokens(part)) - ASKING - BOUND_WORDS for part in parts}
    out = set()
    for one in parts:
        for other in parts - {one}:
            mine, theirs = words[one] - words[other], words[other] - words[one]
            if sections and not (words[one] & words[other] and theirs):
                continue
            if any(_says(asked, w) for w in theirs) or not mine:
                continue
            named = (names or {}).get(other, frozenset())
            if all(_says(asked, w) for w in mine) or any(w in named and _says(asked, w) for w in mine):
                out.add(other)
    return out


# The words of a bound in a label ("Band A (up to 5 miles)"): "pick up a return" does not name that band.
BOUND_WORDS = frozenset("up over under than more less least most".split())

_CASED_WORD = re.compile(r"[A-Za-z][a-z]+(?:-[A-Za-z][a-z]+)*")


def _proper_words(text: str) -> frozenset[str]:
    """The words ``text`` writes capitalised wherever it uses them ("Westmoor"; not "Pool" when it also says "pool")."""
    seen: dict[str, bool] = {}
    for found in _CASED_WORD.finditer(text):
        word = found.group()
        seen[word.lower()] = seen.get(word.lower(), True) and word[0].isupper()
    return frozenset(w for w, capital in seen.items() if capital and w not in STOP)


# A season written short or with a dash ("26/27", "2026-27"; not "13-14 year olds") as the pages write it
# ("2026/27"): a second number one more than a first over 12 is no day and month.
_SHORT_SEASON = re.compile(r"(?<![\d/-])(?:20(\d\d)[–-]|(1[3-9]|[2-9]\d)/)(\d\d)(?![\d/-])")


def _full_season(found: re.Match[str]) -> str:
    long, short, second = found.groups()
    first = long or short
    return f"20{first}/{second}" if int(second) == int(first) + 1 else found.group()


def seasons_in_full(question: str) -> str:
    """``question`` with its seasons written as the pages write them ("26/27" -> "2026/27")."""
    return _SHORT_SEASON.sub(_full_season, question)


_DIGITS_OF = {
    word: str(i)
    for i, word in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), start=1)
}


def _spelled_counts(text: str) -> list[entities.Name]:
    """The small numbers ``text`` writes in words, as the names a question writes them in digits."""
    return [entities.Name(_DIGITS_OF[w], (_DIGITS_OF[w],)) for w in dict.fromkeys(tokens(text)) if w in _DIGITS_OF]


def _row_words_asked(question: str) -> tuple[set[str], set[str]]:
    """The question's forms as :func:`_speaks_of_row` reads them: with the attributes its words ask for."""
    said = [question, *(a for w in tokens(question) for a in ASKED_AS.get(w, ()))]
    if MONEY_QUESTION.search(question):
        said.append(_PRICE_WORDS)  # "how much is ..." speaks of the "Membership fee" row
    return _forms(" ".join(said))


def _speaks_of_row(candidate: Candidate, asked: tuple[set[str], set[str]]) -> bool:
    """Whether the question says what a table row is about: a word of its label or of its values, not its headers.

    "Comfort+ — What's included: ... a smart thermostat ...; Price: +£1,450" is the package with the smart
    thermostat; "Trumpet — Hire per term: £40; Deposit: £70" is no drum kit's, however much the question says
    "deposit". ``asked``: :func:`_row_words_asked` of the question. Not a table row: True.
    """
    found = _ROW_LABEL.match(candidate.text)
    if not found:
        return True
    label = found.group(1)
    values = [pair.partition(":")[2] for pair in candidate.text[found.end(1) :].lstrip(" —").split(";")]
    row = {w for w in tokens(" ".join([label, *values])) if w not in STOP}
    own = _forms(" ".join(row))  # "a month" speaks of the "Monthly fee" row
    return not row or any(_says(asked, w) for w in row) or any(_says(own, w) for w in asked[0] - STOP)


def _heads_row(text: str, name: entities.Name) -> bool:
    """Whether ``name`` is the label of a table row ``text`` ("Corvid Dock Pro — Compatible with: ...")."""
    return text.lower().startswith(name.text.lower()) and text[len(name.text) :].lstrip().startswith(("—", "–"))


def _adds_words_after(lead: entities.Name, wanted: Sequence[entities.Name]) -> bool:
    """Whether ``lead`` holds an asked name followed by more words ("Nest 2 Pro Home Set" for the "Nest 2 Pro")."""
    for name in wanted:
        size = len(name.words)
        if any(lead.words[i : i + size] == name.words for i in range(len(lead.words) - size)):
            return True
    return False


def gather(
    question: str,
    documents: Sequence[dict[str, Any]],
    embed: Embed | None = None,
    limit: int = 2,
    min_score: float = MIN_SCORE,
) -> Evidence:
    """The sentences of ``documents`` (``n``, ``text``, ``title``, ``section``) that answer ``question``, best first."""
    question = seasons_in_full(question)
    context = {d["n"]: entities.names(f"{d.get('title', '')}\n{d.get('section', '')}") for d in documents}
    text_names = {d["n"]: entities.names(d.get("text") or "") for d in documents}
    known = [name for n in context for name in text_names[n] + context[n]]
    asked_names = entities.named_in(question, known)
    by_section = _section_names(question, documents, asked_names, text_names)
    asked_names += by_section
    for d in documents:  # such a name heads its section even where the name finder reads it as a first word
        parts = _section_parts(d)
        context[d["n"]] += [name for name in by_section if name.text in parts]
    wanted = [w for w in asked_names if entities.specific(w) or w in by_section]
    written = [w.text for w in wanted]
    everything = " ".join(
        f"{d.get('title', '')} {d.get('section', '')} {d.get('text') or ''}" for d in documents
    ).lower()
    # a plural counts as its singular: "Saturdays" is mentioned where the sources say "Saturday"
    absent = [
        w.text
        for w in asked_names
        if w.text.lower() not in everything
        and not (w.text.endswith("s") and w.text[:-1].lower() in everything)
        and not (_ACRONYM.fullmatch(w.text.removesuffix("s")) and _spelled_out(w.text.removesuffix("s"), everything))
        and not TIME.fullmatch(w.text)  # "in May" is when, which a price table gives by season
        and not any(n.words == w.words for n in _spelled_counts(everything))  # "3" said as "three"
        # named in short ("2.4.1" for "PetBook 2.4.1"), though not by a bare count ("15" is not the "Flex 15")
        and not any(
            entities.match(w, n) in (entities.EXACT, entities.SHORTER) and not all(x.isdigit() for x in n.words)
            for n in known
        )
    ]
    if absent:  # a name no source uses at all ("CEO", "Germany"): they cannot be about it
        return Evidence(question, written, reason=f"the sources do not mention {', '.join(absent)}")
    # a count asked in digits is said in words as often: "3 course" is the "three courses" of the menu
    counts_asked = any(all(w.isdigit() for w in name.words) for name in wanted)
    rows = _candidates(documents)
    named_periods = {d["n"]: str(d.get("periods") or "") for d in documents}
    candidates = []
    for text, n, heading in rows:
        own = entities.names(text) + (_spelled_counts(text) if counts_asked else [])
        # the nearest heading speaks for a sentence before the page's title does: under "## Kestrel GR3" of a
        # page titled "Kestrel GR2 and GR3", a sentence is about the GR3
        candidate = Candidate(
            text, n, entities.level(wanted, own, entities.names(heading), context[n]), heading, periods=named_periods[n]
        )
        # a timeline's "2016 – Larkspur Vets Harrow Road opens" is about the clinic, not the year
        lead = [name for name in own if not all(w.isdigit() for w in name.words)][:1]
        candidate.subject = bool(wanted and lead) and entities.level(wanted, lead) >= entities.SHORTER
        # only a row's label that singles out another thing: a row labelled "Weekend — Mover 3.5 XL: £189" or a
        # changelog's "Nest 2 Pro: fixed the Dock Pro ..." is about what it lists
        candidate.labels_another = (
            bool(wanted and lead)
            and _heads_row(text, lead[0])
            and (_adds_words_after(lead[0], wanted) or (not candidate.subject and entities.specific(lead[0])))
        )
        candidates.append(candidate)
    kept, reason = _eligible(wanted, candidates, context, text_names)
    if not kept:
        return Evidence(question, written, reason=reason or "no sentence in the sources is about it")
    unlisted = _unlisted_kinds(question, kept)
    if unlisted:
        kept = [c for c in kept if all(_says(c.forms, w) for w in unlisted)]
        if not kept:
            return Evidence(question, written, reason=f"the sources list no {', '.join(sorted(unlisted))} row")
    other_rows = _other_rows(question, kept)
    if other_rows:
        kept = [c for c in kept if id(c) not in other_rows]
        if not kept:
            return Evidence(question, written, reason="the sources give it only for other rows of the table")
    # the words the sources write capitalised wherever they use them: names, read by the twin checks below
    proper = _proper_words(" ".join(f"{d.get('section', '')}\n{d.get('text') or ''}" for d in documents))
    elsewhere = _other_siblings(question, documents, proper)
    if elsewhere:
        kept = [c for c in kept if c.n not in elsewhere]
        if not kept:
            return Evidence(
                question, written, reason=f"the sources say it only under {', '.join(sorted(set(elsewhere.values())))}"
            )

    others = _other_names(question, known, kept, proper)
    if others:
        kept = [c for c in kept if id(c) not in others]
        if not kept:
            return Evidence(question, written, reason="the sources say it only of a twin of what was asked")
    asked_measures = measures.found(question)
    situation = measures.situational(question)
    naming = [m for m in asked_measures if m not in situation]
    if naming:  # "a 10-minute charge" is not how long a full charge takes; "190 cm" is in "187–198 cm"
        kept = [c for c in kept if any(measures.covers(quoted(c), m) for m in naming)]
        if not kept:
            return Evidence(question, written, reason="no sentence about it covers the measure asked about")
    if situation:  # the asker's own: a band that holds it answers first; a rule that states none still may
        kept = [c for c in kept if any(measures.covers(quoted(c), m) for m in situation)] or kept
    name_words = {t for w in wanted for t in tokens(w.text)}
    asked = asked_words(question, name_words)
    # IDF over the eligible sentences: a word every one has says nothing about which one answers.
    weights = {t: math.log(1 + len(kept) / (sum(_says(c.forms, t) for c in kept) + 0.5)) for t in asked}
    total = sum(weights.values())
    # read in the sentence that asks when: "... We were hoping to go in March" is no "were" of the happening
    asking = _when_part(question)
    when = asking is not None
    for c in kept:
        c.lexical = sum(weights[t] for t in asked if _says(c.forms, t)) / total if total else 0.0
        if when and wanted and _dated_heading_names(c, wanted):
            c.lexical = 1.0  # "When was 3.4.1 released?" under "## 3.4.1 — 9 November 2023": the heading answers
    pool = sorted(kept, key=lambda c: (-c.lexical, -c.level, c.n))[:MAX_EMBEDDED]
    if embed is not None:
        vectors = embed([_without(question, wanted)] + [_without(c.text, wanted) for c in pool])
        for c, vec in zip(pool, vectors[1:], strict=True):
            c.semantic = max(0.0, float(vectors[0] @ vec))
    if not asked:
        for c in pool:
            c.lexical = 1.0  # nothing asked beyond the name: any sentence about it is on topic
    pool.sort(key=lambda c: (-c.score, -c.level, c.n))
    scored = [c for c in pool if c.score >= min_score]
    answering = [
        c
        for c in scored
        if states_what_is_asked(c, question)
        and counts_what_is_asked(c, question)
        and not _another_kind(c, c.forms, question, name_words)
        and _states_the_dimension(c, question)
    ]
    if not answering:
        if scored:
            return Evidence(question, written, reason="no sentence about it states the number asked for")
        top = pool[0].score if pool else 0.0
        return Evidence(question, written, reason=f"no sentence answers it (best {top:.2f} < {min_score:.2f})")
    # A sentence with none of the words asked (nor their forms, nor a value of the kind asked for) is only near
    # the question in meaning: "plays for 14 hours at moderate volume" does not say how loud it goes. On the
    # development sets this declined 6 more unanswerable questions for 5 answerable ones, which let the
    # relevance threshold come down from 0.37 to 0.30.
    days = dates.asked(question)  # a day named as its date ("Boxing Day" as "26 December") is a word asked, said
    if asked:
        answering = [c for c in answering if c.lexical > 0 or dates.names(c.dated, days)]
        if not answering:
            return Evidence(question, written, reason=f"no sentence about it says {', '.join(asked)}")
    # Nor one that does not say the thing asked for (:mod:`tools.kb.focus`), in any of its words.
    # A period ("the yearly cost") is the dimension's check, made above.
    wanted_words = [w for w in focus.focus_words(question) if w not in name_words | PERIOD_WORDS]
    # the page and section a sentence sits in say what it is about: a row "Flex 10 - Monthly price: £165"
    # under "Membership plans > Plans at a glance" prices the "Flex 10 membership"
    sections = {d["n"]: _forms(str(d.get("section", ""))) for d in documents}
    if wanted_words:
        acronyms = {a.lower() for a in _ACRONYM.findall(question)}
        answering = [
            c
            for c in answering
            if any(
                _says_asked(c.forms, w)
                or _says_asked(sections[c.n], w)
                or (w.removesuffix("s") in acronyms and _spelled_out(w.removesuffix("s"), f"{c.text} {c.heading}"))
                for w in wanted_words
            )
            # the kind of contact asked for is the thing itself: a postal address does not give an "email address"
            and all(_says(c.forms, w) for w in wanted_words if w in focus.CONTACT_KINDS)
        ]
        if not answering:
            return Evidence(question, written, reason=f"no sentence about it says {' '.join(wanted_words)}")
    # Nor a price of another thing: what is priced ("to <verb> <object>", "for <object>") is said in one of its
    # words. When the object holds the asked name, the name's checks above have read it: only the verb is left
    # ("the fee for moving a Fibre 500 connection" is not the Fibre 500's monthly price).
    verb, thing = focus.priced_words(question)
    priced = [w for w in (verb if name_words & set(thing) else verb + thing) if w not in PERIOD_WORDS]
    if priced:
        # "Fitting prices > Extras: Run-flat tyres: £10 surcharge" prices fitting them
        answering = [
            c for c in answering if any(_says_priced(c.forms, w) or _says_priced(sections[c.n], w) for w in priced)
        ]
        if not answering:
            return Evidence(question, written, reason=f"no sentence about it prices {' '.join(priced)}")
    occasions = _occasions(question)  # named or not: "Easter Monday" is not any Monday
    if occasions:
        answering = [c for c in answering if all(o.said_by(c) for o in occasions)]
        # the day itself before a stretch of days that holds it (an event running "27 November – 30 December")
        answering = [c for c in answering if all(o.said_by(c, in_range=False) for o in occasions)] or answering
        if not answering:
            said = " ".join(" ".join(o.ways[0]) for o in occasions)
            return Evidence(question, written, reason=f"no sentence about it says {said}")
    # A when-question about a beginning, a joining, a birth or an ending is answered by a sentence that says one
    # of that kind (:mod:`tools.kb.events`): a date beside the asked name can be of anything else that happened to
    # it. Not for versions: a changelog's heading gives a release's date without saying "released".
    versioned = VERSION_QUESTION.search(question) or _VERSION_NUMBER.search(question)
    event = events.asked(asking) if asking is not None and not versioned else None
    if event:
        # with a second thing asked ("... and how many routes are there"), a sentence that states no time answers that
        also = len(_ASKED_TOO.split(question)) > 1
        answering = [
            c for c in answering if events.said(event, f"{c.text} {c.heading}") or (also and not TIME.search(quoted(c)))
        ]
        if not answering:
            return Evidence(question, written, reason=f"no sentence about it says when it happened ({event})")
    # Nor is a price alone ("Price: £185") when the question names no product and says what it prices in
    # words: "how much are the holiday clubs" is not answered by a party's price. With a product named, the
    # words beside its name are often only its kind ("the Flex 10 membership"), which a price row leaves out.
    # Only prices: a time asked as "when can I ring" is fairly answered by "the phone line opens".
    subject = [t for t in asked if t not in KINDED | PERIOD_WORDS and t not in attribute_words(question)]
    if subject and not wanted and MONEY_QUESTION.search(question):
        answering = [c for c in answering if any(_says(c.forms, t) for t in subject)]
        if not answering:
            return Evidence(question, written, reason=f"no sentence about it says {', '.join(subject)}")
    # A table row answers for its own label: a question that says none of a row's words ("the deposit to hire
    # a drum kit") is not answered by the trumpet's row. Asked names have had their own checks, and a question
    # that asks which row it is ("which size should I get?") is answered by a label it cannot say.
    if not wanted and not WHICH_QUESTION.search(question) and not _asks_who(question):
        row_words = _row_words_asked(question)
        answering = [c for c in answering if _speaks_of_row(c, row_words) or dates.covers(c.text, days)]
        if not answering:
            return Evidence(question, written, reason="no table row in the sources is for what it asks about")
    # A sentence whose dates are another stretch of the year ("Spring: 14 February – 31 May") is not the answer
    # for a day or month asked ("in August") when one whose range covers it is there.
    if days:
        in_range = [c for c in answering if _covers(c, days) is not False]
        answering = in_range or answering
    # A sentence that names what was asked about answers before one that names other things and only shares
    # its chunk with the name: in a timeline, "2016 – ... Harrow Road opens" says when Harrow Road opened,
    # "1998 – ... open the first clinic on Mill Lane" does not, however many of the question's words it has.
    if wanted and any(c.level >= entities.SHORTER for c in answering):
        answering = [c for c in answering if c.level >= entities.SHORTER or not _names_others(c.text)]
    # Today's figures answer before those under a heading for the past ("Previous tariffs (2024 to 2025)"), and
    # the past's before today's when the question asks about the past ("before the prices went up").
    past = [c for c in answering if PAST_HEADING.search(c.heading)]
    if past and len(past) < len(answering):
        answering = past if PAST_QUESTION.search(question) else [c for c in answering if c not in past]
    # A price table's season or year (in its heading or caption): without a year of its own, a question asks about
    # the newest one the sources give ("the brown bin this year"), or an older one when it asks about the past
    # ("before the price went up").
    periods = {id(c): _period(c) for c in answering}
    dated = {p for p in periods.values() if p is not None}
    # With a year asked ("sailing at the end of July 2027"), a row of another year's prices does not answer it:
    # "Water Centre: Peak 2026" is last year's figure, not the one asked for.
    asked_years = {int(y) for y in re.findall(YEAR, question)}
    if asked_years and dated:
        answering = [c for c in answering if periods[id(c)] is None or _row_years(c) & asked_years]
        if not answering:
            return Evidence(question, written, reason="the sources give those figures only for other years")
    if dated and not re.search(YEAR, question):
        if len(dated) > 1 and not WHEN_QUESTION.search(question):
            newest = max(dated)
            past_asked = bool(PAST_QUESTION.search(question))
            answering = [
                c
                for c in answering
                if (year := periods[id(c)]) is None or (year < newest if past_asked else year == newest)
            ]
        elif (
            len(dated) == 1
            and LAST_PERIOD_QUESTION.search(question)
            and not NOW_TOO.search(question)
            and not any(PAST_HEADING.search(c.heading) for c in answering)
        ):
            # "what did it cost last year" where the sources date their rows with one year only, under no heading
            # for the past: those rows are the figures the pages give now, not last year's
            answering = [c for c in answering if periods[id(c)] is None]
            if not answering:
                return Evidence(
                    question, written, reason="the sources give only one year's figures, not the earlier ones"
                )
    # A sentence led by the asked name itself answers before one led by a longer name that holds it, or by another
    # name: the "Nest 2 Pro Home Set" (a bundle), the "Arc 500 Ear Cushions" and the "Corvid Dock Pro — Compatible
    # with: Nest 2 Pro" (accessories) do not say what the Nest 2 Pro or the Arc 500 is or costs.
    if wanted and any(c.subject and not c.labels_another for c in answering):
        answering = [c for c in answering if not c.labels_another]
    # Further quotes must be nearly as good as the best one; a weak second quote is noise.
    chosen = [c for c in answering[:limit] if c.score >= NEAR_BEST * answering[0].score]
    return Evidence(question, written, chosen)


def _period(candidate: Candidate) -> int | None:
    """The newest year a table row's heading or label gives (a season "2025/26" is 2025), if any.

    Only table rows (:data:`_ROW_LABEL`): a sentence's own dates ("opened on 1 April 2025") and a timeline's
    items ("2016 — Harrow Road opens") say when things happened, not which year's figures a row gives.
    """
    said = _row_heading_and_label(candidate)
    years = [int(y) for y in re.findall(YEAR, said)]
    return max(years) if years else None


def _row_heading_and_label(candidate: Candidate) -> str:
    """A table row's heading and label, where its year is given; empty for a sentence that is no row."""
    row = _ROW_LABEL.match(candidate.text)
    return f"{candidate.heading} {row.group(1)}" if row else ""


_SEASON_YEARS = re.compile(r"\b((?:19|20)\d\d)\s*[/–-]\s*(\d\d)\b(?![/–-]\d)")  # "2025/26"; not "2025-06-01"


def _row_years(candidate: Candidate) -> set[int]:
    """Every year a table row's heading or label gives its figures for, a season's second year too."""
    said = _row_heading_and_label(candidate)
    years = {int(y) for y in re.findall(YEAR, said)}
    return years | {
        int(m.group(1)) + 1 for m in _SEASON_YEARS.finditer(said) if int(m.group(2)) == (int(m.group(1)) + 1) % 100
    }


def quoted(candidate: Candidate) -> str:
    """The sentence as it is quoted, with its heading in front when the heading carries a number it lacks.

    The heading's number (a changelog's version, a table's year) is often what was asked.
    """
    head_numbers = {t for t in tokens(candidate.heading) if any(c.isdigit() for c in t)}
    if head_numbers - set(tokens(candidate.text)):
        return f"{candidate.heading}: {candidate.text}"
    return candidate.text
