"""The agent ``langgraph.json`` serves as ``agent``: the real dependencies, built once, in the graph."""

from __future__ import annotations

from graph.deps import Deps
from graph.graph import build_graph

deps = Deps.real()
graph = build_graph(deps)
