"""Each strategy's control flow with fake models: calls made, votes, beams, budgets, answer extraction."""

from __future__ import annotations

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from graph.context import Context
from graph.extract import extract_answer, extract_score, normalise
from graph.graph import build_graph
from graph.models import factory
from graph.models.runtime import message_text
from graph.nodes.few_shot import fit_examples, with_examples
from graph.nodes.self_consistency import vote


class Scripted(BaseChatModel):
    """Replies with ``reply(prompt_text)``; records every prompt."""

    reply: object
    prompts: list = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        text = message_text(messages[-1])
        self.prompts.append(text)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self.reply(text)))])


def use(monkeypatch, reply) -> Scripted:
    model = Scripted(reply=reply, prompts=[])
    factory.install_model("fake:script", model)
    return model


def ask(text):
    return {"messages": [HumanMessage(content=text)]}


@pytest.mark.parametrize(
    "text, answer",
    [
        ("24 - 17 = 7.\nAnswer: 7", "7"),
        ("**Answer:** 1,200.0", "1200"),
        ("so the answer is 42. Done", "42"),
        ("I think 12, or maybe 13", "13"),
        ("#### 5", "5"),
        ("Answer: Yes.", "yes"),
        ("no numbers here", None),
    ],
)
def test_answers_are_read_from_malformed_output(text, answer):
    assert extract_answer(text) == answer


def test_scores_are_read_leniently():
    assert extract_score("8") == pytest.approx(7 / 9)
    assert extract_score("I would say 10/10") == 1.0
    assert extract_score("impossible") == 0.0
    assert extract_score("banana") is None
    assert normalise(" 3.50 ") == "3.5"


def test_vote_counts_and_breaks_ties_by_first_seen():
    assert vote(["5", None, "4", "4", "5"]) == ("5", {"5": 2, "4": 2})
    assert vote([None, None]) == (None, {})


async def test_few_shot_shows_the_closest_examples_as_turns(monkeypatch):
    agent = build_graph()
    echo = factory.get_chat_model("fake:echo")
    state = await agent.ainvoke(
        ask("Classify the sentiment: the soup was cold"), context=Context(strategy="few_shot", few_shot_k=3)
    )
    examples = state["reasoning"]["examples"]
    assert len(examples) == 3 and all(set(e) == {"task", "input", "output"} for e in examples)
    sent = echo.calls[-1]["messages"]
    assert len(sent) == 1 + 2 * 3 + 1 and [m.type for m in sent[1:3]] == ["human", "ai"]
    assert sent[1].content == examples[0]["input"] and sent[2].content == examples[0]["output"]
    assert state["messages"][-1].content == "echo: Classify the sentiment: the soup was cold"


def test_few_shot_drops_the_least_similar_examples_to_fit_the_budget():
    examples = [{"input": f"example {i} " * 20, "output": "x"} for i in range(4)]

    def words(messages):
        return sum(len(m.content.split()) for m in messages)

    system = SystemMessage(content="sys")
    full = words(with_examples(system, examples, "request"))
    kept = fit_examples(words, full - 1, system, examples, "request")
    assert kept == examples[:3]
    assert fit_examples(words, 3, system, examples, "request") == []


async def test_cot_states_the_extracted_answer(monkeypatch):
    model = use(monkeypatch, lambda prompt: "12 and 5 more is 17, I guess 17")
    state = await build_graph().ainvoke(ask("12 plus 5?"), context=Context(model="fake:script", strategy="cot"))
    assert state["reasoning"]["cot"]["answer"] == "17"
    assert state["messages"][-1].content.endswith("\nAnswer: 17")
    assert len(model.prompts) == 1 and "step by step" in model.prompts[0]


async def test_cot_zero_shot_sends_no_examples(monkeypatch):
    echo = factory.get_chat_model("fake:echo")
    state = await build_graph().ainvoke(ask("What is 2 + 2?"), context=Context(strategy="cot", cot_mode="zero_shot"))
    assert [m.type for m in echo.calls[-1]["messages"]] == ["system", "human"]
    assert state["reasoning"]["cot"]["examples"] == []


async def test_self_consistency_samples_and_votes():
    ctx = Context(
        model="fake:Answer: 4|Answer: 5|so it is 4|no idea|Answer: 5.0|Answer: 5",
        strategy="self_consistency",
        samples=5,
    )
    state = await build_graph().ainvoke(ask("2 + 2?"), context=ctx)
    r = state["reasoning"]
    assert [s["answer"] for s in r["samples"]] == ["4", "5", "4", None, "5"]
    assert r["votes"] == {"4": 2, "5": 2} and r["model_calls"] == 5
    assert r["self_consistency"]["answer"] == "4" and r["self_consistency"]["temperature"] == 0.7
    assert state["messages"][-1].content == "Answer: 4"


