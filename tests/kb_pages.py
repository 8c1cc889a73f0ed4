"""A page split as ingest splits it, as the retrieved documents the evidence checks read."""

from __future__ import annotations

from typing import Any

import numpy as np
from langchain_core.documents import Document

from tools.kb.splitting import split


def as_documents(page: str, *, title: str, source: str = "page.md") -> list[dict[str, Any]]:
    """The chunks of a Markdown ``page``, numbered from 1, with the metadata retrieval passes on."""
    chunks = split([Document(page_content=page, metadata={"source": source, "format": "md"})], 1000, 100)
    return [
        {
            "n": n,
            "text": c.page_content,
            "title": title,
            "section": c.metadata.get("section", ""),
            "periods": c.metadata.get("periods", ""),
            "source": source,
            "chunk_id": f"c{n}",
            "score": 0.5,
        }
        for n, c in enumerate(chunks, start=1)
    ]


def alike(texts: list[str]) -> np.ndarray:
    """Every sentence as close to the question as can be: only the words decide."""
    return np.ones((len(texts), 2)) / np.sqrt(2)
