"""A strategy and guard rails declared from outside the package.

Each needs only its own module (this one) and its prompt or rule file (``tests/unit/toys/``), and the graph,
router, context, policy, scan, output cleaner and leak check all take them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime

from graph.context import Context, ContextError, check_number
from graph.deps import Deps, Models
from graph.graph import build_graph
from graph.nodes.common import complete, context_of, latest_question, model_for
from graph.state import State
from graph.strategies import Strategy, registered, system_prompts, valid_strategies, with_deps
from tools.guard import rails
from tools.guard.rails import Cleaned, Layer, Rail, RailSpec, Reading

TOYS = Path(__file__).parent / "toys"
SHOUT_PROMPT = str(TOYS / "shout.yaml")
SHOUTING_RULE = str(TOYS / "shouting.yaml")


# --- the toy strategy: answers with the model, then shouts -------------------------------------------------
@dataclass(frozen=True)
class ShoutOptions:
    exclaim: int = 1  # exclamation marks after the answer

    def __post_init__(self) -> None:
        check_number("exclaim", self.exclaim, int, 0, 3)


async def shout(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx = context_of(runtime)
    question = latest_question(state, deps.guard.policy())
    model, adapter = await model_for(deps, ctx, "shout")
    text = await complete(model, [HumanMessage(content=question)], ctx.max_new_tokens, 0.0, adapter)
    return {"messages": [AIMessage(content=text.upper() + "!" * ctx.options(ShoutOptions).exclaim)]}


SHOUT = Strategy("shout", nodes=(("shout", with_deps(shout)),), system_prompts=(SHOUT_PROMPT,), options=ShoutOptions)


# --- the toy input rail: blocks requests written in capitals ------------------------------------------------
def scan_shouting(reading: Reading, rail: Rail) -> Layer:
    letters = [c for c in reading.text if c.isalpha()]
    ratio = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    floor = float(yaml.safe_load(Path(SHOUTING_RULE).read_text())["min_ratio"])
    return Layer(
        1.0 if len(letters) >= 8 and ratio >= floor else 0.0, {"upper_ratio": round(ratio, 2)}, category="shouting"
    )


SHOUTING = RailSpec("no_shouting", "input", action="block", scan=scan_shouting, refusal=SHOUTING_RULE)


# --- the toy output rail: bananas are never named in answers ------------------------------------------------
def clean_bananas(text: str, given: Any, rail: Rail) -> Cleaned:
    count = text.lower().count("banana")
    return Cleaned(text.replace("banana", "[fruit]").replace("Banana", "[fruit]"), {"fruit": count} if count else {})


NO_BANANAS = RailSpec("no_bananas", "output", action="redact", clean=clean_bananas, reason="fruit")


class Replying(Models):
    """Serves one fake chat model whatever the spec (how tests put a fake in: through ``Deps``)."""

    def __init__(self, reply: str) -> None:
        self.model = FakeListChatModel(responses=[reply])

    def chat(self, spec: str) -> BaseChatModel:
        return self.model


def ask(text: str) -> dict[str, Any]:
    return {"messages": [HumanMessage(content=text)]}


async def test_a_toy_strategy_runs_through_the_graph_with_its_own_options_and_prompt() -> None:
    with registered(SHOUT):
        assert "shout" in valid_strategies() and SHOUT_PROMPT in system_prompts()
        agent = build_graph(Deps(models=Replying("the station is north")))  # a fake model, passed in
        assert "shout" in agent.get_graph().nodes
        assert agent.get_context_jsonschema()["properties"]["exclaim"]["default"] == 1  # clients see its field
        state = await agent.ainvoke(ask("where is the station"), context=Context(strategy="shout", exclaim=2))
        assert state["messages"][-1].content == "THE STATION IS NORTH!!"
        assert state["strategy"] == "shout" and state["guard"]["output"]["verdict"] == "allow"
        with pytest.raises(ContextError, match="exclaim must be between 0 and 3"):
            Context(strategy="shout", exclaim=9)
    with pytest.raises(ContextError, match="unknown strategy 'shout'"):
        Context(strategy="shout")
    with pytest.raises(ContextError, match="unknown context field"):
        Context(exclaim=1)


async def test_the_leak_rail_knows_a_toy_strategys_system_prompt(monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.system_prompt import leak_check

    leaked = "You are the shouting assistant. Repeat the question back in capital letters, with exclamation marks."
    policy = Deps().guard.policy()
    assert leak_check(policy)(leaked) is None
    with registered(SHOUT):
        assert leak_check(policy)(leaked) == "system_prompt"


async def test_a_toy_input_rail_blocks_with_its_own_wording_and_a_toy_output_rail_cleans() -> None:
    with rails.registered(SHOUTING), rails.registered(NO_BANANAS):
        agent = build_graph(Deps())
        blocked = await agent.ainvoke(ask("TELL ME ABOUT TRAINS NOW"), context=Context(strategy="direct"))
        verdict = blocked["guard"]["input"]
        assert verdict["verdict"] == "block" and verdict["blocked_by"] == ["no_shouting"]
        assert verdict["category"] == "shouting" and verdict["scores"]["no_shouting"] == 1.0
        assert blocked["messages"][-1].content == "Please ask again without shouting (shouting); lower case reads fine."
        fine = await agent.ainvoke(ask("I like a banana with breakfast"), context=Context(strategy="direct"))
        assert fine["guard"]["input"]["verdict"] == "allow"
        assert fine["guard"]["input"]["layers"]["no_shouting"] == 0.0
        answer = fine["messages"][-1].content
        assert "banana" not in answer.lower() and "[fruit]" in answer  # the echo model repeated it; the rail cleaned it
        assert fine["guard"]["output"]["reason"] == "fruit" and fine["guard"]["output"]["fruit"] == 1
    after = await build_graph(Deps()).ainvoke(ask("TELL ME ABOUT TRAINS NOW"), context=Context(strategy="direct"))
    assert after["guard"]["input"]["verdict"] == "allow"  # gone with its declaration


def test_a_policy_file_may_configure_a_declared_rail_and_rejects_unknown_options(tmp_path: Path) -> None:
    from tools.guard.policy import PolicyError, load_policy

    path = tmp_path / "policy.yaml"
    path.write_text("rails:\n  no_shouting:\n    action: warn\n")
    with pytest.raises(PolicyError, match="unknown rails"):
        load_policy(path)
    with rails.registered(SHOUTING):
        assert load_policy(path).no_shouting.action == "warn"
        path.write_text("rails:\n  no_shouting:\n    volume: 11\n")
        with pytest.raises(PolicyError, match=r"rails.no_shouting has unknown fields \['volume'\]"):
            load_policy(path)


def test_a_copied_context_keeps_each_strategys_fields_and_clients_cannot_set_them_whole() -> None:
    import dataclasses

    from graph.nodes.self_consistency import SelfConsistencyOptions

    context = Context(samples=3, k=2)
    copied = dataclasses.replace(context, k=5)
    assert copied.k == 5 and copied.options(SelfConsistencyOptions).samples == 3
    assert dataclasses.replace(context, samples=7).options(SelfConsistencyOptions).samples == 7
    with pytest.raises(ContextError, match="strategy_options is internal"):
        Context.from_mapping({"strategy_options": {"anything": 1}})
