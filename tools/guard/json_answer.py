"""The JSON rail: a request that asks for JSON must get JSON that parses.

``wants_json`` reads the request; ``parse`` accepts the answer as it is, inside a Markdown code
fence, or as the first complete object/array in the text, and says why not when it fails.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_ASKS = re.compile(
    r"\b(in|as|into|return|reply with|respond with|output|give me|valid)\b[^.\n?]{0,30}\bjson\b|\bjson (object|array|format|only)\b",
    re.IGNORECASE,
)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Parsed:
    """An answer read as JSON: whether it parsed, the JSON text, its value, or why it did not parse."""

    ok: bool
    text: str  # the JSON text that parsed (or the answer, when none did)
    value: Any = None
    error: str = ""


def wants_json(request: str) -> bool:
    return bool(_ASKS.search(request))


def _candidates(answer: str) -> list[str]:
    found = [answer.strip()]
    found += [m.group(1).strip() for m in _FENCE.finditer(answer)]
    decoder = json.JSONDecoder()
    for i, ch in enumerate(answer):
        if ch in "{[":
            try:
                _, end = decoder.raw_decode(answer[i:])
            except json.JSONDecodeError:
                continue
            found.append(answer[i : i + end])
            break
    return list(dict.fromkeys(c for c in found if c))


def parse(answer: str) -> Parsed:
    first_error = ""
    for candidate in _candidates(answer):
        try:
            return Parsed(True, candidate, json.loads(candidate))
        except json.JSONDecodeError as err:
            first_error = first_error or str(err)
    return Parsed(False, answer, None, first_error or "no JSON found")
