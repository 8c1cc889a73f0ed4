from __future__ import annotations

import pytest

from graph.models import factory


@pytest.fixture(autouse=True)
def fake_default_model(monkeypatch: pytest.MonkeyPatch):
    """Unit tests never load weights: the default spec is the echo model, built fresh per test."""
    monkeypatch.setenv("TAILOR_MODEL", "fake:echo")
    factory.clear_cache()
    yield
    factory.clear_cache()
