"""The attack-similarity layer: how close a request is, in meaning, to known attacks.

Two banks are embedded once with the shared embedding model: phrasings of attacks
(``rules/attacks.jsonl``) and harmless requests that look like them (``rules/benign.jsonl``: security
questions, "ignore the typo", "act as a tutor"). The request and each of its sentences are compared
with both; a piece counts as an attack when it is close to an attack (``score``) and closer to it than
to any harmless look-alike by a ``margin``. Scoring sentences as well as the whole request finds an
instruction planted inside a harmless wrapper ("summarise this email: ...").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tools.guard import static
from tools.jsonl import read_values
from tools.kb.embeddings import get_embeddings, unit_rows
from tools.resources import Resources
from tools.settings import get_settings

ATTACK_BANK = Path(__file__).parent / "rules" / "attacks.jsonl"
BENIGN_BANK = Path(__file__).parent / "rules" / "benign.jsonl"
# A single quote opens or closes a quotation only beside a non-letter: "don't" stays one word
_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|[\"()\[\]<>]|(?<!\w)'|'(?!\w)")
MIN_PIECE_WORDS = 4  # shorter pieces ("how do I print") sit near too many attacks
_banks: Resources[tuple[np.ndarray, list[dict[str, Any]], np.ndarray]] = Resources("guard similarity banks")


@dataclass(frozen=True)
class Closeness:
    """How close a request's most attack-like piece is to the nearest known attack."""

    score: float  # cosine similarity of the most attack-like piece to its nearest attack
    margin: float  # that similarity minus the piece's similarity to the nearest harmless request
    technique: str  # the nearest attack's technique
    piece: str  # the part of the request that scored


def _encoder(name: str) -> Callable[[list[str]], np.ndarray]:
    """Unit vectors for texts, by the encoder ``name``.

    ``static`` (tools.guard.static: the whole prompt in milliseconds) or ``embeddings`` (the knowledge base's
    embedding model: MiniLM, about 1 ms a token on 2 cores).
    """
    if name == "static":
        return static.embed
    if name != "embeddings":
        raise ValueError(f"similarity encoder {name!r}: use static or embeddings.")

    def embed(texts: list[str]) -> np.ndarray:
        # The whole text apart from its sentences: in one batch every sentence is padded to the whole
        # text's length (256 tokens), which made a 2,000-character request 5x slower to embed.
        documents = get_embeddings().embed_documents
        return unit_rows(documents(texts[:1]) + (documents(texts[1:]) if len(texts) > 1 else []))

    return embed


def _bank(encoder: str) -> tuple[np.ndarray, list[dict[str, Any]], np.ndarray]:
    def build() -> tuple[np.ndarray, list[dict[str, Any]], np.ndarray]:
        attacks, benign = read_values(ATTACK_BANK), read_values(BENIGN_BANK)
        embed = _encoder(encoder)
        return embed([r["text"] for r in attacks]), attacks, embed([r["text"] for r in benign])

    key = encoder if encoder == "static" else get_settings().embeddings
    return _banks.get(key, build)


def pieces(text: str) -> list[str]:
    """The whole text and each sentence or quoted part of it with enough words to mean something."""
    parts = [p.strip() for p in _SPLIT.split(text) if len(p.split()) >= MIN_PIECE_WORDS]
    return list(dict.fromkeys([text, *parts]))


def closeness(
    text: str, margin: float = 0.0, encoder: str = "embeddings", read: tuple[list[str], np.ndarray] | None = None
) -> Closeness:
    """The most attack-like piece of ``text``: preferring pieces whose margin reaches ``margin``.

    ``read``: the text's pieces and their static vectors when the caller has them (the learned layer
    reads the same), for the static encoder only.
    """
    attack_vectors, attacks, benign_vectors = _bank(encoder)
    if read is not None and encoder == "static":
        parts, vectors = read
    else:
        parts = pieces(text)
        vectors = _encoder(encoder)(parts)
    to_attacks = vectors @ attack_vectors.T
    best_attack = to_attacks.max(axis=1)
    margins = best_attack - (vectors @ benign_vectors.T).max(axis=1)
    eligible = np.where(margins >= margin, best_attack, -1.0)
    i = int(np.argmax(eligible)) if eligible.max() > -1.0 else int(np.argmax(best_attack))
    nearest = attacks[int(np.argmax(to_attacks[i]))]
    return Closeness(round(float(best_attack[i]), 4), round(float(margins[i]), 4), nearest["technique"], parts[i])


def clear_cache() -> None:
    _banks.clear()
