"""Personal data stays out of the model's prompts and comes back in the answer.

The vault is rebuilt from the conversation itself: every message, in order, redacted with one
:class:`~tools.guard.pii.Vault`, so the same value always has the same placeholder across turns and
nothing extra has to be stored in the thread. The policy's ``personal_data`` rail decides: with
action ``redact`` the model sees ``<EMAIL_1>``-style placeholders and the answer has the user's own
values put back; otherwise messages go to the model as written.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import BaseMessage

from graph.models.runtime import message_text
from tools.guard.pii import Vault, redact
from tools.guard.policy import Policy


def _redacting(current: Policy) -> bool:
    return current.personal_data.enabled and current.personal_data.action == "redact"


def private_messages(messages: Sequence[BaseMessage], current: Policy) -> tuple[list[BaseMessage], Vault]:
    """The conversation as the model may see it under ``current``, and the vault that maps placeholders back."""
    vault = Vault()
    if not _redacting(current):
        return list(messages), vault
    out: list[BaseMessage] = []
    for message in messages:
        if message.type not in ("human", "ai"):
            out.append(message)
            continue
        text = message_text(message)
        masked, vault, found = redact(text, vault, current.personal_data.kinds)
        out.append(message.model_copy(update={"content": masked}) if found else message)
    return out, vault


def latest_request(messages: Sequence[BaseMessage]) -> str:
    """The text of the latest user message in ``messages``."""
    return next((message_text(m) for m in reversed(messages) if m.type == "human"), "")


def private_question(messages: Sequence[BaseMessage], current: Policy) -> str:
    """The latest user message as the model may see it."""
    return latest_request(private_messages(messages, current)[0])


def conversation_vault(messages: Sequence[BaseMessage], current: Policy) -> Vault:
    return private_messages(messages, current)[1]
