"""Reward models at answer time.

A registered version of kind ``reward`` (``python -m training.reward``) scores answers to a question, so
self-consistency can keep the best sample instead of the majority (``select: "reward"`` in the run's context).

Answers are scored as the reward model was trained: the direct system prompt, the question, the
answer. Scorers load once per version (transformers, on the machine's CPU or GPU) and are cached in
:mod:`tools.resources`; :func:`install` is the public hook that puts a fake in for tests.
"""

from __future__ import annotations

from typing import Any, Protocol

import prompts
from tools.resources import Resources
from training.registry import AdapterVersion, Registry, RegistryError


class RewardError(ValueError):
    """A reward model that cannot be used; the message says which and what to do."""


class Scorer(Protocol):
    """Anything that scores answers to a question, one score per answer (higher is better)."""

    def score(self, question: str, answers: list[str]) -> list[float]: ...


class RewardScorer:
    """A registered reward model (transformers model and tokenizer) scoring answers as it was trained."""

    def __init__(self, model: Any, tokenizer: Any) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.system = prompts.render("system/direct")

    def score(self, question: str, answers: list[str]) -> list[float]:
        """Blocking (a forward pass per answer): call from a worker thread in async code."""
        from training.base_model import reward_of

        return [
            reward_of(
                self.model,
                self.tokenizer,
                [
                    {"role": "system", "content": self.system},
                    {"role": "user", "content": question},
                    {"role": "assistant", "content": answer},
                ],
            )
            for answer in answers
        ]


_scorers: Resources[Scorer] = Resources("reward models")


def _entry(spec: str) -> AdapterVersion:
    name, _, version = spec.partition("@")
    try:
        entry = Registry().get(name, version or None)
    except RegistryError as err:
        raise RewardError(f"reward_model {spec!r}: {err}") from None
    if entry.manifest.get("kind") != "reward":
        raise RewardError(
            f"reward_model {spec!r} is a {entry.manifest.get('kind')} adapter, not a reward model; "
            f"train one with `python -m training.reward --name NAME`."
        )
    return entry


def get_scorer(spec: str) -> Scorer:
    """The scorer for ``name`` (its current version) or ``name@vN``. Blocking: loads weights on first use."""
    installed = _scorers.loaded().get(spec)  # an installed fake, or a version loaded before
    if installed is not None:
        return installed
    entry = _entry(spec)

    def build() -> Scorer:
        from training.base_model import load_reward_model

        return RewardScorer(*load_reward_model(entry))

    return _scorers.get(f"{entry.name}@{entry.version}", build)


def install(spec: str, scorer: Scorer) -> None:
    _scorers.install(spec, scorer)
