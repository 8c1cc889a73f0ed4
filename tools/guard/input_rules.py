"""The input rail's rule layer: category scores for a request, read through every disguise."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import regex
import yaml

from tools.guard import injection, languages
from tools.guard.normalise import variants
from tools.resources import Resources

RULES_FILE = Path(__file__).parent / "rules" / "input.yaml"
LEXICON_FILE = Path(__file__).parent / "rules" / "multilingual_lexicon.yaml"
LEXICON_WEIGHT = 0.85
OVERRIDE_WEIGHT = 0.9  # as input.yaml's override patterns in other languages
# Attack kinds, then content-safety kinds with their own refusal wording (prompts/guard/blocked.yaml).
CATEGORIES = (
    "override",
    "roleplay",
    "prompt_leak",
    "context_dump",
    "template",
    "harmful",
    "weapons",
    "cyber",
    "violent_crime",
    "fraud",
    "harassment",
    "self_harm",
    "child_sexual",
    "drugs",
)


_compiled: Resources[tuple[tuple[str, float, regex.Pattern], ...]] = Resources("guard input rules")


def _rules() -> tuple[tuple[str, float, regex.Pattern], ...]:
    return _compiled.get(RULES_FILE, _compile)


def _compile() -> tuple[tuple[str, float, regex.Pattern], ...]:
    # The regex module, not re: the same patterns and matches, but case-insensitive search is twice as
    # fast (a 2,000-character request's four readings: 29 ms instead of 56).
    data = yaml.load(RULES_FILE.read_text(encoding="utf-8"), Loader=languages.LOADER)
    return tuple(
        (r["category"], float(r["weight"]), regex.compile(r["pattern"], regex.IGNORECASE)) for r in data["rules"]
    )


_lexicon: Resources[tuple[regex.Pattern, tuple[tuple[str, regex.Pattern], ...]]] = Resources("guard lexicon")


def _alternation(terms: list[str], *, whole_words: bool = False) -> regex.Pattern:
    # a term starts a word in Latin, Greek, Cyrillic, Hebrew and Arabic script; elsewhere (Chinese, Japanese and
    # Thai write no spaces, Indic and Korean words take endings) it may start anywhere. ``whole_words`` ends it
    # too, in those scripts: an override's verb is an imperative, "zaboravi" (forget!) not "zaboravio" (I forgot)
    spaced = sorted({t for t in terms if t[:1].isascii() or "\u0370" <= t[:1] <= "\u06ff"}, key=len, reverse=True)
    unspaced = sorted(set(terms) - set(spaced), key=len, reverse=True)
    parts = []
    if spaced:
        parts.append(rf"(?<!\w)(?:{'|'.join(map(regex.escape, spaced))})" + (r"(?!\w)" if whole_words else ""))
    if unspaced:
        parts.append(f"(?:{'|'.join(map(regex.escape, unspaced))})")
    return regex.compile("|".join(parts), regex.IGNORECASE)


def _compile_lexicon() -> tuple[regex.Pattern, tuple[tuple[str, regex.Pattern], ...]]:
    data = yaml.load(LEXICON_FILE.read_text(encoding="utf-8"), Loader=languages.LOADER)
    packs = languages.packs()
    markers = [m for terms in data["markers"].values() for m in terms] + [m for p in packs for m in p.markers]
    topics = {
        category: [t for terms in by_language.values() for t in terms]
        for category, by_language in data["topics"].items()
    }
    for pack in packs:
        for category, terms in pack.topics.items():
            topics[category] = topics.get(category, []) + terms
    return _alternation(markers), tuple((category, _alternation(terms)) for category, terms in topics.items())


def _lexicon_scores(readings: list[str]) -> dict[str, float]:
    """Harmful requests in other languages: an asking phrase ("paso a paso") and a category's topic term.

    The other rules and the learned layer read English best (the static vectors are MiniLM's English word
    pieces); this lexicon of asking phrases and topic terms in 46 languages is our own, as no maintained
    multilingual harm lexicon ships offline.
    """
    markers, topics = _lexicon.get(LEXICON_FILE, _compile_lexicon)
    found: dict[str, float] = {}
    for reading in readings:
        if not markers.search(reading):
            continue
        for category, pattern in topics:
            if pattern.search(reading):
                found[category] = LEXICON_WEIGHT
    return found


@dataclass(frozen=True)
class _CompiledOverride:
    """One language's "ignore/forget the instructions": a verb and a noun in one sentence, the verb not negated."""

    verbs: regex.Pattern
    nouns: regex.Pattern
    negations: frozenset[str]  # words before the verb that make it advice ("älä unohda")
    negated: regex.Pattern | None  # negated forms that hold the verb ("glem ikke", Turkish "unutma")

    def said_in(self, text: str) -> bool:
        negated = [m.span() for m in self.negated.finditer(text)] if self.negated else []
        for verb in self.verbs.finditer(text):
            if any(start < verb.end() and verb.start() < end for start, end in negated):
                continue
            before = text[: verb.start()].split()
            if before and before[-1].lower().strip(",;:") in self.negations:
                continue
            sentence_start = max(text.rfind(mark, 0, verb.start()) for mark in ".!?\n") + 1
            ends = [i for i in (text.find(mark, verb.end()) for mark in ".!?\n") if i >= 0]
            sentence = text[max(sentence_start, verb.start() - _NEAR) : min([*ends, verb.end() + _NEAR])]
            if self.nouns.search(sentence):
                return True
        return False


_NEAR = 50  # characters between the verb and "instructions" either way


def _compile_overrides() -> tuple[tuple[_CompiledOverride, ...], regex.Pattern | None]:
    packs = languages.packs()
    overrides = tuple(
        _CompiledOverride(
            verbs=_alternation(p.override.verbs, whole_words=True),
            nouns=_alternation(p.override.nouns),
            negations=frozenset(w.lower() for w in p.override.negations),
            negated=_alternation(p.override.negated) if p.override.negated else None,
        )
        for p in packs
    )
    leaks = [term for p in packs for term in p.leaks]
    return overrides, _alternation(leaks) if leaks else None


_overrides: Resources[tuple[tuple[_CompiledOverride, ...], regex.Pattern | None]] = Resources("guard lexicon overrides")


def _lexicon_attacks(readings: list[str]) -> dict[str, float]:
    """Overrides and prompt leaks in the languages of the packs (:mod:`tools.guard.languages`)."""
    overrides, leaks = _overrides.get(languages.FOLDER, _compile_overrides)
    found: dict[str, float] = {}
    for reading in readings:
        if any(language.said_in(reading) for language in overrides):
            found["override"] = OVERRIDE_WEIGHT
        if leaks is not None and leaks.search(reading):
            found["prompt_leak"] = LEXICON_WEIGHT
    return found


def preload() -> None:
    _rules()
    _lexicon.get(LEXICON_FILE, _compile_lexicon)
    _overrides.get(languages.FOLDER, _compile_overrides)


def score(text: str) -> dict[str, float]:
    """{category: score} over all readings of ``text``; planted-instruction rules count as "override"."""
    scores = dict.fromkeys(CATEGORIES, 0.0)
    readings = variants(text)
    for category, weight in {**_lexicon_scores([readings[0], text]), **_lexicon_attacks([readings[0], text])}.items():
        scores[category] = max(scores[category], weight)
    for reading in readings:
        for category, weight, pattern in _rules():
            if weight > scores[category] and pattern.search(reading):
                scores[category] = weight
        planted = injection.scan(reading).score
        scores["override"] = max(scores["override"], planted)
    return scores
