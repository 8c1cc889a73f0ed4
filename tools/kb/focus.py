"""The thing a question asks for, in its own words: "interest" in "what interest do you charge ...".

A sentence can share a question's names and most of its words and still not say what it asks for:
"Child seat not returned — Fee: £45" does not say what adding a child seat costs, and "Boot: 286 litres"
under another car does not say how big this one's boot is. The noun phrase after "what", "which",
"who is", "is there a" or "does ... have a" names the thing asked for; an answering sentence says at
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
    re.compile(r"\bis there (?:a|an|any)\s+(?P<np>[\w\s-]+)", re.I),
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
)
# Heads that name the kind of value, which a sentence states as the value itself ("what's their name" is
# answered by "Gareth has managed ..."; "what's the most I'd pay" by "up to £20"). They ask for nothing
# a sentence must say in words.
GENERIC = frozenset(
    "name names number way kind sort type thing things option options deal help time times day days date dates "
    "year years age city town place country countries most least maximum minimum max min amount called happens happen "
    "difference best latest newest one ones current present".split()
    # a superlative asks for the value at one end: "what's the earliest we can get in" is answered by "from 3pm"
    + "earliest soonest longest shortest highest lowest biggest smallest largest fastest slowest furthest".split()
    # words that point back at what the question said before: "my ear pads are worn: how much are replacements?"
    + "replacement replacements".split()
)

# Words that say which kind of contact is asked for ("email address", "fax number"): an answering sentence
# must say that one (an email address itself says "email"), not only the head it shares with another kind.
CONTACT_KINDS = frozenset({"email", "fax"})

MAX_CHARS = 300  # a question's asking part; the patterns need not read a pasted page after it


def focus_words(question: str) -> list[str]:
    """The words of the thing asked for, without those naming only a kind of value; [] when none is found."""
    question = question[:MAX_CHARS]
    for pattern in _PATTERNS:
        match = pattern.search(question)
        if not match:
            continue
        words = []
        for word in match.group("np").lower().split():
            if word in _ENDS:
                break
            words.append(word)
        if words:
            return [w for w in words if w not in GENERIC and w != "or"]
    return []
