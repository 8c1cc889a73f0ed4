"""``guard_output``: check the answer before the user sees it.

Writes ``guard.output`` = {"verdict": "allow"|"replace", "reason"}. An empty answer, or one
that carries chat-template control tokens, is replaced in place (same message id); personal data
that neither the user nor the retrieved chunks gave is replaced by typed placeholders, and
profanity is masked. Answers made
from retrieved chunks are also checked against them: ``guard.output.grounding`` holds the share of
supported sentences and the ones no chunk supports.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage

import prompts
from graph.models.local import message_text
from graph.nodes.common import last_ai
from graph.state import State
from tools.guard import grounding, output

# Control tokens of common chat templates; a model that emits them is leaking its template.
_CONTROL_TOKENS = re.compile(r"<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_header_id)\|>")


def check_output(text: str) -> tuple[dict[str, Any], str]:
    """The verdict on an answer and the text to show."""
    cleaned = _CONTROL_TOKENS.sub("", text).strip()
    if not cleaned:
        return {"verdict": "replace", "reason": "empty_answer"}, prompts.render("guard/empty_answer")
    if cleaned != text.strip():
        return {"verdict": "replace", "reason": "control_tokens"}, cleaned
    return {"verdict": "allow", "reason": "ok"}, text


def _output_rails(text: str, given: list[str], verdict: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Personal data nobody gave is replaced by placeholders; profanity is masked."""
    text, kinds = output.foreign_personal_data(text, given)
    if kinds:
        verdict = {**verdict, "verdict": "replace", "reason": "personal_data", "personal_data": kinds}
    text, masked = output.mask_profanity(text)
    if masked:
        verdict = {**verdict, "verdict": "replace", "reason": "profanity", "profanity": masked}
    return text, verdict


async def guard_output(state: State) -> dict[str, Any]:
    guard = dict(state.get("guard", {}))
    answer = last_ai(state.get("messages", []))
    if answer is None:
        guard["output"] = {"verdict": "allow", "reason": "no_answer"}
        return {"guard": guard}
    verdict, text = check_output(message_text(answer))
    documents = state.get("documents") or []
    given = [message_text(m) for m in state.get("messages", []) if m.type == "human"] + [d["text"] for d in documents]
    text, verdict = _output_rails(text, given, verdict)
    if documents and state.get("strategy") == "rag":
        check = grounding.check(text, {d["n"]: d["text"] for d in documents})
        verdict["grounding"] = {"supported_ratio": round(check.ratio, 3), "unsupported": check.unsupported}
    guard["output"] = verdict
    update: dict[str, Any] = {"guard": guard}
    if verdict["verdict"] == "replace":
        update["messages"] = [AIMessage(content=text, id=answer.id)]
    return update
