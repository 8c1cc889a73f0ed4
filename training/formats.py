"""Training data: detect each row's format, validate it, and normalise it.

SFT rows become conversations (``prompt`` messages + one assistant ``completion``) or, when a
file holds only plain text, language-modelling ``text`` rows. Preference rows become
``prompt``/``chosen``/``rejected`` message lists. Every error names the file, the line and the
field, and duplicates and empty rows are dropped with a count.

Formats: chat ``messages`` (OpenAI/ChatML roles), Alpaca (``instruction``/``input``/``output``),
ShareGPT (``conversations`` with ``from``/``value``), ``prompt``/``completion``, plain ``text``
(also ``### Human: ... ### Assistant: ...``), and for DPO ``prompt``/``chosen``/``rejected``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.jsonl import JSONLError, parse_lines

ROLES = {"system", "user", "assistant"}
SHAREGPT_ROLES = {
    "system": "system",
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "bot": "assistant",
    "model": "assistant",
}
_TURN = re.compile(r"###\s*(Human|User|Assistant|System)\s*:", re.IGNORECASE)


class DataError(ValueError):
    """A data file or row that cannot be used; the message names file, line and field."""


@dataclass
class LoadStats:
    """What loading training data read, kept and dropped, from which files, with the data's fingerprint."""

    rows: int = 0
    kept: int = 0
    dropped_duplicates: int = 0
    dropped_empty: int = 0
    formats: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    fingerprint: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def detect_format(row: dict[str, Any]) -> str:
    if "chosen" in row or "rejected" in row:
        return "preference"
    if "messages" in row:
        return "messages"
    if "conversations" in row:
        return "sharegpt"
    if "instruction" in row or "output" in row:
        return "alpaca"
    if "prompt" in row or "completion" in row:
        return "prompt_completion"
    if "text" in row:
        return "text"
    return "unknown"


def _where(path: str, line: int) -> str:
    return f"{path}:{line}"


def _text(value: Any, where: str, name: str) -> str:
    if not isinstance(value, str):
        raise DataError(f"{where}: field {name!r} must be a string, got {type(value).__name__}.")
    return value


def _messages(value: Any, where: str, name: str) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise DataError(f"{where}: field {name!r} must be a list of {{role, content}} messages.")
    out = []
    for i, msg in enumerate(value):
        if not isinstance(msg, dict) or "role" not in msg or "content" not in msg:
            raise DataError(f"{where}: {name}[{i}] is missing field 'role' or 'content'.")
        role = msg["role"]
        if role not in ROLES:
            raise DataError(f"{where}: {name}[{i}] has role {role!r}; use one of {', '.join(sorted(ROLES))}.")
        out.append({"role": role, "content": _text(msg["content"], where, f"{name}[{i}].content")})
    return out


def _split_turns(text: str) -> list[dict[str, str]] | None:
    """``### Human: ... ### Assistant: ...`` text as messages; None when it has no such markers."""
    parts = _TURN.split(text)
    if len(parts) < 3:
        return None
    roles = {"human": "user", "user": "user", "assistant": "assistant", "system": "system"}
    return [{"role": roles[parts[i].lower()], "content": parts[i + 1].strip()} for i in range(1, len(parts) - 1, 2)]


def _require(row: dict[str, Any], names: tuple[str, ...], where: str, fmt: str) -> None:
    for name in names:
        if name not in row:
            raise DataError(f"{where}: {fmt} row is missing field {name!r}.")


