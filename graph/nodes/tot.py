"""``tot``: tree of thoughts, as a subgraph.

    plan -> expand (one per kept branch, fanned out with Send) -> collect
         -> evaluate (one per new thought, Send) -> prune -> expand ... | answer

Each level: every kept branch proposes ``tot_breadth`` next thoughts, a value prompt scores each
new path (1-10, read leniently), and the best ``tot_beam`` are kept; after ``tot_depth`` levels, or
when ``max_model_calls`` would be exceeded, the best path is turned into an answer. Writes the answer
to ``messages`` and ``reasoning.branches`` (id, parent, depth, thought, score, kept) with
``reasoning.model_calls`` and ``reasoning.tot`` (answer, best path, stop reason).
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from typing import Annotated, Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Send
from typing_extensions import TypedDict

import prompts
from graph.context import Context, check_number
from graph.deps import Deps
from graph.extract import extract_answer, extract_score
from graph.nodes.common import complete, context_of, latest_question, model_for, stated
from graph.state import State
from graph.strategies import Node, Strategy


@dataclass(frozen=True)
class TotOptions:
    """tot_breadth, tot_beam, tot_depth: thoughts proposed per branch, branches kept per level, levels explored."""

    tot_breadth: int = 3
    tot_beam: int = 2
    tot_depth: int = 2

    def __post_init__(self) -> None:
        check_number("tot_breadth", self.tot_breadth, int, 1, 8)
        check_number("tot_beam", self.tot_beam, int, 1, 8)
        check_number("tot_depth", self.tot_depth, int, 1, 6)


PROPOSE_TOKENS = 96
VALUE_TOKENS = 8
UNSCORED = -1.0  # a thought whose score could not be read ranks below every scored one
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\(?\d{1,2}[.):])\s*")  # "1.", "2)", "- " before a proposed step


def _merge(left: list[Any] | None, right: list[Any] | None) -> list[Any]:
    """Append, or start over when a node returns None (a new level)."""
    return [] if right is None else (left or []) + right


class TotState(TypedDict, total=False):
    """The subgraph's state: the question, the branches at each level, and the calls spent."""

    question: str
    frontier: list[dict[str, Any]]
    candidates: Annotated[list[dict[str, Any]], _merge]
    scored: Annotated[list[dict[str, Any]], _merge]
    branches: Annotated[list[dict[str, Any]], operator.add]
    depth: int
    calls: Annotated[int, operator.add]
    stop: str
    text: str
    answer: str | None


def _options(runtime: Runtime[Context]) -> tuple[Context, TotOptions]:
    ctx = context_of(runtime)
    return ctx, ctx.options(TotOptions)


def _remaining(state: TotState, ctx: Context) -> int:
    """Calls left before the one the final answer needs."""
    return ctx.max_model_calls - state.get("calls", 0) - 1


def plan(state: TotState) -> dict[str, Any]:
    return {"frontier": [{"id": "0", "path": [], "score": 1.0}], "depth": 0, "candidates": None, "scored": None}


def fan_out_expand(state: TotState, runtime: Runtime[Context]) -> list[Send] | str:
    ctx, options = _options(runtime)
    if state["depth"] >= options.tot_depth:
        return "answer"
    # Expanding a branch costs one call, scoring its children tot_breadth more.
    affordable = _remaining(state, ctx) // (1 + options.tot_breadth)
    parents = state["frontier"][: max(0, affordable)]
    if not parents:
        return "answer"
    return [Send("expand", {"question": state["question"], "branch": b}) for b in parents]


