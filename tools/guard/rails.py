"""Every guard rail declared once: what its policy entry accepts, and how it takes part in a verdict.

A rail is one :class:`RailSpec`, and :class:`Rail` is its settings under a policy. The policy loader
(``tools.guard.policy``) reads the declarations to validate a policy file; ``tools.guard.scan`` runs the input rails' ``scan`` in order; the agent's
output cleaner runs the output rails' ``clean`` on the answer and its stream; a blocking rail may
name the prompt its refusal is worded with. Adding a rail is one module that calls :func:`register`
(plus its rule file); the built-in rails are declared in ``tools.guard.builtin_rails``, which the policy
loader imports so that they are always declared first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from tools.registry import Registry

if TYPE_CHECKING:
    from tools.guard.perplexity import Scorer
    from tools.guard.pii import Vault


@dataclass(frozen=True)
class Rail:
    """One rail's settings under a policy."""

    enabled: bool = True
    threshold: float = 0.5
    action: str = "warn"
    kinds: tuple[str, ...] = field(default_factory=tuple)
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    @property
    def changes_text(self) -> bool:
        """Whether an output rail rewrites answers (any action but "warn"; "block" cannot unsay a streamed word)."""
        return self.enabled and self.action != "warn"


@dataclass
class Reading:
    """One text as the input rails read it, with what several of them share computed once."""

    text: str
    scorer: Scorer | None = None  # the language model the perplexity rail reads with
    vault: Vault | None = None  # placeholders so far in the conversation (personal data)
    shared: dict[str, Any] = field(default_factory=dict)  # e.g. the normalised text, its pieces and vectors

    def once(self, key: str, build: Callable[[], Any]) -> Any:
        """A value several rails need for this text (normalised text, static vectors), computed once."""
        if key not in self.shared:
            self.shared[key] = build()
        return self.shared[key]


@dataclass
class Layer:
    """What one input rail found: its 0-1 score and what it reports beside it."""

    score: float
    details: dict[str, Any] = field(default_factory=dict)
    category: str = ""  # what a block by this rail is about (names the refusal's wording)
    redacted: str | None = None  # the text with what this rail replaced (personal data)
    may_block: bool = True  # False: reported, but not enough to block (e.g. closer to a harmless look-alike)


@dataclass
class Cleaned:
    """What one output rail did to an answer: the text to show and what it changed."""

    text: str
    report: dict[str, Any] = field(default_factory=dict)  # empty when nothing was changed


Scan = Callable[[Reading, Rail], Layer | None]
Clean = Callable[[str, Sequence[str], Rail], Cleaned]  # (answer, texts the user and sources gave, rail)
Check = Callable[[dict[str, Any]], str | None]  # a policy entry -> what is wrong with it, or None


@dataclass(frozen=True)
class RailSpec:
    """One guard rail.

    side: "input" rails score the request; "output" rails check or change the answer.
    enabled, action, threshold: what the rail does when a policy file does not say.
    options: the extra fields its policy entry accepts; ``check`` validates them.
    kinds: for personal-data rails, the kinds looked for by default.
    scan: an input rail's score for a request (None: the rail had nothing to say).
    clean: an output rail's rewrite of an answer (applied to the stream and to composed answers).
    reason: the verdict reason ``guard_output`` reports when ``clean`` changed the answer ("" for none).
    keeps_replaced: an answer this rail changed is kept as a rejected example for preference tuning.
    refusal: the prompt a block by this rail is worded with ("" = the shared ``guard/blocked``).
    wired: where a rail without scan or clean is applied (documentation for special wiring).
    """

    name: str
    side: Literal["input", "output"]
    enabled: bool = True
    action: str = "warn"
    threshold: float = 0.5
    options: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # the personal-data kinds it looks for unless the policy names them
    check: Check | None = None
    scan: Scan | None = None
    clean: Clean | None = None
    reason: str = ""
    keeps_replaced: bool = False
    refusal: str = ""
    wired: str = ""


_declarations: Registry[RailSpec] = Registry("rail")  # in declaration order: the built-in rails first


def _checked(spec: RailSpec) -> str:
    if spec.side == "input" and spec.scan is None and not spec.wired:
        raise ValueError(f"input rail {spec.name!r} needs a scan function")
    if spec.side == "output" and spec.clean is None and not spec.wired:
        raise ValueError(f"output rail {spec.name!r} needs a clean function")
    return spec.name


def register(spec: RailSpec) -> RailSpec:
    """Declare a rail after those declared so far (input rails scan in declaration order)."""
    return _declarations.add(_checked(spec), spec)


def unregister(name: str) -> None:
    _declarations.remove(name)


def registered(spec: RailSpec) -> AbstractContextManager[RailSpec]:
    """``spec`` declared for the duration of a ``with`` block (tests, experiments)."""
    return _declarations.added(_checked(spec), spec)


def declared() -> dict[str, RailSpec]:
    """Every rail, in the order input rails scan."""
    return _declarations.items()


def by_side(side: Literal["input", "output"]) -> list[RailSpec]:
    return list(_declarations.view(side, lambda: [s for s in _declarations.items().values() if s.side == side]))
