"""``python -m tools.guard.train [--folds 5] [--c 10] [--force] [--skip-cv] [--json]``: train the guard's learned layer.

Distils the static embedding model when this machine lacks it (tools.guard.static), reads the
training rows (tools.guard.training_data), cross-validates the classifier (tools.guard.learned) with
folds grouped by seed text (a variant never scores the text it came from), prints detection and false
positives by class, then fits on every row and writes ``<models>/guard-head.joblib`` with the figures.
Skips the work when the head on disk was trained on the same data (``--force`` retrains).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from tools.guard import learned, static
from tools.guard.training_data import BENIGN, Row, fingerprint, rows


def _policy_threshold() -> float:
    """The shipped policy's threshold for the learned layer, where the figures are reported."""
    from tools.guard.policy import cached_policy

    return cached_policy().rail("learned").threshold


@dataclass(frozen=True)
class TrainConfig:
    """How the learned layer is trained and its figures reported."""

    folds: int = 5
    c: float = 10.0  # inverse regularisation strength of the logistic regression
    threshold: float = field(default_factory=_policy_threshold)  # the figures are reported where the policy blocks
    seed: int = 0
    force: bool = False
    skip_cv: bool = False  # make setup: the head alone (~15 s); the figures come with a plain run


def _ngrams() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    return make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
    )


def _classifier(config: TrainConfig, labels: np.ndarray) -> Any:
    from sklearn.linear_model import LogisticRegression

    # Benign against all harm together weighs half, and each harm class shares the other half by its
    # rows: sklearn's "balanced" gave each of nine harm classes benign's weight and flagged a third of benign.
    benign, harmful = int((labels == BENIGN).sum()), int((labels != BENIGN).sum())
    weights = {c: len(labels) / (2 * (benign if c == BENIGN else harmful)) for c in set(labels)}
    return LogisticRegression(C=config.c, max_iter=3000, class_weight=weights)


def fit(
    texts: list[str], labels: np.ndarray, config: TrainConfig, weights: np.ndarray | None = None
) -> tuple[Any, Any]:
    """(the fitted n-gram vectoriser, the fitted classifier); ``weights`` are the rows' own (Row.weight)."""
    ngrams = _ngrams().fit(learned.prepared(texts))
    features = learned.features(ngrams, texts)
    return ngrams, _classifier(config, labels).fit(features, labels, sample_weight=weights)


def fit_rows(data: list[Row], config: TrainConfig) -> tuple[Any, Any]:
    """:func:`fit` on training rows, each with its own weight."""
    return fit([r.text for r in data], np.array([r.label for r in data]), config, np.array([r.weight for r in data]))


def cross_validate(data: list[Row], config: TrainConfig) -> dict[str, Any]:
    """Out-of-fold figures at ``config.threshold``.

    Per class, the share flagged (not benign) and the share given the right class; for benign rows the share
    flagged is the false-positive rate.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    labels = np.array([r.label for r in data])
    groups = np.array([r.group for r in data])
    flagged = np.zeros(len(data), dtype=bool)
    predicted = np.empty(len(data), dtype=object)
    splitter = StratifiedGroupKFold(n_splits=config.folds, shuffle=True, random_state=config.seed)
    texts = [r.text for r in data]
    weights = np.array([r.weight for r in data])
    for train, test in splitter.split(texts, labels, groups):
        ngrams, model = fit([texts[i] for i in train], labels[train], config, weights[train])
        probabilities = model.predict_proba(learned.features(ngrams, [texts[i] for i in test]))
        benign = list(model.classes_).index(BENIGN)
        flagged[test] = 1.0 - probabilities[:, benign] >= config.threshold
        others = probabilities.copy()
        others[:, benign] = -1.0
        predicted[test] = model.classes_[np.argmax(others, axis=1)]
    by_class = {}
    for label in sorted(set(labels)):
        mask = labels == label
        entry = {"rows": int(mask.sum()), "flagged": round(float(flagged[mask].mean()), 3)}
        if label != BENIGN:
            entry["right_class"] = round(float((flagged & (predicted == label))[mask].mean()), 3)
        by_class[label] = entry
    harmful = labels != BENIGN
    return {
        "folds": config.folds,
        "threshold": config.threshold,
        "detection": round(float(flagged[harmful].mean()), 3),
        "false_positives": round(float(flagged[~harmful].mean()), 3),
        "by_class": by_class,
    }


def train(config: TrainConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    if not static.is_built():
        log("distilling the static embedding model from the shipped MiniLM (once per machine, about a minute) ...")
        static.build()
    data_print = fingerprint()
    path = learned.head_path()
    recipe = asdict(config) | {"force": False, "skip_cv": False}  # what decides the weights
    if path.is_file() and not config.force:
        current = learned.load_head()
        if current.get("data") == data_print and current.get("config") == recipe and (current["cv"] or config.skip_cv):
            log(f"{path} is up to date (data {data_print}); --force retrains")
            return current["cv"] or {}
    started = time.perf_counter()
    data = rows(config.seed)
    figures: dict[str, Any] = {}
    if not config.skip_cv:
        log(f"cross-validating on {len(data)} rows ({config.folds} folds grouped by seed text) ...")
        figures = cross_validate(data, config)
    log(f"fitting on all {len(data)} rows ...")
    ngrams, model = fit_rows(data, config)
    learned.save_head(
        path,
        {
            "ngrams": ngrams,
            "model": model,
            "data": data_print,
            "cv": figures,
            "config": recipe,
            "embedding": static.FOLDER,
            "rows": len(data),
        },
    )
    learned.clear_cache()
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


def _show(figures: dict[str, Any]) -> None:
    print(f"\n{'class':16s} rows  flagged  right class   (cross-validated, threshold {figures['threshold']})")
    for label, entry in figures["by_class"].items():
        right = f"{entry['right_class']:.3f}" if "right_class" in entry else "  -  "
        print(f"{label:16s} {entry['rows']:4d}  {entry['flagged']:.3f}    {right}")
    print(f"\ndetection {figures['detection']:.3f}, false positives {figures['false_positives']:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.guard.train", description=__doc__.splitlines()[0])
    defaults = TrainConfig()
    parser.add_argument("--folds", type=int, default=defaults.folds)
    parser.add_argument("--c", type=float, default=defaults.c, help="inverse regularisation strength")
    parser.add_argument(
        "--threshold", type=float, default=defaults.threshold, help="threshold the figures are reported at"
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--force", action="store_true", help="retrain even when the head is up to date")
    parser.add_argument("--skip-cv", action="store_true", help="fit the head without the cross-validated figures")
    parser.add_argument("--json", action="store_true", help="end with one line of figures")
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    if not 0 < args.threshold < 1:
        parser.error("--threshold must be between 0 and 1")
    config = TrainConfig(args.folds, args.c, args.threshold, args.seed, args.force, args.skip_cv)
    figures = train(config, log=lambda line: print(line, file=sys.stderr))
    if args.json:
        print(json.dumps(figures))
    elif "by_class" in figures:
        _show(figures)
        print(f"head: {learned.head_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