async def expand(payload: dict[str, Any], runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx, options = _options(runtime)
    branch = payload["branch"]
    model, adapter = await model_for(deps, ctx, "tot")
    text = prompts.render("tot/propose", question=payload["question"], path=branch["path"], k=options.tot_breadth)
    reply = await complete(model, [HumanMessage(content=text)], PROPOSE_TOKENS, ctx.temperature, adapter)
    thoughts = [_LIST_MARK.sub("", line).strip() for line in reply.splitlines()]
    thoughts = list(dict.fromkeys(t for t in thoughts if len(t) > 1))[: options.tot_breadth]
    depth = len(branch["path"]) + 1
    children = [
        {
            "id": f"{branch['id']}.{i}",
            "parent": branch["id"],
            "depth": depth,
            "thought": t,
            "path": [*branch["path"], t],
        }
        for i, t in enumerate(thoughts, start=1)
    ]
    return {"candidates": children, "calls": 1}


def collect(state: TotState) -> dict[str, Any]:
    return {}


def fan_out_evaluate(state: TotState, runtime: Runtime[Context]) -> list[Send] | str:
    candidates = state.get("candidates") or []
    if not candidates:
        return "prune"
    affordable = max(0, _remaining(state, context_of(runtime)))
    sends = [Send("evaluate", {"question": state["question"], "branch": c}) for c in candidates[:affordable]]
    return sends or "prune"


async def evaluate(payload: dict[str, Any], runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx = context_of(runtime)
    branch = payload["branch"]
    model, adapter = await model_for(deps, ctx, "tot")
    text = prompts.render("tot/value", question=payload["question"], path=branch["path"])
    reply = await complete(model, [HumanMessage(content=text)], VALUE_TOKENS, 0.0, adapter)
    score = extract_score(reply)
    return {"scored": [{**branch, "score": UNSCORED if score is None else round(score, 3)}], "calls": 1}


def prune(state: TotState, runtime: Runtime[Context]) -> dict[str, Any]:
    _, options = _options(runtime)
    scored = {c["id"]: c for c in state.get("scored") or []}
    # Thoughts the budget left unscored are kept in the record, ranked last.
    level = [scored.get(c["id"], {**c, "score": UNSCORED}) for c in state.get("candidates") or []]
    ranked = sorted(level, key=lambda c: c["score"], reverse=True)
    kept = ranked[: options.tot_beam]
    kept_ids = {c["id"] for c in kept}
    record = [
        {k: c[k] for k in ("id", "parent", "depth", "thought", "score")} | {"kept": c["id"] in kept_ids} for c in level
    ]
    return {
        "frontier": kept or state["frontier"],
        "depth": state["depth"] + 1,
        "branches": record,
        "candidates": None,
        "scored": None,
    }


async def answer(state: TotState, runtime: Runtime[Context], deps: Deps) -> dict[str, Any]:
    ctx, options = _options(runtime)
    best = max(state["frontier"], key=lambda b: b.get("score", 0.0))
    model, adapter = await model_for(deps, ctx, "tot")
    text = prompts.render("tot/answer", question=state["question"], path=best["path"])
    reply = await complete(model, [HumanMessage(content=text)], ctx.max_new_tokens, ctx.temperature, adapter)
    stop = "depth" if state["depth"] >= options.tot_depth else "budget"
    return {"text": reply, "answer": extract_answer(reply), "calls": 1, "stop": stop, "frontier": [best]}


def build_tot(deps: Deps) -> Any:
    """The subgraph, its model-calling steps bound to ``deps``."""

    def bound(step: Any) -> Any:
        async def run(payload: Any, runtime: Runtime[Context]) -> dict[str, Any]:
            return await step(payload, runtime, deps)  # type: ignore[no-any-return]

        run.__name__ = step.__name__
        return run

    builder = StateGraph(TotState, context_schema=Context)
    builder.add_node("plan", plan)
    builder.add_node("expand", bound(expand))
    builder.add_node("collect", collect)
    builder.add_node("evaluate", bound(evaluate))
    builder.add_node("prune", prune)
    builder.add_node("answer", bound(answer))
    builder.add_edge(START, "plan")
    builder.add_conditional_edges("plan", fan_out_expand, ["expand", "answer"])
    builder.add_edge("expand", "collect")
    builder.add_conditional_edges("collect", fan_out_evaluate, ["evaluate", "prune"])
    builder.add_edge("evaluate", "prune")
    builder.add_conditional_edges("prune", fan_out_expand, ["expand", "answer"])
    builder.add_edge("answer", END)
    return builder.compile(name="tot")


def tot_node(deps: Deps) -> Node:
    """The ``tot`` node: runs the subgraph (compiled once per graph) and reports its branches."""
    subgraph = build_tot(deps)

    async def tot(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
        ctx = context_of(runtime)
        question = latest_question(state, deps.guard.policy())
        result = await subgraph.ainvoke({"question": question, "calls": 0}, context=ctx)
        best = result["frontier"][0]
        reasoning = dict(state.get("reasoning") or {})
        reasoning.update(
            branches=result.get("branches", []),
            model_calls=result.get("calls", 0),
            tot={"answer": result.get("answer"), "best_path": best["path"], "stop": result.get("stop", "")},
        )
        _, adapter = await model_for(deps, ctx, "tot")  # the same model and adapter the subgraph used
        return {
            "messages": [AIMessage(content=stated(result["text"], result.get("answer")))],
            "reasoning": reasoning,
            "adapter": adapter or "",
        }

    return tot


STRATEGY = Strategy("tot", nodes=(("tot", tot_node),), group="reasoning", options=TotOptions, rank=4)
