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
import threading
from dataclasses import dataclass
from pathlib import Path

from tools.settings import get_settings

DEFAULT_WINDOW = 12
DEFAULT_LOW, DEFAULT_HIGH = 6.5, 10.5
# A text shorter than this is scored 0: a few words are surprising for want of context, and an
# optimised suffix is longer than that on its own.
MIN_TOKENS = 20
_OPAQUE = re.compile(r"[A-Za-z0-9+/=_-]{24,}|(?:[0-9a-fA-F]{2}[ :]?){8,}")
_scorers: dict[str, "_Scorer"] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class Surprise:
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


def model_path(spec: str) -> str | None:
    """The local model folder the layer scores with; None when there is none to use.

    ``auto`` follows the agent's model (``TAILOR_MODEL``): a local model is used as it is, the embedded
    default stands in for a remote endpoint, and fake test models mean no scoring.
    """
    if spec == "auto":
        spec = get_settings().model
        if spec.startswith("openai:"):
            spec = "default"
    if spec.startswith("fake:"):
        return None
    if spec == "default":
        from tools.default_model import prepare

        return str(prepare())
    return spec.removeprefix("hf:")


class _Scorer:
    def __init__(self, path: str) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
        self.model.eval()
        self.lock = threading.Lock()

    def token_ids(self, text: str, max_tokens: int = 512) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False)["input_ids"][:max_tokens]

    def token_nll(self, ids: list[int]) -> list[float]:
        torch = self.torch
        bos = self.tokenizer.bos_token_id if self.tokenizer.bos_token_id is not None else self.tokenizer.eos_token_id
        inputs = torch.tensor([[bos, *ids]])
        with self.lock, torch.inference_mode():
            logits = self.model(input_ids=inputs).logits[0, :-1]
        nll = torch.nn.functional.cross_entropy(logits.float(), inputs[0, 1:], reduction="none")
        return nll.tolist()


def _scorer(path: str) -> _Scorer:
    with _lock:
        if path not in _scorers:
            _scorers[path] = _Scorer(path)
        return _scorers[path]


def surprise(text: str, spec: str = "auto", window: int = DEFAULT_WINDOW, low: float = DEFAULT_LOW,
             high: float = DEFAULT_HIGH) -> Surprise | None:
    """How unlike written language the worst stretch of ``text`` is; None when no local model is configured."""
    path = model_path(spec)
    if path is None:
        return None
    if not Path(path).is_dir():
        raise FileNotFoundError(f"perplexity model folder {path!r} does not exist; set rails.perplexity.model "
                                f"to 'auto', 'default' or a local model folder.")
    readable = _OPAQUE.sub(" ", text).strip()
    if not readable:
        return Surprise(0.0, 0.0, "")
    scorer = _scorer(path)
    ids = scorer.token_ids(readable)
    if len(ids) < MIN_TOKENS:  # no forward pass for short requests
        return Surprise(0.0, 0.0, "")
    nll = scorer.token_nll(ids)
    # The first tokens of any text are surprising for want of context: start the windows after them.
    skip = min(2, max(0, len(nll) - window))
    value, start = worst_window(nll[skip:], window)
    start += skip
    return Surprise(to_score(value, low, high), round(value, 3), scorer.tokenizer.decode(ids[start : start + window]))


def clear_cache() -> None:
    with _lock:
        _scorers.clear()
