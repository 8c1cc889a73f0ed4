"""Routing and every prompting strategy with the real embedding model and the real default model."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.integration


def run_json(args: list[str], timeout: int = 600) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


@pytest.mark.parametrize(
    "requests",
    [
        pytest.param("requests", marks=pytest.mark.slow),  # 37 s: `make evals` scores it too
        pytest.param("heldout3", marks=pytest.mark.slow),
    ],
)
def test_router_routes_labelled_requests(requests):
    """The default docs are ingested first: the rag rows need the knowledge base's relevance."""
    metrics = run_json(
        ["evals.routing", "--ingest", "docs", "--requests", f"evals/routing/{requests}.jsonl", "--json"]
    )[-1]
    assert metrics["route_accuracy"] >= 0.85, metrics
    assert set(metrics["routed_to"]) == {"direct", "few_shot", "cot", "self_consistency", "tot", "rag"}


def chat(message: str, strategy: str, *settings: str) -> dict:
    rows = run_json(
        [
            "graph.chat",
            "--json",
            "--strategy",
            strategy,
            "--max-new-tokens",
            "48",
            "-m",
            message,
            *[arg for s in settings for arg in ("--set", s)],
        ]
    )
    return rows[-1]


def test_few_shot_on_the_default_model_reports_its_examples(default_model_path):
    result = chat("Classify the sentiment: the food was cold and the waiter was rude.", "few_shot", "few_shot_k=3")
    examples = result["reasoning"]["examples"]
    assert result["answer"].strip() and len(examples) == 3
    assert all(e["task"] == "sentiment" for e in examples)  # chosen by meaning from five banks


def test_cot_on_the_default_model_states_an_answer(default_model_path):
    result = chat("A baker makes 20 rolls and sells 8. How many rolls are left?", "cot")
    assert result["answer"].rstrip().splitlines()[-1].startswith("Answer:")
    assert result["reasoning"]["cot"]["examples"] and result["reasoning"]["cot"]["answer"] is not None


@pytest.mark.slow  # 20 s; the unit tests run its control flow, and cot covers the real model's reasoning path
def test_self_consistency_on_the_default_model_reports_samples_and_votes(default_model_path):
    result = chat("What is 6 plus 7?", "self_consistency", "samples=3")
    r = result["reasoning"]
    assert len(r["samples"]) == 3 and r["model_calls"] == 3
    assert sum(r["votes"].values()) == sum(1 for s in r["samples"] if s["answer"] is not None)


@pytest.mark.slow  # 21 s; tot's search is unit-tested, and cot and few-shot run the real model's reasoning path
def test_tot_on_the_default_model_reports_branches_within_budget(default_model_path):
    result = chat("What is 9 times 3?", "tot", "tot_breadth=2", "tot_beam=1", "tot_depth=2", "max_model_calls=8")
    r = result["reasoning"]
    assert r["branches"] and all({"id", "parent", "depth", "thought", "score", "kept"} <= set(b) for b in r["branches"])
    assert r["model_calls"] <= 8 and r["tot"]["stop"] in {"depth", "budget"}
    assert sum(b["kept"] for b in r["branches"] if b["depth"] == 1) == 1