def to_conversation(row: dict[str, Any], where: str) -> tuple[str, list[dict[str, str]] | str]:
    """(format, messages) for a chat-like row, or (format, text) for a plain-text row."""
    fmt = detect_format(row)
    if fmt == "messages":
        return fmt, _messages(row["messages"], where, "messages")
    if fmt == "sharegpt":
        turns = row["conversations"]
        if not isinstance(turns, list):
            raise DataError(f"{where}: field 'conversations' must be a list of {{from, value}} turns.")
        msgs = []
        for i, turn in enumerate(turns):
            if not isinstance(turn, dict) or "from" not in turn or "value" not in turn:
                raise DataError(f"{where}: conversations[{i}] is missing field 'from' or 'value'.")
            role = SHAREGPT_ROLES.get(str(turn["from"]).lower())
            if role is None:
                raise DataError(f"{where}: conversations[{i}] has from={turn['from']!r}; use human, gpt or system.")
            msgs.append({"role": role, "content": _text(turn["value"], where, f"conversations[{i}].value")})
        return fmt, msgs
    if fmt == "alpaca":
        _require(row, ("instruction", "output"), where, "Alpaca")
        instruction = _text(row["instruction"], where, "instruction")
        extra = _text(row.get("input", "") or "", where, "input")
        user = f"{instruction}\n\n{extra}" if extra.strip() else instruction
        return fmt, [
            {"role": "user", "content": user},
            {"role": "assistant", "content": _text(row["output"], where, "output")},
        ]
    if fmt == "prompt_completion":
        _require(row, ("prompt", "completion"), where, "prompt/completion")
        prompt, completion = row["prompt"], row["completion"]
        p = (
            _messages(prompt, where, "prompt")
            if isinstance(prompt, list)
            else [{"role": "user", "content": _text(prompt, where, "prompt")}]
        )
        c = (
            _messages(completion, where, "completion")
            if isinstance(completion, list)
            else [{"role": "assistant", "content": _text(completion, where, "completion")}]
        )
        return fmt, p + c
    if fmt == "text":
        text = _text(row["text"], where, "text")
        turns = _split_turns(text)
        return ("text_turns", turns) if turns is not None else ("text", text)
    if fmt == "preference":
        raise DataError(
            f"{where}: this is a preference row (prompt/chosen/rejected); use it with training.dpo, not SFT."
        )
    raise DataError(
        f"{where}: unknown row format with fields {', '.join(sorted(row)) or 'none'}; expected one of: messages, "
        "conversations (ShareGPT), instruction/output (Alpaca), prompt/completion, text."
    )


def read_jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise DataError(f"{path}: no such file; pass a JSONL file with --data.")
    rows = []
    with path.open(encoding="utf-8") as handle:
        try:
            for number, row in parse_lines(handle, str(path)):
                if not isinstance(row, dict):
                    raise DataError(f"{_where(str(path), number)}: each line must be a JSON object.")
                rows.append((number, row))
        except JSONLError as err:
            raise DataError(str(err)) from None
    return rows


def _is_empty(messages: list[dict[str, str]]) -> bool:
    return not any(m["role"] == "assistant" and m["content"].strip() for m in messages) or not any(
        m["role"] == "user" and m["content"].strip() for m in messages
    )


def _fingerprint(items: list[Any]) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def load_sft(paths: list[str | Path], system_prompt: str | None = None) -> tuple[list[dict[str, Any]], LoadStats]:
    """Rows for trl's SFTTrainer: conversational prompt/completion, or ``text`` for plain-text files.

    ``system_prompt`` is added to conversations that have none, so a model is trained under
    the same system prompt the agent serves it with.
    """
    stats = LoadStats(files=[str(p) for p in paths])
    conversations: list[dict[str, Any]] = []
    texts: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in map(Path, paths):
        for number, row in read_jsonl(path):
            stats.rows += 1
            where = _where(str(path), number)
            fmt, value = to_conversation(row, where)
            stats.formats[fmt] = stats.formats.get(fmt, 0) + 1
            if isinstance(value, str):
                if not value.strip():
                    stats.dropped_empty += 1
                    continue
                item: dict[str, Any] = {"text": value}
                target = texts
            else:
                if _is_empty(value):
                    stats.dropped_empty += 1
                    continue
                if value[-1]["role"] != "assistant":
                    raise DataError(f"{where}: the conversation must end with an assistant message to learn from.")
                if system_prompt and value[0]["role"] != "system":
                    value = [{"role": "system", "content": system_prompt}, *value]
                item = {"prompt": value[:-1], "completion": value[-1:]}
                target = conversations
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                stats.dropped_duplicates += 1
                continue
            seen.add(key)
            target.append(item)
    if conversations and texts:
        raise DataError(
            f"{', '.join(stats.files)}: plain 'text' rows without ### Human/### Assistant markers cannot be mixed with "
            "conversations in one run; train them separately or convert them to messages."
        )
    rows = conversations or texts
    if not rows:
        raise DataError(
            f"{', '.join(stats.files)}: no usable rows ({stats.dropped_empty} empty, {stats.dropped_duplicates} duplicates)."
        )
    stats.kept = len(rows)
    stats.fingerprint = _fingerprint(rows)
    return rows, stats


