"""``guard_output``: check the answer before the user sees it, under the guard policy's output rails.

Writes ``guard.output`` = {"verdict": "allow"|"replace", "reason", ...}. In order:
- placeholders the model was shown instead of the user's personal data get their values back;
- an empty answer, or one with chat-template control tokens, is replaced or cleaned;
- ``leakage``: an answer carrying the system prompt's canary or a long run of its words is withheld
  (a streamed answer was already stopped mid-stream: ``stopped`` says why);
- ``output_personal_data``: personal data that neither the user nor the retrieved chunks gave is
  replaced by typed placeholders; ``profanity`` is masked;
- ``json``: when the request asks for JSON, the answer must parse; otherwise the model gets
  ``repair`` attempts to correct it (``guard.output.json`` = {"valid", "repaired", "error"});
- answers made from retrieved chunks are checked against them (``grounding``).
A replaced answer keeps its message id, so the thread holds one answer per turn.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime

import prompts
from graph.answer_rails import OutputCleaner, given_texts, verdict_reasons
from graph.context import Context
from graph.deps import Deps
from graph.models.factory import generation_kwargs
from graph.models.runtime import message_text
from graph.nodes.common import context_of, last_ai, model_for
from graph.privacy import latest_request, private_messages
from graph.state import State
from graph.system_prompt import leak_check
from tools.guard import grounding, json_answer
from tools.guard.pii import Vault
from tools.guard.policy import Policy

# Control tokens of common chat templates; a model that emits them is leaking its template.
_CONTROL_TOKENS = re.compile(r"<\|(?:im_start|im_end|endoftext|eot_id|start_header_id|end_header_id)\|>")
JSON_REPAIR_TOKENS = 256


def check_output(text: str) -> tuple[dict[str, Any], str]:
    """The verdict on an answer and the text to show."""
    cleaned = _CONTROL_TOKENS.sub("", text).strip()
    if not cleaned:
        return {"verdict": "replace", "reason": "empty_answer"}, prompts.render("guard/empty_answer")
    if cleaned != text.strip():
        return {"verdict": "replace", "reason": "control_tokens"}, cleaned
    return {"verdict": "allow", "reason": "ok"}, text


def _replace(verdict: dict[str, Any], reason: str, **details: Any) -> dict[str, Any]:
    return {**verdict, "verdict": "replace", "reason": reason, **details}


def _reported(verdict: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """The verdict with what the output cleaner changed (personal data, profanity, ...), in the rails' order."""
    for spec in verdict_reasons():
        if spec.reason in report:
            verdict = _replace(verdict, spec.reason, **{spec.reason: report[spec.reason]})
    return verdict


async def _json_rail(
    state: State, runtime: Runtime[Context] | None, deps: Deps, policy: Policy, text: str, request: str, vault: Vault
) -> tuple[str, dict[str, Any] | None]:
    """(text, report) for a request that asked for JSON; (text, None) when it did not."""
    rail = policy.json
    if not rail.enabled or not json_answer.wants_json(request) or state.get("strategy") == "refuse":
        return text, None
    parsed = json_answer.parse(text)
    if parsed.ok:
        return parsed.text, {"valid": True, "repaired": False}
    report: dict[str, Any] = {"valid": False, "repaired": False, "error": parsed.error}
    if rail.action == "warn":
        return text, report
    ctx = context_of(runtime)
    model, adapter = await model_for(deps, ctx, "guard_output")
    for _ in range(int(rail.option("repair", 1))):
        ask = prompts.render("guard/json_repair", request=request, answer=text, error=parsed.error)
        reply = await model.ainvoke(
            [HumanMessage(content=ask)], **generation_kwargs(model, JSON_REPAIR_TOKENS, 0.0, adapter)
        )
        repaired = json_answer.parse(message_text(reply))
        if repaired.ok:
            return vault.restore(repaired.text), {"valid": True, "repaired": True, "error": parsed.error}
    return text, report


async def guard_output(state: State, runtime: Runtime[Context] | None, deps: Deps) -> dict[str, Any]:
    policy = deps.guard.policy()
    guard = dict(state.get("guard", {}))
    answer = last_ai(state.get("messages", []))
    if answer is None:
        guard["output"] = {"verdict": "allow", "reason": "no_answer"}
        return {"guard": guard}
    original = message_text(answer)
    private, vault = private_messages(list(state.get("messages", [])), policy)
    verdict, text = check_output(vault.restore(original))
    streamed = (answer.response_metadata or {}).get("guard", {})  # what the rails did while it streamed
    stopped = streamed.get("stopped")
    verdict = _reported(verdict, streamed)
    if stopped:
        verdict = _replace(verdict, "leakage", stopped=stopped)
    elif (reason := leak_check(policy)(text)) is not None:
        verdict = _replace(verdict, "leakage", withheld=reason)
        text = prompts.render("guard/withheld", reason=reason)
    if verdict.get("reason") != "leakage":
        cleaner = OutputCleaner(given_texts(state), policy)
        text = cleaner(text)
        verdict = _reported(verdict, cleaner.report())
        text, report = await _json_rail(state, runtime, deps, policy, text, latest_request(private), vault)
        if report is not None:
            verdict["json"] = report
            if report.get("repaired"):
                verdict = _replace(verdict, "json_repaired")
    documents = state.get("documents") or []
    if documents and state.get("strategy") == "rag":
        check = grounding.check(text, {d["n"]: d["text"] for d in documents})
        verdict["grounding"] = {"supported_ratio": round(check.ratio, 3), "unsupported": check.unsupported}
    guard["output"] = verdict
    update: dict[str, Any] = {"guard": guard}
    if text != original:
        update["messages"] = [AIMessage(content=text, id=answer.id)]
        if verdict["verdict"] == "allow":  # only placeholders were put back
            verdict["restored"] = True
    return update
