"""The optional classifier layer: a local text-classification model the user trusts, run by transformers' pipeline.

The model (e.g. a prompt-injection classifier fine-tuned for it) is loaded from a folder.

A request's score is the probability the model gives to the labels that mean "attack".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.resources import Resources

_pipelines: Resources[Callable[..., Any]] = Resources("guard classifiers")


def _pipeline(path: str) -> Callable[..., Any]:
    if not Path(path).is_dir():
        raise FileNotFoundError(
            f"classifier model folder {path!r} does not exist; set rails.classifier.model "
            f"to a local transformers text-classification folder."
        )

    def build() -> Callable[..., Any]:
        from transformers import pipeline

        return pipeline("text-classification", model=path, tokenizer=path, top_k=None, device="cpu")

    return _pipelines.get(path, build)


def attack_probability(text: str, path: str, labels: list[str] | tuple[str, ...]) -> tuple[float, dict[str, float]]:
    """(probability of the attack labels, every label's probability)."""
    classify = _pipeline(path)
    result = classify(text, truncation=True)
    rows = result[0] if result and isinstance(result[0], list) else result
    probabilities = {row["label"]: float(row["score"]) for row in rows}
    known = set(probabilities)
    missing = [label for label in labels if label not in known]
    if missing and len(missing) == len(labels):
        raise ValueError(
            f"classifier labels {list(labels)} are not among the model's labels {sorted(known)}; "
            f"set rails.classifier.labels to the ones that mean attack."
        )
    return round(sum(probabilities.get(label, 0.0) for label in labels), 4), probabilities


def clear_cache() -> None:
    _pipelines.clear()
