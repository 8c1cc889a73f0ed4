"""``guard_input``: decide whether the latest user message can be answered at all.

Writes ``guard.input`` = {"verdict": "allow"|"block", "reason", "prompt"} and clears the per-turn
fields (documents, citations, reasoning, strategy, route_reason, adapter) of the previous turn.
Besides empty and oversized messages, the guard scanners (tools/guard: attack rules read through
disguises, similarity to known attacks, the learned classifier of injections and harmful requests) block attacks under the policy in ``TAILOR_GUARD_POLICY``
(default: the shipped one); a block carries the ``category`` and the layers' ``scores``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.messages import BaseMessage
from langgraph.runtime import Runtime

from graph.context import Context
from graph.deps import Deps
from graph.models.runtime import message_text
from graph.state import State
from tools.guard.rails import by_side
from tools.settings import get_settings


def check_input(messages: Sequence[BaseMessage], max_chars: int) -> dict[str, Any]:
    """The verdict on a turn's latest message; ``prompt`` names what to say when blocked."""
    if not messages or messages[-1].type != "human":
        return {"verdict": "block", "reason": "no_user_message", "prompt": "guard/no_user_message"}
    text = message_text(messages[-1])
    if not text.strip():
        return {"verdict": "block", "reason": "empty_input", "prompt": "guard/empty_input"}
    if len(text) > max_chars:
        return {
            "verdict": "block",
            "reason": "oversized_input",
            "prompt": "guard/oversized_input",
            "length": len(text),
            "limit": max_chars,
        }
    return {"verdict": "allow", "reason": "ok", "length": len(text)}


def check_attacks(text: str, deps: Deps) -> dict[str, Any]:
    """The guard scanners' verdict under the policy in force (blocking: may embed the text).

    Carries each layer's score and the kinds of personal data found (never their values).
    """
    rails = deps.guard.policy()
    scorer = (
        deps.models.guard_scorer(str(rails.perplexity.option("model", "auto"))) if rails.perplexity.enabled else None
    )
    result = deps.guard.scan(text, rails, scorer)
    categories = result["categories"]
    layers = {name: round(float(c.get("score", 0.0)), 3) for name, c in categories.items()}
    found = categories.get("personal_data", {}).get("kinds", {})
    seen: dict[str, Any] = {"layers": layers, **({"personal_data": found} if found else {})}
    if result["verdict"] != "block":
        return seen
    injection_scores = categories.get("injection", {}).get("by_category", {})
    scores = {k: round(v, 3) for k, v in injection_scores.items() if v}
    for spec in by_side("input"):  # every other scoring rail that ran; personal data has no score to show
        if spec.name in categories and spec.name != "injection" and not spec.kinds:
            scores[spec.name] = categories[spec.name]["score"]
    return {
        **seen,
        "verdict": "block",
        "reason": "attack",
        "category": result["category"],
        "scores": scores,
        "blocked_by": result.get("blocked_by", []),
        "prompt": result["refusal"],
    }


async def guard_input(state: State, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    verdict = check_input(state.get("messages", []), get_settings().max_input_chars)
    if verdict["verdict"] == "allow":
        blocked = await asyncio.to_thread(check_attacks, message_text(state["messages"][-1]), deps)
        verdict = {**verdict, **blocked}
    return {
        "guard": {"input": verdict},
        "strategy": "",
        "route_reason": "",
        "documents": [],
        "citations": [],
        "reasoning": {},
        "adapter": "",
    }


def input_allowed(state: State) -> Literal["route", "refuse"]:
    """Edge after ``guard_input``: on to ``route`` or to ``refuse``."""
    return "route" if state.get("guard", {}).get("input", {}).get("verdict") == "allow" else "refuse"
