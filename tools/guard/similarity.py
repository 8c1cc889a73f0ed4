"""The attack-similarity layer: how close a request is, in meaning, to known attacks.

The bank (``rules/attacks.jsonl``) is embedded once with the shared embedding model; a request's
score is its highest cosine similarity to any entry. Paraphrases that no rule spells out still
land near an entry.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np

from tools.jsonl import parse_lines
from tools.kb.embeddings import get_embeddings
from tools.settings import get_settings

BANK_FILE = Path(__file__).parent / "rules" / "attacks.jsonl"
_banks: dict[str, tuple[np.ndarray, list[dict]]] = {}
_lock = threading.Lock()


def _bank() -> tuple[np.ndarray, list[dict]]:
    spec = get_settings().embeddings
    with _lock:
        if spec not in _banks:
            rows = [row for _, row in parse_lines(BANK_FILE.read_text(encoding="utf-8").splitlines(), str(BANK_FILE))]
            vectors = np.asarray(get_embeddings().embed_documents([r["text"] for r in rows]), dtype=np.float32)
            vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
            _banks[spec] = (vectors, rows)
        return _banks[spec]


def nearest_attack(text: str) -> tuple[float, dict]:
    """(highest cosine similarity, the bank entry it belongs to)."""
    vectors, rows = _bank()
    query = np.asarray(get_embeddings().embed_query(text), dtype=np.float32)
    query /= max(float(np.linalg.norm(query)), 1e-9)
    sims = vectors @ query
    best = int(np.argmax(sims))
    return float(sims[best]), rows[best]


def clear_cache() -> None:
    with _lock:
        _banks.clear()
