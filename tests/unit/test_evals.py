"""The eval runner on LangSmith's evaluate (offline), the evaluators, and compare."""

from __future__ import annotations

import json

import pytest

from evals import evaluators as ev
from evals.compare import CompareError, compare, write_comparison
from evals.judge import parse_grade
from evals.runner import Suite, finish, run_suite


def test_text_scores():
    assert ev.exact_match("The answer: Paris.", "the answer paris") == 1.0
    assert ev.contains_any("It runs on port 2024 by default", ["2024"]) == 1.0
    assert ev.contains_any("port 20245", ["2024"]) == 0.0  # whole words only
    assert ev.token_f1("the cat sat", "the cat sat") == 1.0 and ev.token_f1("dog", "the cat") == 0.0
    assert ev.token_f1("cat sat on the mat", "the cat sat") == pytest.approx(0.75)
    assert ev.rouge_l("a b c d", "a c d") == pytest.approx(2 * (3 / 4) * 1 / (3 / 4 + 1))
    assert ev.recall_at_k(["docs/a.md", "docs/b.md"], ["docs/b.md"]) == 1.0
    assert ev.refusal_evaluator({}, {"refused": True}, {"should_refuse": False})["score"] == 0.0
    assert ev.recall_evaluator({}, {"retrieved": []}, {"sources": ["x"], "answerable": False})["score"] is None


def test_judge_grades_are_read_or_left_out():
    assert parse_grade("Score: 4") == 0.75 and parse_grade("I would say 5.") == 1.0
    assert parse_grade("no idea") is None


def _suite(answers: dict[str, str], name: str = "toy") -> Suite:
    async def target(inputs: dict) -> dict:
        return {"answer": answers[inputs["question"]]}

    examples = [
        {"id": "capital", "inputs": {"question": "Capital of France?"}, "outputs": {"answer": "Paris"}},
        {"id": "port", "inputs": {"question": "Default port?"}, "outputs": {"answer": "2024", "facts": ["2024"]}},
    ]
    return Suite(
        name=name,
        examples=examples,
        target=target,
        evaluators=ev.text_evaluators(),
        columns=["id", "scores.exact_match", "outputs.answer"],
        config={"adapter": ""},
    )


def test_offline_experiment_scores_every_example_and_writes_its_report(monkeypatch):
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2_would_upload")  # --offline wins over a key
    experiment = run_suite(_suite({"Capital of France?": "Paris", "Default port?": "It is 8080."}), offline=True)
    assert not experiment.uploaded
    assert experiment.metrics["examples"] == 2 and experiment.metrics["exact_match"] == 0.5
    assert experiment.metrics["contains"] == 0.5 and experiment.metrics["errors"] == 0
    assert {r["id"]: r["scores"]["exact_match"] for r in experiment.rows} == {"capital": 1.0, "port": 0.0}
    for path in experiment.paths.values():
        assert path.is_file() and path.stat().st_size > 0
    line = json.loads(experiment.json_line())
    assert all(isinstance(line[k], (int, float)) for k in ("exact_match", "token_f1", "rouge_l", "contains"))


def test_runs_finishing_in_the_same_second_keep_their_own_reports(monkeypatch):
    import evals.runner as runner

    monkeypatch.setattr(runner.time, "strftime", lambda *_: "20260101-000000")  # one second for all three runs
    paths = [run_suite(_suite({"Capital of France?": "Paris"}), offline=True).paths["json"] for _ in range(3)]
    assert [p.stem.rsplit("-", 1)[-1] for p in paths][1:] == ["2", "3"] and len(set(paths)) == 3
    assert all(p.is_file() for p in paths)


def test_a_run_with_a_failed_example_is_not_a_result(capsys):
    async def target(inputs: dict) -> dict:
        if inputs["question"] == "Default port?":
            raise RuntimeError("collection 'docs' does not exist")
        return {"answer": "Paris"}

    suite = _suite({})
    suite.target = target
    experiment = run_suite(suite, offline=True)
    assert not experiment.complete and experiment.metrics["errors"] == 1
    assert experiment.metrics["exact_match"] == 1.0  # over the example that ran, and said to be so
    assert finish(experiment, as_json=False) == 1
    out, err = capsys.readouterr()
    assert "exact_match" not in out  # no metrics printed as if complete
    assert "1 of 2 toy examples failed" in err and "does not exist" in err
    assert finish(experiment, as_json=True) == 1
    assert json.loads(capsys.readouterr().out)["complete"] is False
    report = experiment.paths["markdown"].read_text()
    assert "Incomplete: 1 of 2 examples failed" in report and "does not exist" in report
    assert json.loads(experiment.paths["json"].read_text())["complete"] is False


