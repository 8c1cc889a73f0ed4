"""The router's decision from its three signals, with exemplar similarities pinned."""

import pytest

from graph import router
from graph.context import Context
from graph.graph import build_graph


class Pinned:
    def __init__(self, scores):
        self._scores = scores

    def scores(self, text):
        return dict(self._scores), {label: f"exemplar for {label}" for label in self._scores}


def pin(monkeypatch, **scores):
    base = {"direct": 0.1, "few_shot": 0.1, "cot": 0.1, "self_consistency": 0.1, "tot": 0.1, "rag": 0.1}
    monkeypatch.setattr(router, "_exemplars_now", lambda: Pinned({**base, **scores}))


def test_a_clear_exemplar_lead_wins(monkeypatch):
    pin(monkeypatch, few_shot=0.35)
    decision = router.decide("Decide whether this review is happy: 'nice hike'")
    assert decision.strategy == "few_shot" and decision.confidence == router.SEMANTIC_MAX
    assert "exemplar for few_shot" in decision.reason


def test_reasoning_strategies_share_one_group(monkeypatch):
    pin(monkeypatch, cot=0.30, self_consistency=0.31, tot=0.29, direct=0.22)
    decision = router.decide("some word problem")
    assert decision.strategy == "self_consistency"
    assert set(decision.scores) == {"direct", "few_shot", "self_consistency", "rag"}


def test_no_clear_lead_falls_back_to_direct(monkeypatch):
    pin(monkeypatch, few_shot=0.2, cot=0.2, rag=0.2, direct=0.2)
    decision = router.decide("hmm")
    assert decision.strategy == "direct" and "low confidence" in decision.reason


@pytest.mark.parametrize(
    "text, strategy",
    [
        ("Classify the sentiment of this: meh", "few_shot"),
        ("Extract the dates as JSON from this memo", "few_shot"),
        ("Rewrite this so it sounds more formal: yo", "few_shot"),
        ("What is 15% of 80?", "cot"),
        ("A box has 12 eggs. How many eggs in 5 boxes?", "cot"),
        ("Double-check your answer: 19 times 21", "self_consistency"),
        ("Use 4, 7, 8, 8 to make 24", "tot"),
        ("According to the docs, how do I ingest files?", "rag"),
    ],
)
def test_rules_decide_the_unmistakable_cases(monkeypatch, text, strategy):
    pin(monkeypatch, direct=0.4)  # exemplars lean to direct; the rule must win anyway
    decision = router.decide(text)
    assert decision.strategy == strategy and strategy in decision.rules


def test_knowledge_base_relevance_lends_rag_more_the_higher_it_is(monkeypatch):
    pin(monkeypatch, direct=0.3)
    weak = router.decide("where do adapters live", kb_relevance=0.38, min_relevance=0.37, collection="docs")
    strong = router.decide("where do adapters live", kb_relevance=0.6, min_relevance=0.37, collection="docs")
    below = router.decide("where do adapters live", kb_relevance=0.3, min_relevance=0.37, collection="docs")
    assert weak.strategy == "direct" and strong.strategy == "rag" and below.strategy == "direct"
    assert "knowledge base 'docs' is relevant" in strong.reason


def test_a_task_verb_beats_the_knowledge_base(monkeypatch):
    pin(monkeypatch)
    decision = router.decide(
        "Classify the sentiment: Tailor's adapters are great", kb_relevance=0.9, min_relevance=0.37, collection="docs"
    )
    assert decision.strategy == "few_shot"


def test_the_payload_after_a_colon_does_not_drown_the_instruction():
    assert router._instruction("Classify the sentiment: " + "long review " * 50) == "Classify the sentiment"
    assert router._instruction("no colon here") == ""
    assert router._instruction("Note: x") == ""  # one word before the colon is not an instruction


async def test_route_only_reports_the_decision(monkeypatch):
    pin(monkeypatch, tot=0.6)
    state = await build_graph().ainvoke(
        {"messages": [{"role": "user", "content": "a puzzle of sorts"}]}, context=Context(route_only=True)
    )
    assert state["strategy"] == "tot" and state["route_reason"].startswith("auto: tot (confidence")
    assert state["reasoning"]["route"]["strategy"] == "tot" and len(state["messages"]) == 1


async def test_explicit_strategy_wins_over_every_signal(monkeypatch):
    pin(monkeypatch, tot=0.9)
    state = await build_graph().ainvoke(
        {"messages": [{"role": "user", "content": "make 24 from 4 numbers"}]},
        context=Context(route_only=True, strategy="cot"),
    )
    assert state["strategy"] == "cot" and "set in the run's context" in state["route_reason"]
