r"""The agent graph, built from its dependencies and the declared strategies.

START -> guard_input -> route -> <a strategy's nodes> -> guard_output -> END
              |            (generate | few_shot | cot | self_consistency | tot (a subgraph) | retrieve -> rag)
              |            \\-> END (route_only)
              +-> refuse -> END

``graph.agent`` builds the real dependencies once and serves the result; tests pass their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

import prompts
from graph.context import Context
from graph.deps import Deps
from graph.nodes.common import context_of
from graph.nodes.guard_input import guard_input, input_allowed
from graph.nodes.guard_output import guard_output
from graph.nodes.refuse import refuse
from graph.nodes.route import route
from graph.state import InputState, State
from graph.strategies import Node, Strategy, declared, with_deps
from tools.guard import injection, output


def after_route(strategies: dict[str, Strategy]) -> Callable[[State, Runtime[Context]], str]:
    """The edge after ``route``: the chosen strategy's first node, or the end for route-only runs."""
    entries = {name: strategy.entry for name, strategy in strategies.items()}

    def next_after_route(state: State, runtime: Runtime[Context]) -> str:
        if context_of(runtime).route_only:
            return END
        strategy = state.get("strategy", "")
        if strategy not in entries:  # a wrong name must fail here, not as a missing node later
            raise ValueError(f"route chose strategy {strategy!r}, which has no node; known: {', '.join(entries)}")
        return entries[strategy]

    return next_after_route


def build_graph(
    deps: Deps | None = None, checkpointer: BaseCheckpointSaver[Any] | None = None
) -> CompiledStateGraph[State, Context, InputState, State]:
    """The compiled agent over ``deps`` (default: the real ones) and every strategy declared now."""
    deps = deps or Deps.real()
    prompts.preload()  # read prompt and rule files now, never from inside a node on the event loop
    injection.preload()
    output.preload()
    deps.tracer.install()  # before any run: traces leave the process with personal data redacted
    strategies = declared()
    builder: StateGraph[State, Context, InputState, State] = StateGraph(
        State, context_schema=Context, input_schema=InputState
    )

    def add(name: str, node: Node) -> None:
        builder.add_node(name, deps.tracer.wrap(name, node))

    add("guard_input", with_deps(guard_input)(deps))
    add("refuse", with_deps(refuse)(deps))
    add("route", with_deps(route)(deps))
    add("guard_output", with_deps(guard_output)(deps))
    builder.add_edge(START, "guard_input")
    builder.add_conditional_edges("guard_input", input_allowed, ["route", "refuse"])
    builder.add_conditional_edges("route", after_route(strategies), [*(s.entry for s in strategies.values()), END])
    for strategy in strategies.values():
        names = [name for name, _ in strategy.nodes]
        for name, factory in strategy.nodes:
            add(name, factory(deps))
        for here, there in zip(names, [*names[1:], "guard_output"], strict=True):
            builder.add_edge(here, there)
    builder.add_edge("guard_output", END)
    builder.add_edge("refuse", END)
    return builder.compile(checkpointer=checkpointer, name="agent")