def test_rag_suite_refuses_to_start_on_a_missing_collection(capsys):
    from evals.rag.__main__ import main

    assert main(["--offline", "--retrieval-only", "--collection", "nowhere"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'nowhere' does not exist" in err and "python -m tools.kb ingest" in err


def test_gate_refuses_a_run_whose_examples_failed(monkeypatch):
    from evals import gate, runner
    from training.registry import RegistryError

    def broken_suite(suite, offline, prefix):
        return runner.Experiment(
            "gate-x",
            "adapters",
            {"examples": 2, "errors": 2, "token_f1": 0.0},
            [{"id": "a", "error": "model missing"}, {"id": "b", "error": "model missing"}],
            {"json": "x.json", "markdown": "x.md"},
            False,
        )

    monkeypatch.setattr(runner, "run_suite", broken_suite)
    monkeypatch.setattr("evals.adapters.__main__.build", lambda args: None)
    with pytest.raises(RegistryError, match="2 of 2 adapters examples failed"):
        gate.score("adapters", "tailor@v2", "token_f1", 2)


def test_compare_reports_changes_and_per_example_wins():
    a = run_suite(_suite({"Capital of France?": "Lyon", "Default port?": "2024"}), offline=True, prefix="toy-base")
    b = run_suite(_suite({"Capital of France?": "Paris", "Default port?": "2024"}), offline=True, prefix="toy-tuned")
    result = compare("toy-base", "toy-tuned")
    assert result["metrics"]["exact_match"] == {"a": 0.5, "b": 1.0, "delta": 0.5}
    assert result["per_example"]["exact_match"] == {"better": 1, "worse": 0, "same": 1}
    paths = write_comparison(result)
    assert "| exact_match | 0.5 | 1 | +0.5 |" in paths["markdown"].read_text() and paths["png"].is_file()
    with pytest.raises(CompareError, match="no experiment"):
        compare("toy-base", "nothing-like-this")
    other = run_suite(_suite({"Capital of France?": "Paris", "Default port?": "2024"}, name="other"), offline=True)
    with pytest.raises(CompareError, match="same suite"):
        compare(str(a.paths["json"]), str(other.paths["json"]))
    assert b.name != a.name


def test_gate_refuses_with_both_numbers(monkeypatch):
    from evals import gate
    from training.registry import AdapterVersion, Registry, RegistryError

    scores = {"tailor@v2": 0.31, "tailor@v1": 0.40}
    monkeypatch.setattr(
        gate, "score", lambda suite, adapter, metric, limit, judge="": (scores[adapter], f"{adapter}.json")
    )
    monkeypatch.setattr(Registry, "pointer", lambda self, name: {"current": "v1"})
    with pytest.raises(RegistryError, match=r"tailor v2 scores 0.3100, current tailor v1 scores 0.4000.*worse"):
        gate.check(AdapterVersion("tailor", "v2", None), suite="adapters", metric="token_f1", tolerance=0.05)
    scores["tailor@v2"] = 0.36  # within the tolerance
    assert gate.check(AdapterVersion("tailor", "v2", None), tolerance=0.05)["new"] == 0.36
    with pytest.raises(RegistryError, match="not supported"):
        gate.check(AdapterVersion("tailor", "v2", None), suite="routing")


def test_gate_on_two_suites_needs_both_not_worse(monkeypatch):
    from evals import gate
    from training.registry import AdapterVersion, Registry, RegistryError

    scores = {
        ("adapters", "tailor@v2"): 0.30,
        ("adapters", "tailor@v1"): 0.30,
        ("feedback", "tailor@v2"): 0.80,
        ("feedback", "tailor@v1"): 0.10,
    }
    monkeypatch.setattr(
        gate, "score", lambda suite, adapter, metric, limit, judge="": (scores[suite, adapter], "r.json")
    )
    monkeypatch.setattr(Registry, "pointer", lambda self, name: {"current": "v1"})
    result = gate.check(AdapterVersion("tailor", "v2", None), suite="adapters,feedback")
    assert [(r["suite"], r["new"]) for r in result["suites"]] == [("adapters", 0.30), ("feedback", 0.80)]
    scores["adapters", "tailor@v2"] = 0.20  # learned the corrections, lost the rest
    with pytest.raises(RegistryError, match=r"eval gate \(adapters, token_f1\).*worse"):
        gate.check(AdapterVersion("tailor", "v2", None), suite="adapters,feedback")


def test_feedback_suite_takes_the_newest_correction_else_a_good_answer():
    from evals.feedback.__main__ import references
    from tools.feedback import Feedback

    items = [  # newest first, as the store lists them
        Feedback(
            question="What is Tailor's mascot?", answer="A cat.", score=0.0, correction="A grey heron named Quillon."
        ),
        Feedback(question="what is  tailor's mascot?", answer="A dog.", score=0.0, correction="An old correction."),
        Feedback(question="How do I start it?", answer="Run make run.", score=1.0),
        Feedback(question="Who made it?", answer="No idea.", score=0.0),
        Feedback(question="Rail", answer="x", score=0.0, correction="y", source="output_rail"),
    ]
    rows = references(items)
    assert [(r["question"], r["answer"]) for r in rows] == [
        ("What is Tailor's mascot?", "A grey heron named Quillon."),
        ("How do I start it?", "Run make run."),
    ]


def test_likelihood_grade_is_the_probability_weighted_grade():
    from evals.judge import likelihood_grade

    class Runtime:
        def encode(self, messages):
            return [1, 2, 3]

        def option_logprobs(self, prompt_ids, options):
            assert options == ["Score: 1", "Score: 2", "Score: 3", "Score: 4", "Score: 5"]
            return [-50.0, -50.0, -50.0, -50.0, 0.0]  # all but certain of a 5

    class Model:
        runtime = Runtime()

    grade, comment = likelihood_grade(Model(), "grade this")
    assert grade == pytest.approx(1.0, abs=1e-6) and comment.endswith("1.00")
