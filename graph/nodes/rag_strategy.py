"""The ``rag`` strategy: ``retrieve`` finds the chunks, ``rag`` answers from them (or says it does not know)."""

from __future__ import annotations

from graph.nodes.rag import rag
from graph.nodes.retrieve import retrieve
from graph.strategies import Strategy, with_deps

STRATEGY = Strategy(
    "rag", nodes=(("retrieve", with_deps(retrieve)), ("rag", with_deps(rag))), system_prompts=("rag/system",), rank=5
)
