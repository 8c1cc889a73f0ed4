"""The guard's learned layer: its training data keeps clear of every held-out set, the trained head
names content-safety categories, and its verdict reaches the refusal's wording."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tools.guard.training_data import BENIGN, INJECTION, harm_categories, rows

SETS = Path(__file__).resolve().parents[2] / "evals" / "guardrails"


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def test_no_held_out_text_or_near_duplicate_is_training_data():
    """The sets scored once as held-out since the learned layer (evals.guardrails.UNSEEN); the older
    ones are development sets now: their misses went into the banks, as their notes say."""
    from evals.guardrails import UNSEEN

    training = [(r.text, _words(r.text)) for r in rows()]
    paths = [SETS / f"{name}_{kind}.jsonl" for name in UNSEEN for kind in ("attacks", "benign")]
    assert paths and all(p.is_file() for p in paths)
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            words = _words(text)
            for seen, seen_words in training:
                overlap = len(words & seen_words) / max(len(words | seen_words), 1)
                contained = text.lower() in seen.lower() or seen.lower() in text.lower()
                assert overlap < 0.7 and not contained, (path.name, text, seen)


def test_training_rows_cover_every_class_and_keep_their_seed():
    data = rows()
    labels = {r.label for r in data}
    assert labels == {BENIGN, INJECTION, *harm_categories()}
    for label in labels:
        assert sum(r.label == label for r in data) >= 100, label
    # variants of one task share its group, so cross-validation never tests on a sibling of a training row
    groups = {}
    for r in data:
        groups.setdefault(r.group, set()).add(r.label)
    assert all(len(found) == 1 for found in groups.values())
    assert max(sum(r.group == g for r in data) for g in groups) >= 5
