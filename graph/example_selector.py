"""Examples chosen per request by meaning.

LangChain's SemanticSimilarityExampleSelector over an in-memory vector store of an example bank, embedded once
per process with the shared embedding model.
"""

from __future__ import annotations

from typing import Any

from langchain_core.example_selectors import SemanticSimilarityExampleSelector
from langchain_core.vectorstores import InMemoryVectorStore

import prompts
from tools.kb.embeddings import get_embeddings
from tools.resources import Resources
from tools.settings import get_settings

FEW_SHOT_BANKS = (
    "examples/sentiment",
    "examples/intent",
    "examples/extraction",
    "examples/rewriting",
    "examples/arithmetic",
)
COT_BANKS = ("examples/arithmetic",)
MAX_K = 16

_selectors: Resources[SemanticSimilarityExampleSelector] = Resources("example selectors")


def _selector(banks: tuple[str, ...]) -> SemanticSimilarityExampleSelector:
    def build() -> SemanticSimilarityExampleSelector:
        examples = [dict(row) for bank in banks for row in prompts.records(bank)]
        return SemanticSimilarityExampleSelector.from_examples(
            examples, get_embeddings(), InMemoryVectorStore, k=MAX_K, input_keys=["input"]
        )

    return _selectors.get((banks, get_settings().embeddings), build)


def select(banks: tuple[str, ...], request: str, k: int) -> list[dict[str, Any]]:
    """The ``k`` examples closest in meaning to ``request``, closest first (blocking: embeds)."""
    if k <= 0:
        return []
    return _selector(banks).select_examples({"input": request})[:k]


def clear_cache() -> None:
    _selectors.clear()
