"""The compiled agent graph that ``langgraph.json`` serves as ``agent``.

START -> guard_input -> route -> <strategy node> -> guard_output -> END
              |            (generate | few_shot | cot | self_consistency | tot (a subgraph))
              |            |-> retrieve -> rag | generate (nothing relevant in the default collection)
              |            \\-> END (route_only)
              +-> refuse -> END
"""

from __future__ import annotations

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

import prompts
from tools.guard import injection, output
from graph import tracing
from graph.context import Context
from graph.nodes.cot import cot
from graph.nodes.few_shot import few_shot
from graph.nodes.generate import generate
from graph.nodes.guard_input import guard_input, input_allowed
from graph.nodes.guard_output import guard_output
from graph.nodes.rag import rag
from graph.nodes.refuse import refuse
from graph.nodes.retrieve import next_after_retrieve, retrieve
from graph.nodes.route import next_after_route, route
from graph.nodes.self_consistency import self_consistency
from graph.nodes.tot import tot
from graph.state import InputState, State
from graph.strategies import STRATEGY_NODES


def build_graph(checkpointer: BaseCheckpointSaver | None = None) -> CompiledStateGraph:
    prompts.preload()  # read prompt and rule files now, never from inside a node on the event loop
    injection.preload()
    output.preload()
    tracing.install()  # before any run: traces leave the process with personal data redacted
    builder = StateGraph(State, context_schema=Context, input_schema=InputState)
    builder.add_node("guard_input", tracing.traced("guard_input", guard_input))
    builder.add_node("refuse", tracing.traced("refuse", refuse))
    builder.add_node("route", tracing.traced("route", route))
    builder.add_node("generate", tracing.traced("generate", generate))
    builder.add_node("retrieve", tracing.traced("retrieve", retrieve))
    builder.add_node("rag", tracing.traced("rag", rag))
    builder.add_node("few_shot", tracing.traced("few_shot", few_shot))
    builder.add_node("cot", tracing.traced("cot", cot))
    builder.add_node("self_consistency", tracing.traced("self_consistency", self_consistency))
    builder.add_node("tot", tracing.traced("tot", tot))
    builder.add_node("guard_output", tracing.traced("guard_output", guard_output))

    builder.add_edge(START, "guard_input")
    builder.add_conditional_edges("guard_input", input_allowed, ["route", "refuse"])
    builder.add_conditional_edges("route", next_after_route, [*sorted(set(STRATEGY_NODES.values())), END])
    builder.add_conditional_edges("retrieve", next_after_retrieve, ["rag", "generate"])
    for node in ("generate", "rag", "few_shot", "cot", "self_consistency", "tot"):
        builder.add_edge(node, "guard_output")
    builder.add_edge("guard_output", END)
    builder.add_edge("refuse", END)
    return builder.compile(checkpointer=checkpointer, name="agent")


graph = build_graph()
