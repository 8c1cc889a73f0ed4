"""The happening a when-question asks about: "opened" in "what year did the Riverside North site open?".

A sentence can give a date about the asked thing and still not say when the asked thing happened: "From 6
January 2025 Millgate is reopening its NHS list" does not say when Millgate joined the group, and "2024 – Dr
Bell retires" is not when he was born. So a when-question that names a beginning, a joining, a birth or an
ending is answered only by a sentence that says one of the same kind, in any of its words ("founded", "set up"
and "opened" all begin). Written here because the kinds are few and English only; a parser or a model that
reads tense would need more than this project ships.
"""

from __future__ import annotations

import re

# Each kind of happening and the words that say it; matched at the start of a word, so "open" is "opened",
# "opening" and "opens", and "launch" is "launched".
KINDS: dict[str, tuple[str, ...]] = {
    "beginning": (
        "start",
        "began",
        "begin",
        "launch",
        "open",
        "reopen",
        "found",
        "establish",
        "set up",
        "introduc",
        "releas",
        "came out",
        "come out",
        "comes out",
        "coming out",
        "debut",
        "arriv",
        "available",
        "go live",
        "went live",
        "roll out",
        "rolled out",
        "first",
    ),
    "joining": ("join", "became part", "become part", "acquir", "merg", "took over", "taken over", "bought"),
    "birth": ("born", "birth"),
    "ending": ("clos", "shut", "retir", "discontinu", "withdr", "ended", "stopped", "ceased"),
}
# A happening once, past or to come ("when did it open", "what year was he born", "when will it be available",
# "when are you launching"), not a schedule ("when does the pool close", "what time do quiet hours start"),
# which opening hours answer without the verb.
_ONCE = re.compile(
    r"\b(?:did|was|were|has|have|will|going to)\b|\bwhat year\b|\b(?:are|is) (?:you|they|we|it|\w+) \w+ing\b",
    re.IGNORECASE,
)
# A release asked for by its name ("what date was that release", "the update"): the version checks answer it.
_RELEASE = re.compile(r"\b(?:release|update|version|firmware)\b", re.IGNORECASE)
# "When did the app start supporting ...": the happening is the second verb, which no kind covers.
_START_DOING = re.compile(r"\b(?:start|begin|began|started)(?:ed|s)?\s+\w+ing\b", re.IGNORECASE)


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")", re.IGNORECASE)


_SAYS = {kind: _pattern(words) for kind, words in KINDS.items()}
# A question names its happening by the kinds' words less "first", which only qualifies one ("first open").
_ASKS = {kind: _pattern(tuple(w for w in words if w != "first")) for kind, words in KINDS.items()}


def asked(question: str) -> str | None:
    """The kind of happening a when-question names, or None (also when it names more than one kind)."""
    if not _ONCE.search(question) or _RELEASE.search(question):
        return None
    question = _START_DOING.sub(" ", question)
    kinds = [kind for kind, pattern in _ASKS.items() if pattern.search(question)]
    return kinds[0] if len(kinds) == 1 else None


def said(kind: str, text: str) -> bool:
    """Whether ``text`` says a happening of that kind."""
    return bool(_SAYS[kind].search(text))
