"""What the graph's nodes use from outside themselves, built once and passed to ``build_graph``.

``Deps.real()`` is what ``graph.agent`` (the module ``langgraph.json`` serves) builds: the model factory,
the knowledge base, the guard under ``TAILOR_GUARD_POLICY``, the adapter registry, the feedback store and
LangSmith tracing. Tests pass their own: a subclass of one part (say, ``Models`` serving a scripted
model) with ``dataclasses.replace(Deps.real(), models=...)``. Every method that may block (loading a
model, reading a collection) is called from a worker thread by the nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from graph.models.reward import Scorer as RewardScorer
    from graph.models.runtime import LocalRuntime
    from tools.feedback import Feedback as FeedbackItem
    from tools.guard.policy import Policy
    from tools.kb.retrieval import RetrievalOptions, RetrievalResult

N = TypeVar("N")


class Models:
    """Chat models by spec (loaded once per process by the factory), the guard's scorer, reward models."""

    def chat(self, spec: str) -> BaseChatModel:
        """The model for ``spec``, loaded on first use (blocking: may read weights)."""
        from graph.models.factory import get_chat_model

        return get_chat_model(spec)

    def loaded(self, spec: str) -> BaseChatModel | None:
        """The model for ``spec`` when it is already loaded (never blocks), else None."""
        from graph.models.factory import loaded_model

        return loaded_model(spec)

    def guard_scorer(self, spec: str) -> LocalRuntime | None:
        from graph.models.factory import guard_scorer

        return guard_scorer(spec)

    def reward(self, spec: str) -> RewardScorer:
        from graph.models.reward import get_scorer

        return get_scorer(spec)


class Adapters:
    """The adapter registry: a run's adapter name -> the loaded adapter's key (None: the base model)."""

    def resolve(self, model: BaseChatModel, name: str) -> str | None:
        from graph.adapters import resolve_adapter

        return resolve_adapter(model, name)


class Knowledge:
    """The knowledge base's collections."""

    def has(self, collection: str) -> bool:
        from tools.kb.store import has_collection

        return has_collection(collection)

    def retrieve(self, collection: str, question: str, options: RetrievalOptions, **kwargs: Any) -> RetrievalResult:
        from tools.kb.retrieval import retrieve

        return retrieve(collection, question, options, **kwargs)


class Guard:
    """The guard policy in force and the input scan under it."""

    def policy(self) -> Policy:
        from tools.guard.policy import cached_policy
        from tools.settings import get_settings

        return cached_policy(get_settings().guard_policy)

    def scan(self, text: str, policy: Policy, scorer: LocalRuntime | None) -> dict[str, Any]:
        from tools.guard.scan import scan_text

        return scan_text(text, policy, scorer=scorer)


class FeedbackSink:
    """Where answers the output rails replaced are kept, as rejected examples for preference tuning."""

    def keep(self, item: FeedbackItem) -> None:
        from tools.feedback import FeedbackStore

        FeedbackStore().add(item)


class Tracer:
    """LangSmith tracing with personal data redacted; nothing is installed or wrapped when it is off."""

    def install(self) -> bool:
        from graph import tracing

        return tracing.install()

    def wrap(self, name: str, node: N) -> N:
        from graph import tracing

        return cast(N, tracing.traced(name, node))  # the same call signature, annotated when tracing is on


@dataclass(frozen=True)
class Deps:
    """The live dependencies of one compiled graph."""

    models: Models = field(default_factory=Models)
    adapters: Adapters = field(default_factory=Adapters)
    knowledge: Knowledge = field(default_factory=Knowledge)
    guard: Guard = field(default_factory=Guard)
    feedback: FeedbackSink = field(default_factory=FeedbackSink)
    tracer: Tracer = field(default_factory=Tracer)

    @classmethod
    def real(cls) -> Deps:
        return cls()
