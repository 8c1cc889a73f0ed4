"""The thing a question asks for, in its own words: "interest" in "what interest do you charge ...".

A sentence can share a question's names and most of its words and still not say what it asks for:
"Child seat not returned — Fee: £45" does not say what adding a child seat costs, and "Boot: 286 litres"
under another car does not say how big this one's boot is. The noun phrase after "what", "which",
"who is", "is there a", "are there" or "does ... have a" names the thing asked for; an answering sentence says at
least one of its words. Written here because the patterns are few and English only: a parser would
need a model this project does not ship.
"""

from __future__ import annotations

import re

_AUX = r"(?:is|are|was|were|does|do|did|can|could|should|will|would|has|have|had)"
_PATTERNS = (
    re.compile(
        r"\b(?:what|which)(?:['’]s|s\b| is| are| was| were)\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+['’]s\s+)?(?P<np>[\w\s-]+)",
        re.I,
    ),
    re.compile(rf"\b(?:what|which)\s+(?P<np>[\w-]+(?:\s+[\w-]+){{0,5}}?)\s+{_AUX}\b", re.I),
    re.compile(r"\bwho(?:['’]s| is| was| are)\s+(?:the\s+|a\s+|an\s+)?(?P<np>[\w\s-]+)", re.I),
    re.compile(r"\b(?:is|are) there\s+(?:(?:a|an|any|some)\s+)?(?P<np>[\w\s-]+)", re.I),
    # "how much is a junior 10-visit pass", "how much does it cost to hire a van": the thing priced
    re.compile(
        r"\bhow much (?:is|are|does|do|will|would)(?: it(?: cost)? to \w+)?\s+(?:(?:a|an|the)\s+)?(?P<np>[\w\s:-]+)",
        re.I,
    ),
    # "what does a flat white cost": the thing priced, which a price of something else beside it does not say
    re.compile(
        r"\bwhat (?:does|do|did|would|will) (?:(?:a|an|the|my|our|your)\s+)?(?P<np>[\w\s-]+?)\s+(?:cost|costs)\b",
        re.I,
    ),
    # yes-no questions only: "how many members does it have these days" asks for a count, not for "days"
    re.compile(
        r"^\W*(?:does|do|can)\s+.+?\b(?:have|has|come with|offer|include)\s+(?:(?:a|an|any|the)\s+)?(?P<np>[\w\s-]+)",
        re.I,
    ),
)
# Words that end the noun phrase: "the interest [on] late invoices", "a tow bar [if] ...". Not "or": "a slogan
# or motto" asks for either.
_ENDS = frozenset(
    "of for in at on to from with by about if when after before per than and but so i we you it they "
    "is are was were does do did can could should will would has have had get cost costs "
    "a an the your our my their this that these those".split()
    # who pays, not what is priced: "how much will each of them be paying"
    + "each every both all he she him them us".split()
)
# Heads that name the kind of value, which a sentence states as the value itself ("what's their name" is
# answered by "Gareth has managed ..."; "what's the most I'd pay" by "up to £20"). They ask for nothing
# a sentence must say in words.
GENERIC = frozenset(
    "name names number way kind sort type thing things option options deal help time times day days date dates "
    "year years age city town place country countries most least maximum minimum max min amount called happens happen "
    "difference best latest newest one ones current present level person".split()
    # a superlative asks for the value at one end: "what's the earliest we can get in" is answered by "from 3pm"
    + "earliest soonest longest shortest highest lowest biggest smallest largest fastest slowest furthest".split()
    # words that point back at what the question said before: "my ear pads are worn: how much are replacements?"
    + "replacement replacements".split()
    # "is there anything I should bring" asks for whatever it is
    + "anything something somewhere anywhere anyone someone".split()
)

# Words that say which kind of contact is asked for ("email address", "fax number"): an answering sentence
# must say that one (an email address itself says "email"), not only the head it shares with another kind.
CONTACT_KINDS = frozenset({"email", "fax"})

# "how much do you charge to lay artificial grass", "what's the fee for moving a connection": the thing priced
# follows the price, as the verb after "to" (or an -ing verb after "for") and its object. A price of something
# else in the same list ("Kids' seed sowing club — £8 per child") says neither.
_OBJECT = (
    r"\s+(?:(?:a|an|the|my|our|your|their|his|her|its|it|them|him|me|us|this|that|some|pair of)\s+)*(?P<np>[\w\s-]*)"
)
_PRICE_NOUNS = "price|prices|cost|costs|fee|fees|charge|charges|rate|rates"
# "for" or "of" right after the price: "the fee for moving", "the price of an afternoon pass", "what do adults pay
# for the rock pooling"
_PRICED_FOR = re.compile(
    rf"\b(?:(?:{_PRICE_NOUNS})\s+(?:for|of)|(?:charged|pay|paid)\s+for)(?:\s+(?P<doing>\w+ing))?" + _OBJECT,
    re.I,
)
_PRICED_TO = re.compile(
    # "how much notice do I need to give to cancel" asks for an amount of notice, not a price
    r"\b(?:how much(?=\s+(?:is|are|was|were|does|do|did|will|would|can|could|should|it|extra|more|per|for|to)\b)"
    rf"|{_PRICE_NOUNS})\b[^?.!]*?"
    # "for" further on says for whom: "how much would it be for him to climb"
    r"(?P<whom>\bfor\s+\w+\s+)?\bto\s+(?P<verb>(?:\w+\s+and\s+)?\w+)" + _OBJECT,
    re.I,
)
# "the price for my lab" is the price for whom (the dog), as "for him to climb" is
_FOR_SOMEONES = re.compile(r"\bfor\s+(?:my|our|his|her|their)\b", re.I)
# Words of such a phrase that say nothing of what is priced: "to have the van delivered", "for a full day".
_NOT_PRICED = frozenset("off up out down over back away and have get be do go make take pay full whole please".split())

MAX_CHARS = 300  # a question's asking part; the patterns need not read a pasted page after it


def _phrase(text: str) -> list[str]:
    """The noun phrase's words, up to the first word that ends it."""
    words = []
    for word in text.lower().split():
        if word in _ENDS:
            break
        words.append(word)
    return words


def focus_words(question: str) -> list[str]:
    """The words of the thing asked for, without those naming only a kind of value; [] when none is found."""
    question = question[:MAX_CHARS]
    for pattern in _PATTERNS:
        match = pattern.search(question)
        if not match:
            continue
        words = _phrase(match.group("np"))
        if words:
            return [w for w in words if w not in GENERIC and w != "or"]
    return []


def priced_words(question: str) -> tuple[list[str], list[str]]:
    """What a price question prices: (the verb, the object's words) of "to <verb> <object>" or "for <object>"."""
    match = _PRICED_FOR.search(question[:MAX_CHARS]) or _PRICED_TO.search(question[:MAX_CHARS])
    if not match or match.groupdict().get("whom") or _FOR_SOMEONES.search(match.group(0)):
        return [], []
    verb = (match.groupdict().get("verb") or match.groupdict().get("doing") or "").lower().split()
    thing = _phrase(match.group("np"))
    return [w for w in verb if w not in _NOT_PRICED], [w for w in thing if w not in GENERIC and w not in _NOT_PRICED]
