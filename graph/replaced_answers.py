"""Answers the output rails stopped or changed, kept as rejected examples for preference tuning.

``training.feedback export`` reads them, with what was shown as the preferred answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from graph.auth import LOCAL_USER
from tools.feedback import Feedback

log = logging.getLogger(__name__)


def replaced_answer(question: str, raw: str, shown: str, report: dict[str, Any]) -> Feedback:
    """The feedback row for one replaced answer, owned by the run's user and thread."""
    from langgraph.config import get_config

    try:
        configurable = get_config().get("configurable") or {}
    except RuntimeError:  # called outside a graph run
        configurable = {}
    return Feedback(
        question=question,
        answer=raw,
        correction=shown,
        score=0.0,
        source="output_rail",
        owner=str(configurable.get("langgraph_auth_user_id") or LOCAL_USER),
        thread_id=str(configurable.get("thread_id") or ""),
        comment=f"output rails: {sorted(report)}",
    )


def keeper(keep: Callable[[Feedback], None], question: str) -> Callable[[str, str, dict[str, Any]], None]:
    """A callback for the guarded model: builds the row and hands it to ``keep`` (blocking, one row written).

    Never raises: losing this record must not cost the user their answer.
    """

    def on_replaced(raw: str, shown: str, report: dict[str, Any]) -> None:
        try:
            keep(replaced_answer(question, raw, shown, report))
        except Exception as err:  # noqa: BLE001 - see the docstring
            log.warning("could not keep the replaced answer for training: %s", err)

    return on_replaced
