"""The run's context: what a caller may set per request (LangGraph runtime context).

Defaults come from :mod:`tools.settings`; a bad value raises an error that names the field and
the values it accepts, so a client sees what to fix.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any, TypeVar

from graph.strategies import option_fields, valid_strategies
from tools.kb.errors import KBError
from tools.kb.filters import to_where
from tools.kb.retrieval import SEARCH_MODES
from tools.kb.store import check_name
from tools.settings import get_settings

T = TypeVar("T")

REWRITES = ("none", "multi_query", "hyde")


class ContextError(ValueError):
    """A context field holds a value Tailor cannot use."""


@dataclass(init=False)
class Context:
    """Per-run settings.

    model: model spec (see graph.models.factory); default TAILOR_MODEL.
    adapter: name of a registered LoRA adapter (``name@vN`` pins a version), or empty for the base
        model; default ``TAILOR_ADAPTER``, the adapter a deployment serves.
    strategy: "auto" lets the router decide; otherwise one of the strategies this build runs.
    collection: knowledge-base collection to answer from; when set, every request is answered from it
        (or declined). Empty: the default collection (TAILOR_COLLECTION) is tried and used only when relevant.
    k: number of chunks to retrieve.
    filters: metadata filters for retrieval, e.g. {"source": "docs/rag.md"} or {"team": {"$in": ["a", "b"]}}.
    search: "similarity" or "mmr" (diverse chunks).
    hybrid: merge BM25 keyword search with vector search (reciprocal rank fusion).
    rewrite: "none", "multi_query" (the model writes other phrasings) or "hyde" (a hypothetical answer).
    min_relevance: cosine similarity under which a chunk is not relevant; default TAILOR_MIN_RELEVANCE.
    route_min_relevance: best relevance at which ``auto`` routes to the knowledge base; default
        TAILOR_ROUTE_MIN_RELEVANCE.
    temperature: sampling temperature; 0 is greedy.
    max_new_tokens: most tokens one answer may have.
    route_only: decide the route and stop before generating.
    max_model_calls: budget of model calls for one answer (self-consistency and tree of thoughts).
    adapters: a different adapter per node or strategy, e.g. {"generate": "support"}.

    Each strategy declares the further fields it reads (``few_shot_k``, ``cot_mode``, ``samples``,
    ``select``, ``reward_model``, ``tot_breadth``, ``tot_beam``, ``tot_depth``; see graph/strategies.py):
    they are given flat like these and read with :meth:`options`.
    """

    model: str = field(default_factory=lambda: get_settings().model)
    adapter: str = field(default_factory=lambda: get_settings().adapter)
    strategy: str = "auto"
    collection: str = ""
    k: int = field(default_factory=lambda: get_settings().k)
    filters: dict[str, Any] = field(default_factory=dict)
    search: str = "similarity"
    hybrid: bool = True
    rewrite: str = "none"
    min_relevance: float = field(default_factory=lambda: get_settings().min_relevance)
    route_min_relevance: float = field(default_factory=lambda: get_settings().route_min_relevance)
    temperature: float = field(default_factory=lambda: get_settings().temperature)
    max_new_tokens: int = field(default_factory=lambda: get_settings().max_new_tokens)
    route_only: bool = False
    max_model_calls: int = 16
    adapters: dict[str, str] = field(default_factory=dict)
    # each declared options class (by its qualified name) -> its validated instance; set from the flat fields
    # (given here only by ``dataclasses.replace``, which copies a context)
    strategy_options: dict[str, Any] = field(default_factory=dict, repr=False)

    def __init__(self, **values: Any) -> None:
        given = values.pop("strategy_options", None) or {}
        own = {f.name: f for f in fields(Context) if f.name != "strategy_options"}
        declared = option_fields()
        unknown = sorted(set(values) - set(own) - set(declared))
        if unknown:
            known = sorted({*own, *declared})
            raise ContextError(f"unknown context field(s) {', '.join(unknown)}; valid fields: {', '.join(known)}.")
        for name, spec in own.items():
            if name in values:
                value = values[name]
            elif spec.default_factory is not MISSING:
                value = spec.default_factory()
            else:
                value = spec.default
            setattr(self, name, value)
        self._check()
        classes = {cls for owners in declared.values() for cls in owners}
        if (
            not isinstance(given, dict)
            or any(not isinstance(given.get(_key(cls), cls()), cls) for cls in classes)
            or set(given) - {_key(cls) for cls in classes}
        ):
            raise ContextError("strategy_options is internal; give each strategy's fields flat, e.g. samples=5.")
        self.strategy_options = {}
        for cls in classes:
            copied = given.get(_key(cls))
            own_values = {f.name: values[f.name] for f in fields(cls) if f.name in values}
            self.strategy_options[_key(cls)] = cls(**own_values) if own_values or copied is None else copied

    def options(self, kind: type[T]) -> T:
        """The validated fields a strategy declared (``kind`` is its options dataclass)."""
        found = self.strategy_options.get(_key(kind))
        return found if isinstance(found, kind) else kind()

    def adapter_for(self, node: str, strategy: str = "") -> str:
        """The adapter a node uses: per node, else per strategy, else the run's ``adapter``."""
        return self.adapters.get(node) or self.adapters.get(strategy) or self.adapter

    def _check(self) -> None:
        if self.strategy not in valid_strategies():
            raise ContextError(f"unknown strategy {self.strategy!r}; valid values: {', '.join(valid_strategies())}.")
        check_number("k", self.k, int, 1, 100)
        check_number("temperature", self.temperature, (int, float), 0.0, 2.0)
        check_number("max_new_tokens", self.max_new_tokens, int, 1, 8192)
        if not isinstance(self.model, str) or not self.model.strip():
            raise ContextError("model must be a non-empty spec string such as 'default'.")
        allowed = allowed_models()
        if allowed is not None and self.model not in allowed:
            raise ContextError(
                f"model {self.model!r} is not allowed on this server; allowed: {', '.join(sorted(allowed))} "
                f"(TAILOR_ALLOWED_MODELS)."
            )
        if not isinstance(self.adapter, str):
            raise ContextError("adapter must be a string naming a registered adapter, or empty.")
        if not isinstance(self.collection, str):
            raise ContextError("collection must be a string naming a knowledge-base collection, or empty.")
        try:
            if self.collection:
                check_name(self.collection)
            to_where(self.filters)
        except KBError as exc:
            raise ContextError(str(exc)) from None
        check_choice("search", self.search, SEARCH_MODES)
        check_choice("rewrite", self.rewrite, REWRITES)
        check_number("max_model_calls", self.max_model_calls, int, 1, 200)
        if not isinstance(self.hybrid, bool):
            raise ContextError("hybrid must be true or false.")
        check_number("min_relevance", self.min_relevance, (int, float), 0.0, 1.0)
        check_number("route_min_relevance", self.route_min_relevance, (int, float), 0.0, 1.0)
        if not isinstance(self.adapters, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.adapters.items()
        ):
            raise ContextError(
                'adapters must map node or strategy names to adapter names, e.g. {"generate": "support"}.'
            )
        if not isinstance(self.route_only, bool):
            raise ContextError("route_only must be true or false.")

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """The JSON schema clients see (LangGraph's assistant schemas): these fields and every strategy's."""
        from pydantic import TypeAdapter

        schema: dict[str, Any] = handler.resolve_ref_schema(handler(core_schema))
        properties = schema.setdefault("properties", {})
        properties.pop("strategy_options", None)
        for owners in option_fields().values():
            for name, field_schema in TypeAdapter(owners[0]).json_schema().get("properties", {}).items():
                properties.setdefault(name, field_schema)
        return schema

    @classmethod
    def from_mapping(cls, values: dict[str, Any] | None) -> Context:
        """Build from a plain mapping, rejecting unknown keys by name."""
        return cls(**{k: v for k, v in dict(values or {}).items() if v is not None})


def allowed_models() -> set[str] | None:
    """The model specs a run may name; None: any.

    A server with API keys serves other people, and a model spec can name a folder or a URL, so
    there only the configured model is allowed unless ``TAILOR_ALLOWED_MODELS`` lists more (``*``: any).
    Without keys (one local user) any spec is allowed unless the setting narrows it.
    """
    settings = get_settings()
    configured = [m.strip() for m in settings.allowed_models.split(",") if m.strip()]
    if "*" in configured:
        return None
    if configured:
        return {settings.model, *configured}
    return {settings.model} if settings.api_keys.strip() else None


def _key(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ContextError(f"{name} must be one of {', '.join(allowed)}; got {value!r}.")


def check_number(name: str, value: Any, kind: Any, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ContextError(f"{name} must be a number between {low} and {high}; got {value!r}.")
    if not low <= value <= high:
        raise ContextError(f"{name} must be between {low} and {high}; got {value!r}.")
