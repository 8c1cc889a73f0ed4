"""TAILOR_ADAPTER: the adapter every run uses unless its context says otherwise.

The base model answers, with one log line, while that adapter has no version yet.
"""

from __future__ import annotations

import logging

import pytest

from graph.adapters import AdapterError, resolve_adapter
from graph.context import Context
from graph.models.fake import ScriptedRuntime
from graph.models.local import LocalChatModel


def test_runs_default_to_the_served_adapter_and_may_still_ask_for_the_base(monkeypatch):
    monkeypatch.setenv("TAILOR_ADAPTER", "support")
    assert Context().adapter == "support"
    assert Context(adapter="").adapter == ""  # explicitly the base model
    assert Context(adapter="billing").adapter_for("generate") == "billing"
    monkeypatch.delenv("TAILOR_ADAPTER")
    assert Context().adapter == ""


def test_a_served_adapter_without_a_version_means_the_base_model_said_once(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("TAILOR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TAILOR_ADAPTER", "fresh-deployment")
    model = LocalChatModel(ScriptedRuntime(), model_name="scripted")
    with caplog.at_level(logging.WARNING, logger="tailor.adapters"):
        assert resolve_adapter(model, "fresh-deployment") is None
        assert resolve_adapter(model, "fresh-deployment") is None
    said = [r.getMessage() for r in caplog.records if "fresh-deployment" in r.getMessage()]
    assert len(said) == 1 and "serving the base model" in said[0]
    # Any other name, or a pinned version of the served one, must exist: that is still an error.
    with pytest.raises(AdapterError, match="no current version of adapter 'billing'"):
        resolve_adapter(model, "billing")
    with pytest.raises(AdapterError, match="no version 'v3'"):
        resolve_adapter(model, "fresh-deployment@v3")
