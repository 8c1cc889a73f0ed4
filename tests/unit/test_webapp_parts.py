"""The web app's server parts without a server.

Job output parsing, the refresh plan, the gate's summary line, and the checks on what a request may name.
"""

from __future__ import annotations

import pytest

from graph.jobs import Job
from graph.webapi.adapters import gate_result
from graph.webapi.common import ApiError
from training.refresh import plan

TRAINER_OUTPUT = [
    "Tokenizing train dataset:  50%|#####     | 1/2 [00:00<00:00, 50.33 examples/s]",
    "  0%|          | 0/3 [00:00<?, ?it/s]",
    " 33%|###3      | 1/3 [00:01<00:03,  1.58s/it]",
    "{'loss': '4.364', 'grad_norm': '3.997', 'epoch': '1'}",
    " 33%|###3      | 1/3 [00:01<00:03,  1.58s/it, loss=4.3637]",
    " 67%|######6   | 2/3 [00:03<00:01,  1.56s/it, loss=4.3637]",  # the bar still shows step 1's loss here
    "{'loss': '2.5', 'grad_norm': '3.944', 'epoch': '2'}",
    "registered tailor v1 at /data/adapters/tailor/v1",
]


def test_job_reads_progress_from_bars_and_loss_from_the_trainer_log():
    job = Job("train", "alice", [])
    for line in TRAINER_OUTPUT:
        job.read_line(line)
    assert job.loss == [{"step": 1, "loss": 4.364}, {"step": 2, "loss": 2.5}]
    assert job.progress == {"stage": "training", "n": 2, "total": 3, "percent": 67}
    assert job.log[-1].startswith("registered tailor v1") and not any("%|" in line for line in job.log)


def test_a_tokenizing_bar_is_progress_but_not_a_training_step():
    job = Job("train", "alice", [])
    job.read_line(TRAINER_OUTPUT[0])
    job.read_line("{'loss': '1.0'}")
    assert job.progress["stage"] == "Tokenizing train dataset" and job.loss == []


def _counts(**given):
    counts = {"feedback": 0, "sft_rows": 0, "dpo_pairs": 0, "kto_desirable": 0, "kto_undesirable": 0}
    return {**counts, **given}


@pytest.mark.parametrize(
    "counts, corrections, has_current, methods",
    [
        (_counts(sft_rows=2, dpo_pairs=2), 2, False, ["sft", "dpo"]),  # corrections and nothing to continue: SFT first
        (_counts(sft_rows=2, dpo_pairs=2), 2, True, ["dpo"]),
        (_counts(sft_rows=3, kto_desirable=3, kto_undesirable=4), 0, True, ["kto"]),  # single thumbs only
        (_counts(sft_rows=3, kto_desirable=3), 0, False, ["sft"]),  # only good answers
        (_counts(kto_undesirable=3), 0, False, []),  # only bad ones: nothing to learn towards
    ],
)
def test_refresh_plan_follows_the_feedback(counts, corrections, has_current, methods):
    steps = plan(counts, corrections, has_current)
    assert [s.method for s in steps] == methods
    assert all(s.reason for s in steps)


def test_gate_result_reads_both_scores_and_the_refusal():
    job = Job("promote", "alice", [])
    for line in [
        "eval gate (adapters, token_f1): fact v3 scores 0.0120, current fact v2 scores 0.1376 (tolerance 0.02)",
        "error: eval gate (adapters, token_f1): ... worse, not promoted. Reports: a vs b.",
    ]:
        job.read_line(line)
    job.returncode = 1
    result = gate_result(job)
    assert result["promoted"] is False and result["new"] == 0.012 and result["baseline"] == 0.1376
    assert result["against"] == "current fact v2" and "worse, not promoted" in result["error"]


def test_training_data_must_be_a_file_inside_the_data_folder(isolated_data_dir):
    from graph.webapi.jobs import _data_file

    isolated_data_dir.mkdir(parents=True, exist_ok=True)
    (isolated_data_dir / "rows.jsonl").write_text("{}\n")
    assert _data_file("rows.jsonl").endswith("rows.jsonl")
    for outside in ("../rows.jsonl", "/etc/passwd", ""):
        with pytest.raises(ApiError) as err:
            _data_file(outside)
        assert "data" in str(err.value)
    with pytest.raises(ApiError) as err:
        _data_file("missing.jsonl")
    assert err.value.status == 404


def test_uploads_name_a_supported_type_and_carry_content():
    from graph.webapi.knowledge import _decode

    assert _decode({"name": "../../etc/notes.md", "text": "# hi"}) == ("notes.md", b"# hi")
    for bad, words in (
        ({"name": "tool.exe", "text": "x"}, "unsupported"),
        ({"name": "a.md"}, "text or base64"),
        ({"name": "a.pdf", "base64": "%%%"}, "base64"),
        ("a.md", "each file"),
    ):
        with pytest.raises(ApiError) as err:
            _decode(bad)
        assert words in str(err.value)


def test_refresh_chooses_kto_for_a_store_of_single_thumbs(isolated_data_dir, capsys):
    from tools.feedback import Feedback, FeedbackStore
    from training.refresh import main

    store = FeedbackStore()
    for n in range(3):
        store.add(Feedback(question=f"Question {n}?", answer=f"A fine answer {n}.", score=1.0))
    store.add(Feedback(question="Question 9?", answer="A poor answer.", score=0.0))
    assert main(["--name", "tailor", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "plan 1/1: KTO, because no pairs, but 3 good and 1 bad single ratings" in out


def test_refresh_with_no_feedback_says_how_to_give_some(isolated_data_dir, capsys):
    from training.refresh import main

    assert main(["--name", "tailor"]) == 3
    assert "rate answers" in capsys.readouterr().err


def test_anchor_answers_are_cut_to_whole_sentences():
    from training.anchors import whole_sentences

    assert whole_sentences("The capital of Japan is Tokyo. It is also the largest") == "The capital of Japan is Tokyo."
    assert whole_sentences("Is it? Yes!") == "Is it? Yes!"
    assert whole_sentences("no ending at all") == ""


def test_the_held_out_loop_question_is_not_an_anchor():
    import prompts
    from tests.integration.test_loop import UNRELATED

    assert UNRELATED not in {row["input"] for row in prompts.records("refresh/anchors")}
