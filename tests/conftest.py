"""Shared fixtures: every test gets its own TAILOR_DATA_DIR; the prepared model cache is shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Where `make setup` prepares the default model; tests reuse it instead of converting again.
SHARED_MODELS = Path(os.environ.get("TAILOR_MODELS_DIR") or REPO / ".tailor" / "models").resolve()


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "tailor-data"
    monkeypatch.setenv("TAILOR_DATA_DIR", str(data))
    monkeypatch.setenv("TAILOR_MODELS_DIR", str(SHARED_MODELS))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    return data
