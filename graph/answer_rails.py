"""The output rails around an answer the user sees.

The guarded model checks its stream, and the cleaner applies every output rail with a ``clean`` (personal data nobody gave, data-carrying links,
profanity, and any rail declared later) as the policy says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

import prompts
from graph.models.guarded import GuardedChatModel
from graph.models.runtime import message_text
from graph.privacy import conversation_vault, private_question
from graph.replaced_answers import keeper
from graph.state import State
from graph.system_prompt import leak_check
from tools.guard.policy import Policy
from tools.guard.rails import RailSpec, by_side
from tools.guard.stream import StreamGuard

if TYPE_CHECKING:
    from graph.deps import Deps


class OutputCleaner:
    """Apply each output rail's ``clean`` in declared order; ``report`` tells what was changed, for ``guard.output``."""

    def __init__(self, given: list[str], policy: Policy) -> None:
        self.given = given
        ruled = ((spec, policy.rail(spec.name)) for spec in by_side("output") if spec.clean is not None)
        self.rails = [(spec, rail) for spec, rail in ruled if rail.changes_text]
        self._report: dict[str, Any] = {}

    def __call__(self, text: str) -> str:
        for spec, rail in self.rails:
            assert spec.clean is not None
            cleaned = spec.clean(text, self.given, rail)
            text = cleaned.text
            for key, value in cleaned.report.items():  # a streamed answer is cleaned piece by piece: add up
                before = self._report.get(key)
                if isinstance(value, list):
                    self._report[key] = sorted({*(before or []), *value})
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    self._report[key] = (before or 0) + value
                else:
                    self._report[key] = value
        return text

    def report(self) -> dict[str, Any]:
        return {key: value for key, value in self._report.items() if value}


def verdict_reasons() -> list[RailSpec]:
    """The output rails whose changes ``guard_output`` reports as a reason (their report key is the reason)."""
    return [spec for spec in by_side("output") if spec.reason]


def given_texts(state: State) -> list[str]:
    """What the user and the retrieved chunks said: personal data from there may appear in answers."""
    return [message_text(m) for m in state.get("messages", []) if m.type == "human"] + [
        d["text"] for d in state.get("documents") or []
    ]


def guarded(model: BaseChatModel, state: State, deps: Deps) -> GuardedChatModel:
    """``model`` with the output rails applied to its stream, for an answer the user sees."""
    policy = deps.guard.policy()
    messages = list(state.get("messages", []))
    vault = conversation_vault(messages, policy)
    given, leak = given_texts(state), leak_check(policy)
    keeps = tuple(spec.reason for spec in by_side("output") if spec.keeps_replaced and spec.reason)
    return GuardedChatModel(
        inner=model,
        make_guard=lambda: StreamGuard(restore=vault.restore, clean=OutputCleaner(given, policy), leak=leak),
        correction=lambda reason: prompts.render("guard/withheld", reason=reason),
        on_replaced=keeper(deps.feedback.keep, private_question(messages, policy)),
        keeps=keeps,
    )
