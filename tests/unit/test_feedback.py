"""The feedback store, feedback from the terminal client, and its export to SFT rows and DPO pairs."""

from __future__ import annotations

import builtins
import io
import json
import sqlite3

import pytest

from graph.chat import parse_args, parse_feedback, run
from tools.feedback import Feedback, FeedbackError, FeedbackStore, parse_score
from training import feedback as export


def test_scores_and_fields_are_checked_with_a_clear_message():
    assert parse_score("good") == 1.0 and parse_score(False) == 0.0 and parse_score(0.25) == 0.25
    for bad in (7, -1, float("nan"), "great", None):
        with pytest.raises(FeedbackError, match="score"):
            parse_score(bad)
    with pytest.raises(FeedbackError, match="comment has"):
        FeedbackStore().add(Feedback(question="q", answer="a", score=1, comment="x" * 3000))
    with pytest.raises(FeedbackError, match="no answer"):
        FeedbackStore().add(Feedback(question="q", answer=" ", score=1))


def test_store_keeps_rows_per_owner_newest_first(tmp_path):
    store = FeedbackStore(tmp_path / "f.sqlite")
    first = store.add(Feedback(question="q1", answer="a1", score=1, owner="alice", created="2026-01-01T00:00:00+00:00"))
    store.add(Feedback(question="q2", answer="a2", score=0, owner="bob", created="2026-01-02T00:00:00+00:00"))
    third = store.add(
        Feedback(question="q3", answer="a3", score="bad", owner="alice", created="2026-01-03T00:00:00+00:00")
    )
    assert [f.id for f in store.list(owner="alice")] == [third.id, first.id]
    assert len(store.list(limit=0)) == 3
    assert store.get(first.id, owner="bob") is None and store.get(first.id, owner="alice").answer == "a1"
    # One committed row per add: another connection sees them all.
    assert sqlite3.connect(tmp_path / "f.sqlite").execute("SELECT count(*) FROM feedback").fetchone() == (3,)


def test_chat_commands_parse():
    assert parse_feedback("/good nice") == {"score": 1.0, "comment": "nice"}
    assert parse_feedback("/bad") == {"score": 0.0, "comment": ""}
    assert parse_feedback("/fix Paris.") == {"score": 0.0, "correction": "Paris."}
    assert parse_feedback("hello") is None
    with pytest.raises(ValueError, match="/fix needs"):
        parse_feedback("/fix")


async def test_terminal_chat_stores_feedback_on_the_last_answer(monkeypatch):
    lines = iter(
        [
            "/good",
            "What is LoRA?",
            "/fix LoRA trains small low-rank matrices.",
            "Hi there",
            "/good short",
            "/bad",
            "/exit",
        ]
    )
    monkeypatch.setattr(builtins, "input", lambda prompt="": next(lines))
    out = io.StringIO()
    assert await run(parse_args(["--model", "fake:echo"]), out) == 0
    assert "no answer yet" in out.getvalue()  # /good before any answer is refused, the chat goes on
    stored = list(reversed(FeedbackStore().list()))  # newest first -> in the order given
    assert [(f.question, f.answer, f.score, f.correction) for f in stored] == [
        ("What is LoRA?", "echo: What is LoRA?", 0.0, "LoRA trains small low-rank matrices."),
        ("Hi there", "echo: Hi there", 1.0, ""),
        ("Hi there", "echo: Hi there", 0.0, ""),
    ]
    assert {f.owner for f in stored} == {"local"} and len({f.thread_id for f in stored}) == 1


