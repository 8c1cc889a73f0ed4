"""Is an answer supported by the text it was given? Lexical support per sentence, no model needed.

A sentence is supported by a source when most of its content words appear in it. Cheap and
predictable, which is what an output rail needs; it cannot see paraphrase, so its threshold is low.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tools.kb.keyword import tokens

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# A full stop after these does not end a sentence ("Approx. floor area: 10 ft", "Dr. Amos", "No. 4",
# "Max. group size"); a sentence tokenizer's model is more than this needs, and none ships here.
_ABBREVIATION = re.compile(
    r"(?:^|[\s(])(?:approx|e\.g|i\.e|vs|incl|excl|dr|mr|mrs|ms|prof|fig|no|max|tel)\.$", re.IGNORECASE
)
_PARAGRAPH = re.compile(r"\n\s*\n")
_BLOCK_START = re.compile(r"^\s*(#|[-*+] |\d+[.)] |\|)")
_CITE = re.compile(r"\[(\d{1,2})\]")
SUPPORTED = 0.5
MIN_WORDS = 3


def sentences(text: str) -> list[str]:
    """Sentences, with hard-wrapped lines joined back (headings and list items stay on their own)."""
    out: list[str] = []
    for paragraph in _PARAGRAPH.split(text):
        blocks: list[str] = []
        ended = False  # a line ending in two spaces ends its paragraph (how the header splitter keeps blank lines)
        for line in paragraph.splitlines():
            if (
                blocks
                and line.strip()
                and not ended
                and not _BLOCK_START.match(line)
                and not _BLOCK_START.match(blocks[-1])
            ):
                blocks[-1] += " " + line.strip()
            elif line.strip():
                blocks.append(line.strip())
            ended = line.endswith("  ")
        for block in blocks:
            out.extend(_rejoin_abbreviations([s.strip() for s in _SENTENCE_END.split(block) if s.strip()]))
    return out


def _rejoin_abbreviations(parts: list[str]) -> list[str]:
    joined: list[str] = []
    for part in parts:
        if (
            joined
            and _ABBREVIATION.search(joined[-1])
            and not (joined[-1].lower().endswith("no.") and not part[:1].isdigit())
        ):
            joined[-1] += " " + part
        else:
            joined.append(part)
    return joined


def numbers(text: str) -> set[str]:
    """The numbers a text states (citation markers left out), as keyword tokens: "4.2.1" gives 4, 2 and 1."""
    return {w for w in tokens(_CITE.sub("", text)) if w.isdigit()}


def cited_numbers(text: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in _CITE.findall(text)))


def support(sentence: str, source: str) -> float:
    """Share of the sentence's content words found in the source (1.0 = all).

    0 when it states a number the source does not have (numbers are where small models invent facts).
    """
    words = set(tokens(_CITE.sub("", sentence)))
    if not words:
        return 1.0
    present = set(tokens(source))
    if any(w.isdigit() and w not in present for w in words):
        return 0.0
    return len(words & present) / len(words)


def responsive(answer: str, question: str) -> float:
    """Share of the question's content words the answer takes up (does it answer *this* question?)."""
    wanted = set(tokens(question))
    return len(wanted & set(tokens(answer))) / len(wanted) if wanted else 1.0


@dataclass
class Grounding:
    """An answer's sentences split into those some source supports (and which) and those none does."""

    supported: list[tuple[str, int]] = field(default_factory=list)  # (sentence, source number)
    unsupported: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        total = len(self.supported) + len(self.unsupported)
        return len(self.supported) / total if total else 1.0


def check(answer: str, sources: dict[int, str]) -> Grounding:
    """Which answer sentences some source supports, and by which (the best-supporting one)."""
    result = Grounding()
    for sentence in sentences(answer):
        if len(tokens(_CITE.sub("", sentence))) < MIN_WORDS:
            continue  # too short to judge ("Yes." / "[1]")
        best_n, best = 0, 0.0
        for n, text in sources.items():
            score = support(sentence, text)
            if score > best:
                best_n, best = n, score
        if best >= SUPPORTED:
            result.supported.append((sentence, best_n))
        else:
            result.unsupported.append(sentence)
    return result
