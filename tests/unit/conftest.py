from __future__ import annotations

import pytest

from graph import router
from tools import resources


@pytest.fixture(autouse=True)
def fake_default_model(monkeypatch: pytest.MonkeyPatch):
    """Unit tests never load weights: the echo model and hash embeddings, built fresh per test."""
    monkeypatch.setenv("TAILOR_MODEL", "fake:echo")
    monkeypatch.setenv("TAILOR_EMBEDDINGS", "fake:64")
    _clear()
    yield
    _clear()


class _NoOpinion:
    """Hash embeddings carry no meaning, so exemplar similarities would route at random: pin them level."""

    def scores(self, text):
        labels = ("direct", "few_shot", "cot", "self_consistency", "tot", "rag")
        return {label: 0.0 for label in labels}, {label: "" for label in labels}


@pytest.fixture(autouse=True)
def level_exemplars(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(router, "_exemplars_now", lambda: _NoOpinion())


def _clear() -> None:
    resources.clear_all()
