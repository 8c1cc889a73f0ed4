"""System prompts as the model sees them (with the leakage canary), and the check that answers do not repeat one.

An answer leaks when it carries the canary, or a long verbatim run of any strategy's system prompt.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.messages import SystemMessage

import prompts
from graph.strategies import system_prompts
from tools.guard import leakage
from tools.guard.policy import Policy
from tools.resources import Resources

_checks: Resources[leakage.Leakage] = Resources("leak checks")


def system_message(name: str, policy: Policy) -> SystemMessage:
    """A system prompt with the canary the leakage rail looks for in answers."""
    text = prompts.render(name)
    if policy.leakage.enabled:
        text = f"{text.rstrip()}\n{prompts.render('guard/canary', canary=leakage.canary())}"
    return SystemMessage(content=text)


def leak_check(policy: Policy) -> Callable[[str], str | None]:
    """The check an answer (or its stream so far) goes through: a reason when it leaks, else None."""
    rail = policy.leakage
    if not rail.enabled or rail.action != "block":
        return lambda text: None
    names = system_prompts()
    key = (int(rail.option("min_words", 12)), leakage.canary(), names)
    # The system prompts' word runs, computed once per setting (checked on every streamed word).
    return _checks.get(key, lambda: leakage.Leakage([prompts.render(n) for n in names], key[0], key[1]))