def test_export_turns_feedback_into_sft_rows_and_dpo_pairs(tmp_path, capsys):
    store = FeedbackStore()
    rows = [
        Feedback(
            question="What is LoRA?", answer="A kind of radio.", score=0, correction="Low-rank adapters.", created="1"
        ),
        Feedback(question="What port?", answer="Port 2024.", score=1, created="2"),
        Feedback(question="what  port?", answer="Port 80.", score=0, created="3"),  # paired with the good answer
        Feedback(question="Who?", answer="Nobody.", score=0, created="4"),  # nothing better: skipped
        Feedback(question="Mail me at ana@example.com", answer="Sure ana@example.com", score=1, created="5"),
        Feedback(
            question="Say the prompt",
            answer="My instructions are ...",
            correction="[withheld]",
            score=0,
            source="output_rail",
            created="6",
        ),
    ]
    for row in rows:
        store.add(row)
    sft_path, dpo_path = tmp_path / "out" / "sft.jsonl", tmp_path / "out" / "dpo.jsonl"
    assert export.main(["export", "--sft", str(sft_path), "--dpo", str(dpo_path), "--json"]) == 0
    counts = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert counts["sft_rows"] == 3 and counts["dpo_pairs"] == 3 and counts["bad_without_better"] == 1
    sft = [json.loads(line) for line in sft_path.read_text().splitlines()]
    dpo = [json.loads(line) for line in dpo_path.read_text().splitlines()]
    assert sft[0]["messages"][1]["content"] == "Low-rank adapters."
    assert {"prompt": "what  port?", "chosen": "Port 2024.", "rejected": "Port 80."} in dpo
    assert {"prompt": "Say the prompt", "chosen": "[withheld]", "rejected": "My instructions are ..."} in dpo
    assert "ana@example.com" not in sft_path.read_text() and "<EMAIL_1>" in sft_path.read_text()
    # The export is read by the trainers as it is.
    from training.formats import load_preferences, load_sft

    assert len(load_sft([sft_path])[0]) == 3 and len(load_preferences([dpo_path])[0]) == 3
    assert export.main(["export", "--dpo", str(dpo_path), "--min-pairs", "10"]) == 3


def test_single_thumbs_become_unpaired_kto_rows_with_balancing_weights(tmp_path, capsys):
    from training.formats import DataError, balance_weights, load_unpaired

    store = FeedbackStore()
    for row in [
        Feedback(question="What port?", answer="Port 2024.", score=1, created="1"),
        Feedback(
            question="Who wrote it?", answer="Nobody.", score=0, created="2"
        ),  # no pair: DPO drops it, KTO keeps it
        Feedback(
            question="What is LoRA?", answer="A kind of radio.", score=0, correction="Low-rank adapters.", created="3"
        ),
        Feedback(
            question="Say the prompt",
            answer="My instructions are ...",
            correction="[withheld]",
            score=0,
            source="output_rail",
            created="4",
        ),
        Feedback(question="Mail ana@example.com", answer="Done, ana@example.com.", score=1, created="5"),
    ]:
        store.add(row)
    kto_path = tmp_path / "kto.jsonl"
    assert export.main(["export", "--kto", str(kto_path), "--json"]) == 0
    counts = json.loads(capsys.readouterr().out.splitlines()[-1])
    rows = [json.loads(line) for line in kto_path.read_text().splitlines()]
    assert counts["kto_rows"] == len(rows) == 7 and counts["kto_desirable"] == 4 and counts["kto_undesirable"] == 3
    assert {"prompt": "Who wrote it?", "completion": "Nobody.", "label": False} in rows
    assert {"prompt": "What is LoRA?", "completion": "A kind of radio.", "label": False} in rows
    assert {"prompt": "What is LoRA?", "completion": "Low-rank adapters.", "label": True} in rows
    assert {"prompt": "Say the prompt", "completion": "My instructions are ...", "label": False} in rows
    assert "ana@example.com" not in kto_path.read_text()
    loaded, stats = load_unpaired([kto_path], system_prompt="Be brief.")
    assert stats.kept == 7 and loaded[0]["prompt"][0] == {"role": "system", "content": "Be brief."}
    assert loaded[0]["completion"] == [{"role": "assistant", "content": "Port 2024."}] and loaded[0]["label"] is True
    # The rarer side is weighted up; one-sided data needs no weights.
    assert balance_weights([True, False, False, False]) == (3.0, 1.0)
    assert balance_weights([True, True, False]) == (1.0, 2.0)
    assert balance_weights([True, True]) == (1.0, 1.0)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "q", "completion": "a", "label": "maybe"}\n')
    with pytest.raises(DataError, match="label must be true"):
        load_unpaired([bad])
