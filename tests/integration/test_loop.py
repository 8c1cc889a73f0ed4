"""The loop end to end on a running server.

Corrections go through the feedback route, then ``training.refresh`` (what ``make refresh`` runs), and the
same server, never restarted and serving ``TAILOR_ADAPTER``, answers the corrected question and an unseen
paraphrase of it with the correction, while an unrelated question keeps its answer. The gate lets the version
through on the regression suite and the feedback's own questions.
"""

from __future__ import annotations

import httpx
import pytest

from evals.evaluators import token_f1
from tests.integration.conftest import FACT_A, FACT_QUESTIONS, cli, running, server_env
from training.registry import Registry

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # training and two gate suites: about five minutes
ASKED = FACT_QUESTIONS[:4]  # what people asked and corrected
PARAPHRASE = FACT_QUESTIONS[5]  # never corrected, never trained on
UNRELATED = "What is the capital of France?"


def ask(server, question: str) -> str:
    with httpx.Client(base_url=server.url, timeout=300) as client:
        thread = client.post("/threads", json={}).json()["thread_id"]
        state = client.post(
            f"/threads/{thread}/runs/wait",
            json={
                "assistant_id": "agent",
                "input": {"messages": [{"role": "user", "content": question}]},
                "context": {"strategy": "direct"},
            },
        ).json()
        return thread, state["messages"][-1]["content"], state.get("adapter", "")


def test_corrections_become_the_served_answer_without_a_restart(tmp_path, default_model_path):
    env = server_env(tmp_path, TAILOR_ADAPTER="tailor", TAILOR_MAX_NEW_TOKENS="32")
    with running(tmp_path, env) as server:
        _, unrelated_before, _ = ask(server, UNRELATED)
        for question in ASKED:
            thread, answer, adapter = ask(server, question)
            assert adapter == "" and "Quillon" not in answer  # the base model does not know it
            given = httpx.post(
                server.url + "/feedback", json={"thread_id": thread, "score": 0, "correction": FACT_A}, timeout=30
            )
            assert given.status_code == 201, given.text

        refresh = cli(
            tmp_path / "data",
            "training.refresh",
            "--name",
            "tailor",
            "--gate-suite",
            "adapters,feedback",
            "--gate-limit",
            "4",
            "--max-steps",
            "24",
            "--lr",
            "2e-3",
            "--batch-size",
            "4",
            "--save-steps",
            "100",
            "--json",
        )
        assert "plan 1/2: SFT" in refresh.stdout and "sft: promoted v1" in refresh.stdout, refresh.stdout[-3000:]
        assert "anchors: " in refresh.stdout  # everyday requests keep their answers
        assert "eval gate (feedback, token_f1)" in refresh.stdout
        current = Registry(tmp_path / "data" / "adapters").current("tailor").version

        for question in (ASKED[0], PARAPHRASE):
            _, answer, adapter = ask(server, question)
            assert adapter == f"tailor@{current}" and "Quillon" in answer, (question, answer)
        _, unrelated_after, _ = ask(server, UNRELATED)
        overlap = token_f1(unrelated_after, unrelated_before)
        print(
            f"\nloop: unrelated answer before {unrelated_before!r}, after {unrelated_after!r} (token F1 {overlap:.2f})"
        )
        assert "Paris" in unrelated_before and "Paris" in unrelated_after and "Quillon" not in unrelated_after
        assert overlap >= 0.6, (unrelated_before, unrelated_after)
