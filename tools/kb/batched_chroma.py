"""LangChain's Chroma vector store with each write held as one batch of :mod:`tools.kb.access`.

The texts are embedded before the batch starts (embedding is the slow part), so readers in other
processes wait only for Chroma's own write. The same batch writes the chunks' keywords to the
collection's BM25 index (:mod:`tools.kb.keyword`), so the two stay in step as files come and go.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

if TYPE_CHECKING:
    from tools.kb.keyword import KeywordIndex


class _Embedded(Embeddings):
    """Hands back vectors computed ahead for exactly these texts; anything else goes to the model."""

    def __init__(self, inner: Embeddings, texts: list[str]) -> None:
        self.inner, self.texts = inner, texts
        self.vectors = inner.embed_documents(texts) if texts else []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.vectors if list(texts) == self.texts else self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


class BatchedChroma(Chroma):
    """LangChain's Chroma vector store whose every write is one batch that also updates the keyword index."""

    def __init__(self, *args: Any, batch: Callable[[], AbstractContextManager[None]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._batch = batch

    def _keywords(self) -> KeywordIndex:
        from tools.kb.keyword import index_path, opened

        return opened(index_path(self._collection.name))

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[str, Any]] | None = None,
        ids: list[str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        texts = list(texts)
        model = self._embedding_function
        ahead = _Embedded(model, texts) if model is not None else None
        self._embedding_function = ahead
        try:
            with self._batch():
                added = super().add_texts(texts, metadatas=metadatas, ids=ids, **kwargs)
                self._keywords().add(added, texts, str(self._collection.id))
                return added
        finally:
            self._embedding_function = model

    def delete(self, ids: Sequence[str] | None = None, **kwargs: Any) -> None:
        with self._batch():
            super().delete(ids=list(ids) if ids is not None else None, **kwargs)
            if ids is not None:
                self._keywords().delete(list(ids), str(self._collection.id))
