"""``python -m bench.graph``: the graph's own cost per request, beside LangGraph's own, in one run.

Two graphs of the same shape (guard_input -> route -> generate -> guard_output) answer the same request
in turns:
- the agent with a fake model and hash embeddings: every guard layer but perplexity (which needs a
  local model), the router with its knowledge-base probe, prompt building, the output rails
  (``graph_overhead_ms_p50``);
- four nodes that do nothing: LangGraph's own step cost on this machine (``langgraph_floor_ms_p50``).
Their ratio is what the agent adds. Results are saved under ``bench/results/`` with the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from typing import Any

from bench.machine import save_result

REQUEST = {"messages": [{"role": "user", "content": "What is a good name for a grey cat?"}]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def agent_graph(embeddings: str, model: str) -> Any:
    """The agent over the real dependencies, with ``TAILOR_EMBEDDINGS`` and ``TAILOR_MODEL`` as given."""
    from graph.graph import build_graph
    from tools import resources

    os.environ["TAILOR_EMBEDDINGS"] = embeddings
    os.environ["TAILOR_MODEL"] = model
    resources.clear_all()
    return build_graph()


def floor_graph() -> Any:
    """Four no-op nodes in a row: what LangGraph itself costs per request."""
    from langgraph.graph import END, START, MessagesState, StateGraph

    async def nothing(state: MessagesState) -> dict[str, Any]:
        return {}

    builder = StateGraph(MessagesState)
    names = ("guard_input", "route", "generate", "guard_output")
    for name in names:
        builder.add_node(name, nothing)
    for here, there in zip((START, *names), (*names, END), strict=True):
        builder.add_edge(here, there)
    return builder.compile()


def timed(graphs: dict[str, Any], runs: int, context: dict[str, Any]) -> dict[str, list[float]]:
    """Each graph answers ``runs`` times, taking turns, so a busy moment falls on both alike."""

    async def once(graph: Any) -> float:
        started = time.perf_counter()
        await graph.ainvoke(REQUEST, context=context)
        return (time.perf_counter() - started) * 1000

    async def run() -> dict[str, list[float]]:
        for graph in graphs.values():
            await once(graph)  # warm-up: loads what a first request loads
        out: dict[str, list[float]] = {name: [] for name in graphs}
        for _ in range(runs):
            for name, graph in graphs.items():
                out[name].append(await once(graph))
        return out

    return asyncio.run(run())


def measure(runs: int, embeddings: str = "fake:384", model: str = "fake:echo") -> dict[str, float]:
    """The agent answered by the echo model, beside LangGraph alone.

    ``model`` is ``TAILOR_MODEL``, which the perplexity layer scores with: ``fake:echo`` leaves that layer
    out, ``default`` includes its forward pass.
    """
    graphs = {"agent": agent_graph(embeddings, model), "floor": floor_graph()}
    times = timed(graphs, runs, {"model": "fake:echo", "strategy": "auto"})
    agent, floor = statistics.median(times["agent"]), statistics.median(times["floor"])
    return {
        "graph_overhead_ms_p50": round(agent, 2),
        "graph_overhead_ms_p95": round(percentile(times["agent"], 0.95), 2),
        "langgraph_floor_ms_p50": round(floor, 2),
        "graph_over_floor": round(agent / floor, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.graph", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--json", action="store_true", help="end with one line of JSON figures")
    args = parser.parse_args(argv)
    print(
        f"graph overhead: {args.runs} requests each, the agent on a fake model and four no-op nodes...", file=sys.stderr
    )
    figures = measure(args.runs)
    print(
        f"agent p50 {figures['graph_overhead_ms_p50']} ms (p95 {figures['graph_overhead_ms_p95']}) | "
        f"LangGraph alone {figures['langgraph_floor_ms_p50']} ms | {figures['graph_over_floor']}x"
    )
    save_result("graph", figures, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
