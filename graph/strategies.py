"""Every prompting strategy declared once: its nodes, system prompts, context fields and router group.

The graph builder adds each strategy's nodes (a chain that ends in ``guard_output``), the router groups
labels by ``group``, the run's context accepts and validates each strategy's ``options`` fields, and the
leak rail looks for every ``system_prompts`` text in answers. The built-in strategies declare themselves
as ``STRATEGY`` in their node modules under ``graph/nodes``; :func:`register` adds one from anywhere else.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields, is_dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from tools.registry import Registry

if TYPE_CHECKING:
    from langgraph.runtime import Runtime

    from graph.deps import Deps
    from graph.state import State

AUTO = "auto"


class Node(Protocol):
    """What LangGraph runs: (state, runtime) -> the state update (LangGraph passes ``runtime`` by name)."""

    def __call__(self, state: State, runtime: Runtime[Any]) -> Awaitable[dict[str, Any]]: ...


# What a strategy module writes: a node that also gets the graph's dependencies.
NodeWithDeps = Callable[["State", "Runtime[Any]", "Deps"], Awaitable[dict[str, Any]]]
NodeFactory = Callable[["Deps"], Node]


def with_deps(fn: NodeWithDeps) -> NodeFactory:
    """A node factory that hands ``deps`` to ``fn`` on every call."""

    def factory(deps: Deps) -> Node:
        async def node(state: State, runtime: Runtime[Any]) -> dict[str, Any]:
            return await fn(state, runtime, deps)

        node.__name__ = node.__qualname__ = getattr(fn, "__name__", "node")
        return node

    return factory


@dataclass(frozen=True)
class Strategy:
    """One way to answer.

    name: what a run's context (``strategy``) and the router call it.
    nodes: (node name, factory) in order; the first is entered from ``route``, each leads to the next, the
        last to ``guard_output``.
    group: the router's group for it (similar strategies compete as one); default: its name.
    system_prompts: prompt names of the system messages it shows (the leak rail looks for them in answers).
    options: a dataclass of the context fields it reads, validated in its ``__post_init__``
        (raise ``graph.context.ContextError``); read with ``ctx.options(TheClass)``.
    rank: order among strategies (lists, error messages).
    """

    name: str
    nodes: tuple[tuple[str, NodeFactory], ...]
    group: str = ""
    system_prompts: tuple[str, ...] = ()
    options: type | None = None
    rank: int = 100

    def __post_init__(self) -> None:
        if not self.nodes:
            raise ValueError(f"strategy {self.name!r} needs at least one node")
        if self.options is not None and not is_dataclass(self.options):
            raise ValueError(f"strategy {self.name!r}: options must be a dataclass of context fields")

    @property
    def entry(self) -> str:
        return self.nodes[0][0]

    @property
    def router_group(self) -> str:
        return self.group or self.name


_declarations: Registry[Strategy] = Registry("strategy")


@cache
def _discovered() -> None:
    """Declare the strategies of the modules under ``graph/nodes`` (imported once, before any other)."""
    import graph.nodes

    for module in pkgutil.iter_modules(graph.nodes.__path__):
        found = getattr(importlib.import_module(f"graph.nodes.{module.name}"), "STRATEGY", None)
        if isinstance(found, Strategy):
            _declarations.add(found.name, found)


def _checked(strategy: Strategy) -> str:
    _discovered()  # the built-in strategies first: a new one may not take their names
    if strategy.name == AUTO:
        raise ValueError(f"{AUTO!r} is the router's choice, not a strategy name")
    return strategy.name


def register(strategy: Strategy) -> Strategy:
    """Declare a strategy beyond the built-in ones (graphs built afterwards include it)."""
    return _declarations.add(_checked(strategy), strategy)


def unregister(name: str) -> None:
    _declarations.remove(name)


def registered(strategy: Strategy) -> AbstractContextManager[Strategy]:
    """``strategy`` declared for the duration of a ``with`` block (tests, experiments)."""
    return _declarations.added(_checked(strategy), strategy)


def declared() -> dict[str, Strategy]:
    """Every strategy by name, in rank order."""
    _discovered()

    def build() -> dict[str, Strategy]:
        ordered = sorted(_declarations.items().values(), key=lambda s: (s.rank, s.name))
        return {s.name: s for s in ordered}

    return dict(_declarations.view("declared", build))


def valid_strategies() -> list[str]:
    return [AUTO, *declared()]


def group_of(name: str) -> str:
    """The router group a strategy competes in (its own name for anything undeclared)."""
    found = declared().get(name)
    return found.router_group if found else name


def system_prompts() -> tuple[str, ...]:
    """Every system prompt an answer could leak, for the output rail's verbatim check."""
    return tuple(dict.fromkeys(name for s in declared().values() for name in s.system_prompts))


def option_fields() -> dict[str, list[type]]:
    """Context field name -> the options classes that declare it."""
    return dict(_declarations.view("option_fields", _option_fields))


def _option_fields() -> dict[str, list[type]]:
    out: dict[str, list[type]] = {}
    for strategy in declared().values():
        if strategy.options is not None:
            for f in fields(strategy.options):
                out.setdefault(f.name, []).append(strategy.options)
    return out
