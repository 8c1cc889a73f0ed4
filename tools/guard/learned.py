"""The learned layer: a logistic-regression classifier over each piece of a request.

Features: word and character n-grams (TF-IDF: the wording of a request, "without getting caught")
beside the static embedding of the piece (tools.guard.static: its meaning, so a synonym lands near
the word it replaces). Trained by ``python -m tools.guard.train`` (``make setup`` runs it) into
``<models>/guard-head.joblib``, with one class per kind of request: ``benign``, ``injection`` and the
content-safety categories of ``rules/harm.yaml``. A request is read as its whole text and each
sentence (as the similarity layer does), so one planted line in a long harmless prompt still stands
out; its score is the highest probability any piece gives to a class other than ``benign``, and its
category is that class.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tools.guard import static
from tools.guard.normalise import hidden_readings, normalise
from tools.guard.similarity import pieces
from tools.resources import Resources
from tools.settings import get_settings

HEAD_FILE = "guard-head.joblib"
BENIGN = "benign"
_heads: Resources[dict[str, Any]] = Resources("guard learned heads")


class HeadMissing(RuntimeError):
    """No trained head on this machine; the message says how to train one."""


@dataclass(frozen=True)
class Verdict:
    """The learned layer's reading of a request: its most suspicious piece, that piece's class and score."""

    score: float  # 1 - P(benign) of the most suspicious piece
    category: str  # that piece's most likely class other than benign
    piece: str
    probabilities: dict[str, float]  # that piece's class probabilities


def prepared(texts: list[str]) -> list[str]:
    """What the n-grams read: disguises undone (confusables, invisible characters), lower case."""
    return [normalise(t).lower() for t in texts]


def features(ngrams: Any, texts: list[str], vectors: np.ndarray | None = None, normalised: bool = False) -> Any:
    """The n-grams beside the static vectors (which are case-blind: the distilled MiniLM is uncased)."""
    import scipy.sparse as sparse

    ready = [t.lower() for t in texts] if normalised else prepared(texts)
    vectors = static.embed(ready) if vectors is None else vectors
    return sparse.hstack([ngrams.transform(ready), sparse.csr_matrix(vectors)]).tocsr()


def head_path(models_dir: Path | None = None) -> Path:
    return (models_dir or get_settings().models_path) / HEAD_FILE


def save_head(path: Path, head: dict[str, Any]) -> None:
    """Written to a temporary name and renamed: a reader never sees half a head."""
    import joblib

    staging = path.with_name(f".{path.name}.tmp")
    joblib.dump(head, staging)
    staging.replace(path)


def load_head(models_dir: Path | None = None) -> dict[str, Any]:
    """{"ngrams", "model", "data", "cv", ...}.

    A pickle, so only ever one this machine's own ``tools.guard.train`` wrote into its models folder (never a
    downloaded file).
    """
    path = head_path(models_dir)
    if not path.is_file():
        raise HeadMissing(
            f"the guard's learned layer has no trained head at {path}; "
            f"run `python -m tools.guard.train` (make setup does)."
        )

    def load() -> dict[str, Any]:
        import joblib

        head: dict[str, Any] = joblib.load(path)
        return head

    return _heads.get((str(path), path.stat().st_mtime_ns), load)


def read(text: str) -> tuple[list[str], np.ndarray]:
    """A normalised text's pieces (whole, each sentence, and what its disguises hide) and their vectors.

    A request hidden in hex ("77 72 69 74 65 ..."), rot13, URL escapes or spelled letter by letter is read as
    the words it spells, as the rules read it.
    """
    parts = pieces(text)
    hidden = [q for h in hidden_readings(text) for q in pieces(normalise(h))]  # pieces() starts with the whole
    parts += [p for p in dict.fromkeys(hidden) if p not in parts]
    return parts, static.embed(parts)


def assess(text: str, models_dir: Path | None = None, reading: tuple[list[str], np.ndarray] | None = None) -> Verdict:
    """The verdict on ``text``, which is normalised (tools.guard.normalise) already, as the scanner passes it.

    ``reading`` is what :func:`read` gives for it, when the caller has it.
    """
    import sklearn

    head = load_head(models_dir)
    parts, vectors = reading or read(text)
    model = head["model"]
    # The inputs are ours and finite: sklearn's own checks of them cost more than the prediction (every request).
    with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
        probabilities = model.predict_proba(features(head["ngrams"], parts, vectors, normalised=True))
    classes = [str(c) for c in model.classes_]
    benign = classes.index(BENIGN)
    worst = int(np.argmax(1.0 - probabilities[:, benign]))
    row = probabilities[worst].copy()
    row[benign] = -1.0
    return Verdict(
        round(float(1.0 - probabilities[worst, benign]), 4),
        classes[int(np.argmax(row))],
        parts[worst],
        {c: round(float(p), 4) for c, p in zip(classes, probabilities[worst], strict=True)},
    )


def clear_cache() -> None:
    _heads.clear()