def _side(row: dict[str, Any], name: str, where: str) -> list[dict[str, str]]:
    value = row[name]
    if isinstance(value, list):
        return _messages(value, where, name)
    role = "user" if name == "prompt" else "assistant"
    return [{"role": role, "content": _text(value, where, name)}]


def _load_rows(
    paths: list[str | Path],
    fmt: str,
    fields: tuple[str, ...],
    build: Callable[[dict[str, Any], str], dict[str, Any] | None],
    system_prompt: str | None,
) -> tuple[list[dict[str, Any]], LoadStats]:
    """Rows of one format from JSONL files.

    Each is checked, built (None: empty), given the system prompt, and kept once.
    """
    stats = LoadStats(files=[str(p) for p in paths])
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in map(Path, paths):
        for number, row in read_jsonl(path):
            stats.rows += 1
            where = _where(str(path), number)
            _require(row, fields, where, fmt)
            item = build(row, where)
            stats.formats[fmt] = stats.formats.get(fmt, 0) + 1
            if item is None:
                stats.dropped_empty += 1
                continue
            if system_prompt and item["prompt"][0]["role"] != "system":
                item["prompt"] = [{"role": "system", "content": system_prompt}, *item["prompt"]]
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                stats.dropped_duplicates += 1
                continue
            seen.add(key)
            rows.append(item)
    if not rows:
        raise DataError(f"{', '.join(stats.files)}: no usable {fmt} rows.")
    stats.kept = len(rows)
    stats.fingerprint = _fingerprint(rows)
    return rows, stats


def _preference(row: dict[str, Any], where: str) -> dict[str, Any] | None:
    prompt, chosen, rejected = (_side(row, n, where) for n in ("prompt", "chosen", "rejected"))
    texts = [m["content"].strip() for m in (*prompt, *chosen, *rejected)]
    if not all(texts) or _norm(chosen) == _norm(rejected):
        return None
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected}


def load_preferences(
    paths: list[str | Path], system_prompt: str | None = None
) -> tuple[list[dict[str, Any]], LoadStats]:
    """Rows for trl's DPOTrainer: conversational ``prompt``/``chosen``/``rejected``."""
    return _load_rows(paths, "preference", ("prompt", "chosen", "rejected"), _preference, system_prompt)


def _label(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    raise DataError(f"{where}: label must be true (a good answer) or false (a bad one), not {value!r}.")


def _unpaired(row: dict[str, Any], where: str) -> dict[str, Any] | None:
    prompt, completion = _side(row, "prompt", where), _side(row, "completion", where)
    label = _label(row["label"], where)
    if not all(m["content"].strip() for m in (*prompt, *completion)):
        return None
    return {"prompt": prompt, "completion": completion, "label": label}


def load_unpaired(paths: list[str | Path], system_prompt: str | None = None) -> tuple[list[dict[str, Any]], LoadStats]:
    """Rows for trl's KTOTrainer: conversational ``prompt``/``completion`` and a ``label`` (True: desirable)."""
    return _load_rows(paths, "unpaired", ("prompt", "completion", "label"), _unpaired, system_prompt)


def balance_weights(labels: list[bool]) -> tuple[float, float]:
    """(desirable_weight, undesirable_weight) for KTO: the rarer side is weighted up so both sides count alike.

    The weights stay inside the range the KTO paper gives (weight x count ratio in [1, 4/3]).
    """
    good = sum(labels)
    bad = len(labels) - good
    if not good or not bad:
        return 1.0, 1.0
    if good < bad:
        return round(bad / good, 3), 1.0
    return 1.0, round(good / bad, 3)


def _norm(messages: list[dict[str, str]]) -> str:
    return " ".join(" ".join(m["content"].split()) for m in messages).lower()
