"""What the strategy nodes share: the run's model with its adapter, token counting, one completion,
the system message (with the leakage canary), and the output rails that guard a streamed answer."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, SystemMessage
from langchain_core.messages.utils import count_tokens_approximately

import prompts
from graph.adapters import resolve_adapter
from graph.context import Context
from graph.models.factory import generation_kwargs, get_chat_model
from graph.models.guarded import GuardedChatModel
from graph.models.runtime import message_text, runtime_of
from graph.privacy import conversation_vault, policy, private_question
from graph.state import State
from tools.guard import leakage, links, output
from tools.guard.stream import StreamGuard

log = logging.getLogger(__name__)

# Every system prompt an answer could leak, for the output rail's verbatim check.
SYSTEM_PROMPTS = ("system/direct", "few_shot/system", "cot/system", "rag/system")


async def model_for(ctx: Context, node: str) -> tuple[BaseChatModel, str | None]:
    """The run's model (loaded in a worker thread) and the adapter key ``node`` answers with."""
    model = await asyncio.to_thread(get_chat_model, ctx.model)
    adapter = await asyncio.to_thread(resolve_adapter, model, ctx.adapter_for(node, node))
    return model, adapter


def token_counter(model: BaseChatModel) -> Callable[[list[BaseMessage]], int]:
    return model.get_num_tokens_from_messages if runtime_of(model) is not None else count_tokens_approximately


def system_message(name: str) -> SystemMessage:
    """A system prompt with the canary the leakage rail looks for in answers."""
    text = prompts.render(name)
    if policy().leakage.enabled:
        text = f"{text.rstrip()}\n{prompts.render('guard/canary', canary=leakage.canary())}"
    return SystemMessage(content=text)


def leak_check() -> Callable[[str], str | None]:
    rail = policy().leakage
    if not rail.enabled or rail.action != "block":
        return lambda text: None
    return _leakage(int(rail.option("min_words", 12)), leakage.canary())


@functools.lru_cache(maxsize=8)
def _leakage(min_words: int, marker: str) -> leakage.Leakage:
    """The system prompts' word runs, computed once per setting (checked on every streamed word)."""
    return leakage.Leakage([prompts.render(name) for name in SYSTEM_PROMPTS], min_words, marker)


class OutputCleaner:
    """Replace personal data nobody gave, neutralise links that could carry data out and mask
    profanity, as the policy's output rails say; ``report`` tells what was changed, for ``guard.output``."""

    def __init__(self, given: list[str]) -> None:
        self.given, self.policy = given, policy()
        self.kinds: set[str] = set()
        self.masked = 0
        self.links = 0

    def __call__(self, text: str) -> str:
        rails = self.policy  # any action but "warn" changes the text ("block" cannot unsay a streamed word)
        if rails.output_personal_data.enabled and rails.output_personal_data.action != "warn":
            text, kinds = output.foreign_personal_data(text, self.given)
            self.kinds.update(kinds)
        if rails.output_links.enabled and rails.output_links.action != "warn":
            hosts = tuple(h.lower() for h in rails.output_links.option("allowed_hosts", []))
            text, count = links.neutralise(text, self.given, hosts)
            self.links += count
        if rails.profanity.enabled and rails.profanity.action != "warn":
            text, count = output.mask_profanity(text)
            self.masked += count
        return text

    def report(self) -> dict[str, object]:
        return {**({"personal_data": sorted(self.kinds)} if self.kinds else {}),
                **({"links": self.links} if self.links else {}),
                **({"profanity": self.masked} if self.masked else {})}


def given_texts(state: State) -> list[str]:
    """What the user and the retrieved chunks said: personal data from there may appear in answers."""
    return [message_text(m) for m in state.get("messages", []) if m.type == "human"] + \
        [d["text"] for d in state.get("documents") or []]


def guarded(model: BaseChatModel, state: State) -> GuardedChatModel:
    """``model`` with the output rails applied to its stream, for an answer the user sees."""
    vault = conversation_vault(list(state.get("messages", [])))
    given, leak = given_texts(state), leak_check()
    return GuardedChatModel(
        inner=model,
        make_guard=lambda: StreamGuard(restore=vault.restore, clean=OutputCleaner(given), leak=leak),
        correction=lambda reason: prompts.render("guard/withheld", reason=reason),
        on_replaced=lambda raw, shown, report: keep_replaced_answer(state, raw, shown, report),
    )


def keep_replaced_answer(state: State, raw: str, shown: str, report: dict) -> None:
    """Store an answer the output rails stopped or changed as a rejected example for preference
    tuning (``training.feedback export``), with what was shown as the preferred one. Blocking (one
    row written); never raises: losing this record must not cost the user their answer."""
    from langgraph.config import get_config

    from graph.auth import LOCAL_USER
    from tools.feedback import Feedback, FeedbackStore

    try:
        configurable = get_config().get("configurable") or {}
    except RuntimeError:  # called outside a graph run
        configurable = {}
    try:
        item = Feedback(question=private_question(list(state.get("messages", []))), answer=raw, correction=shown, score=0.0, source="output_rail",
                        owner=str(configurable.get("langgraph_auth_user_id") or LOCAL_USER),
                        thread_id=str(configurable.get("thread_id") or ""), comment=f"output rails: {sorted(report)}")
        FeedbackStore().add(item)
    except Exception as err:  # noqa: BLE001 - see the docstring
        log.warning("could not keep the replaced answer for training: %s", err)


async def complete(model: BaseChatModel, messages: list[BaseMessage], max_new_tokens: int, temperature: float,
                   adapter: str | None) -> str:
    reply = await model.ainvoke(messages, **generation_kwargs(model, max_new_tokens, temperature, adapter))
    return message_text(reply)
