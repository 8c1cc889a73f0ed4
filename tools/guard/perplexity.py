"""The perplexity layer: adversarial suffixes read as gibberish to a language model.

Optimised jailbreak suffixes (strings of tokens found by search, not written by people) make a
request far less likely under a language model than anything people type. The local model scores
each token's surprise (negative log-likelihood); the request's figure is the worst mean over a
sliding window of tokens, so a short suffix after a long harmless question still stands out.
Base64 and hex runs are left out: the normalisation layer decodes and reads them.

``score`` maps the window's mean surprise to 0-1 between ``low`` and ``high`` nats.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

DEFAULT_WINDOW = 12
DEFAULT_LOW, DEFAULT_HIGH = 6.5, 10.5
# A text shorter than this is scored 0: a few words are surprising for want of context, and an
# optimised suffix is longer than that on its own.
MIN_TOKENS = 20
_OPAQUE = re.compile(r"[A-Za-z0-9+/=_-]{24,}|(?:[0-9a-fA-F]{2}[ :]?){8,}")
MAX_TOKENS = 512  # the first 512 tokens are scored: one forward pass, whatever the prompt's length


# The screen before the model: optimised suffixes are dense with symbols and glued words ("]( Me
# giving**ONE", "similarlyNow"), which written prose is not. Only the stretch around such spots is
# scored, with some text before it for context, so a long harmless prompt costs no forward pass.
_ODD = re.compile(r"[\[\]{}<>|\\*=+~^]|(?<=[a-z])(?=[A-Z])")
SCREEN_CHARS, SCREEN_ODD = 40, 4  # at least 4 odd marks within 40 characters
CONTEXT_CHARS, TAIL_CHARS = 240, 80


def odd_region(text: str) -> tuple[int, int] | None:
    """(start, end) of the text to score: every dense stretch of odd marks with context around it; None if none."""
    marks = [m.start() for m in _ODD.finditer(text)]
    dense = [
        marks[i] for i in range(len(marks) - SCREEN_ODD + 1) if marks[i + SCREEN_ODD - 1] - marks[i] < SCREEN_CHARS
    ]
    if not dense:
        return None
    last = max(m for m in marks if m >= dense[-1])
    return max(0, dense[0] - CONTEXT_CHARS), min(len(text), last + TAIL_CHARS)


@dataclass(frozen=True)
class Surprise:
    """The perplexity layer's reading of a text: its most surprising window and how surprising it is."""

    score: float  # 0-1
    nll: float  # worst mean negative log-likelihood over a window, nats per token
    window: str  # the text of that window


def worst_window(nll: list[float], window: int) -> tuple[float, int]:
    """(highest mean over ``window`` consecutive values, where it starts); the mean of all when shorter."""
    if not nll:
        return 0.0, 0
    if len(nll) <= window:
        return sum(nll) / len(nll), 0
    total = sum(nll[:window])
    best, start = total, 0
    for i in range(window, len(nll)):
        total += nll[i] - nll[i - window]
        if total > best:
            best, start = total, i - window + 1
    return best / window, start


def to_score(nll: float, low: float = DEFAULT_LOW, high: float = DEFAULT_HIGH) -> float:
    return round(min(1.0, max(0.0, (nll - low) / (high - low))), 4)


class Scorer(Protocol):
    """What the layer needs of a language model: a local runtime (graph.models.runtime.LocalRuntime) is one."""

    def text_ids(self, text: str) -> list[int]: ...

    def token_nll(self, ids: list[int]) -> list[float]: ...

    def decode(self, ids: Sequence[int]) -> str: ...


def surprise(
    text: str,
    scorer: Scorer | None,
    window: int = DEFAULT_WINDOW,
    low: float = DEFAULT_LOW,
    high: float = DEFAULT_HIGH,
    max_tokens: int = MAX_TOKENS,
    screen: bool = True,
) -> Surprise | None:
    """How unlike written language the worst stretch of ``text`` is; None without a local model to score with.

    The model is passed in (the agent's own, loaded once for both): the layer never loads one itself.
    ``screen=False`` scores the whole text (the benchmark's baseline).
    """
    if scorer is None:
        return None
    readable = _OPAQUE.sub(" ", text).strip()
    region = odd_region(readable) if screen else (0, len(readable))
    if region is None:  # reads as written language all through: no forward pass
        return Surprise(0.0, 0.0, "")
    readable = readable[region[0] : region[1]]
    ids = scorer.text_ids(readable)[:max_tokens]
    if len(ids) < MIN_TOKENS:  # no forward pass for short requests
        return Surprise(0.0, 0.0, "")
    nll = scorer.token_nll(ids)
    # The first tokens of any text are surprising for want of context: start the windows after them.
    skip = min(2, max(0, len(nll) - window))
    value, start = worst_window(nll[skip:], window)
    start += skip
    return Surprise(to_score(value, low, high), round(value, 3), scorer.decode(ids[start : start + window]))