class LengthReward:
    """Scores an answer by how many digits "5" it states: a reward model that was taught the answer is 5."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def score(self, question: str, answers: list[str]) -> list[float]:
        self.calls.append((question, answers))
        return [float(a.count("5")) for a in answers]


async def test_self_consistency_can_keep_the_sample_the_reward_model_prefers():
    from graph.models import reward

    scorer = LengthReward()
    reward.install("judge", scorer)
    ctx = Context(
        model="fake:Answer: 4|Answer: 4|Answer: 5|Answer: 4|Answer: 6",
        strategy="self_consistency",
        samples=5,
        select="reward",
        reward_model="judge",
    )
    state = await build_graph().ainvoke(ask("2 + 3?"), context=ctx)
    r = state["reasoning"]
    assert r["votes"]["4"] == 3  # the vote would have said 4
    assert r["self_consistency"]["answer"] == "5" and r["self_consistency"]["select"] == "reward"
    assert [s["reward"] for s in r["samples"]] == [0.0, 0.0, 1.0, 0.0, 0.0]
    assert state["messages"][-1].content == "Answer: 5"
    assert scorer.calls[0][0] == "2 + 3?"  # scored against the user's question, not the prompt around it


def test_reward_selection_needs_a_reward_model_and_one_of_two_modes():
    from graph.context import ContextError

    with pytest.raises(ContextError, match="needs reward_model"):
        Context(select="reward")
    with pytest.raises(ContextError, match="select must be one of vote, reward"):
        Context(select="best")


def test_a_language_model_adapter_is_not_a_reward_model(isolated_data_dir):
    from graph.models.reward import RewardError, get_scorer
    from training.registry import Registry

    registry = Registry()
    staging = registry.stage("helper")
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        (staging / name).write_text("{}")
    registry.commit("helper", staging, {"kind": "sft"})
    registry.promote("helper", "v1")
    with pytest.raises(RewardError, match="is a sft adapter, not a reward model"):
        get_scorer("helper")
    with pytest.raises(RewardError, match="no current version|no version"):
        get_scorer("missing")


async def test_self_consistency_respects_the_call_budget():
    ctx = Context(model="fake:Answer: 1|Answer: 2", strategy="self_consistency", samples=10, max_model_calls=3)
    state = await build_graph().ainvoke(ask("?"), context=ctx)
    assert len(state["reasoning"]["samples"]) == 3 and state["reasoning"]["model_calls"] == 3


def tot_script(prompt: str) -> str:
    if "possible next steps" in prompt:
        return "1. step A\n2) step B\n- step C\n- step C"  # numbered, duplicated: cleaned to three thoughts
    if "How likely" in prompt:
        last = [line for line in prompt.splitlines() if line.startswith("- ")][-1]
        return {"- step A": "9", "- step B": "Score: 3"}.get(last, "hmm")
    return "Following the steps: Answer: 42"


async def test_tot_explores_scores_prunes_and_answers(monkeypatch):
    model = use(monkeypatch, tot_script)
    ctx = Context(model="fake:script", strategy="tot", tot_breadth=3, tot_beam=2, tot_depth=2, max_model_calls=16)
    state = await build_graph().ainvoke(ask("What is 6 times 7?"), context=ctx)
    r = state["reasoning"]
    # level 1: 1 propose + 3 values; level 2: 2 proposes + 6 values; then 1 answer
    assert r["model_calls"] == 13 == len(model.prompts)
    level1 = [b for b in r["branches"] if b["depth"] == 1]
    assert [(b["thought"], b["score"], b["kept"]) for b in level1] == [
        ("step A", 0.889, True),
        ("step B", 0.222, True),
        ("step C", -1.0, False),
    ]
    level2 = [b for b in r["branches"] if b["depth"] == 2]
    assert len(level2) == 6 and {b["parent"] for b in level2} == {"0.1", "0.2"}
    assert sum(b["kept"] for b in level2) == 2
    assert r["tot"]["answer"] == "42" and r["tot"]["stop"] == "depth"
    assert r["tot"]["best_path"] == ["step A", "step A"]
    assert state["messages"][-1].content.endswith("Answer: 42")


async def test_tot_stops_when_the_budget_runs_out(monkeypatch):
    model = use(monkeypatch, tot_script)
    ctx = Context(model="fake:script", strategy="tot", tot_breadth=3, tot_beam=2, tot_depth=3, max_model_calls=6)
    state = await build_graph().ainvoke(ask("What is 6 times 7?"), context=ctx)
    r = state["reasoning"]
    assert r["model_calls"] == len(model.prompts) <= 6
    assert r["tot"]["stop"] == "budget" and max(b["depth"] for b in r["branches"]) == 1
    assert r["tot"]["answer"] == "42"


async def test_tot_with_a_budget_too_small_to_search_still_answers(monkeypatch):
    model = use(monkeypatch, tot_script)
    state = await build_graph().ainvoke(
        ask("?"), context=Context(model="fake:script", strategy="tot", max_model_calls=1)
    )
    assert state["reasoning"]["model_calls"] == 1 == len(model.prompts) and state["reasoning"]["branches"] == []
