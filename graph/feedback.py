"""Feedback on an answer in a thread: find the answer and its question, store it, tell LangSmith.

Used by the server's ``/feedback`` route and by ``graph.chat`` (``/good``, ``/bad``, ``/fix``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from graph.answer import _content
from graph.tracing import langsmith_key_set, redact_payload, redacting_client
from tools.feedback import Feedback, FeedbackError, FeedbackStore

log = logging.getLogger(__name__)


def _message_id(message: Any) -> str:
    return str((message.get("id") if isinstance(message, dict) else getattr(message, "id", "")) or "")


def answer_and_question(messages: list[Any], message_id: str = "") -> tuple[str, str, str]:
    """(question, answer, answer's message id) for ``message_id``, or for the last answer."""
    index = None
    for i in range(len(messages) - 1, -1, -1):
        kind, _ = _content(messages[i])
        if kind in ("ai", "assistant") and (not message_id or _message_id(messages[i]) == message_id):
            index = i
            break
    if index is None:
        where = f"no answer with message_id {message_id!r}" if message_id else "no answer yet"
        raise FeedbackError(f"this thread has {where}; give feedback after the agent has answered.")
    question = ""
    for message in reversed(messages[:index]):
        kind, text = _content(message)
        if kind in ("human", "user"):
            question = text
            break
    return question, _content(messages[index])[1], _message_id(messages[index])


def from_state(
    values: dict[str, Any],
    *,
    score: Any,
    owner: str,
    correction: str = "",
    comment: str = "",
    message_id: str = "",
    thread_id: str = "",
    run_id: str = "",
) -> Feedback:
    question, answer, found_id = answer_and_question(values.get("messages") or [], message_id)
    return Feedback(
        question=question,
        answer=answer,
        score=score,
        owner=owner,
        correction=correction or "",
        comment=comment or "",
        thread_id=thread_id,
        run_id=run_id,
        message_id=found_id,
        adapter=str(values.get("adapter") or ""),
        strategy=str(values.get("strategy") or ""),
    )


def tracing_project_id(client: Any) -> str | None:
    """The id of the project the agent's runs are traced to.

    Run-level feedback names it (LangSmith deprecates feedback without it, and deployments on its newer store
    refuse such feedback).
    """
    from langsmith.utils import get_tracer_project

    try:
        return str(client.read_project(project_name=get_tracer_project()).id)
    except Exception as err:  # noqa: BLE001 - the feedback is still sent; LangSmith then finds the run itself
        log.info("LangSmith project not found (%s); sending feedback without its id", err)
        return None


def send_to_langsmith(item: Feedback) -> bool:
    """Attach the feedback to the answer's trace when LangSmith is configured (redacted like traces)."""
    if not item.run_id or not langsmith_key_set():
        return False
    try:
        client = redacting_client()
        client.create_feedback(
            run_id=item.run_id,
            key="user_score",
            score=item.score,
            comment=redact_payload(item.comment) or None,
            correction={"answer": redact_payload(item.correction)} if item.correction else None,
            feedback_id=item.id,
            session_id=tracing_project_id(client),
        )
        return True
    except Exception as err:  # noqa: BLE001 - the local copy is kept; LangSmith is best effort
        log.warning("feedback %s kept locally; LangSmith did not take it: %s", item.id, err)
        return False


async def record(item: Feedback, store: FeedbackStore | None = None) -> dict[str, Any]:
    """Store locally (always), then send to LangSmith (when configured); off the event loop."""
    store = store or FeedbackStore()
    await asyncio.to_thread(store.add, item)
    sent = await asyncio.to_thread(send_to_langsmith, item)
    return {**item.as_dict(), "sent_to_langsmith": sent}
