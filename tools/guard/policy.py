"""Guard policies: YAML files saying which rails run, their thresholds, actions and options.

Input rails: ``injection`` (rules), ``similarity`` (closeness to known attacks), ``perplexity``
(adversarial suffixes, scored by a local model), ``classifier`` (an optional local text-classification
model), ``learned`` (the classifier ``python -m tools.guard.train`` fits: injections and harmful requests by
category), ``personal_data`` (redacted before the model). Output rails: ``leakage`` (the system prompt's
canary or its sentences in an answer), ``output_personal_data`` (personal data nobody gave),
``output_links`` (images, loading tags and data-carrying links nobody gave), ``profanity`` and ``json`` (answers to requests for JSON are validated, with one repair).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from tools.guard.pii import KINDS

DEFAULT_POLICY = Path(__file__).parent / "policies" / "default.yaml"
ACTIONS = ("block", "redact", "warn")
# Every rail, whether it runs when the file does not name it, and the options it accepts.
RAILS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "injection": (True, ()),
    "similarity": (False, ("margin", "encoder")),
    "perplexity": (False, ("model", "window", "low", "high")),
    "classifier": (False, ("model", "labels")),
    "learned": (False, ()),
    "personal_data": (True, ()),
    "leakage": (True, ("min_words",)),
    "output_personal_data": (True, ()),
    "output_links": (True, ("allowed_hosts",)),
    "profanity": (True, ()),
    "json": (True, ("repair",)),
}


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Rail:
    enabled: bool = True
    threshold: float = 0.5
    action: str = "warn"
    kinds: tuple[str, ...] = field(default_factory=tuple)
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


@dataclass(frozen=True)
class Policy:
    injection: Rail
    personal_data: Rail
    similarity: Rail = field(default_factory=lambda: Rail(enabled=False))
    perplexity: Rail = field(default_factory=lambda: Rail(enabled=False))
    classifier: Rail = field(default_factory=lambda: Rail(enabled=False))
    learned: Rail = field(default_factory=lambda: Rail(enabled=False))
    leakage: Rail = field(default_factory=lambda: Rail(action="block"))
    output_personal_data: Rail = field(default_factory=lambda: Rail(action="redact"))
    output_links: Rail = field(default_factory=lambda: Rail(action="redact"))
    profanity: Rail = field(default_factory=lambda: Rail(action="redact"))
    json: Rail = field(default_factory=lambda: Rail(action="redact"))
    source: str = ""


@lru_cache(maxsize=8)
def cached_policy(path: str = "") -> Policy:
    """The policy for a path ("" = the shipped default), read once per process."""
    return load_policy(path or None)


def load_policy(path: str | Path | None = None) -> Policy:
    path = Path(path) if path else DEFAULT_POLICY
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot be read as YAML ({exc}).") from None
    rails = data.get("rails") if isinstance(data, dict) else None
    if not isinstance(rails, dict):
        raise PolicyError(f"{path}: needs a 'rails' mapping (see {DEFAULT_POLICY}).")
    unknown = sorted(set(rails) - set(RAILS))
    if unknown:
        raise PolicyError(f"{path}: unknown rails {unknown}; known rails: {', '.join(RAILS)}.")
    built = {name: _rail(path, name, rails.get(name, {} if on else {"enabled": False})) for name, (on, _) in RAILS.items()}
    return Policy(**built, source=str(path))


def _rail(path: Path, name: str, raw: object) -> Rail:
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: rails.{name} must be a mapping.")
    action = raw.get("action", "warn")
    if action not in ACTIONS:
        raise PolicyError(f"{path}: rails.{name}.action is {action!r}; use one of {', '.join(ACTIONS)}.")
    threshold = raw.get("threshold", 0.5)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise PolicyError(f"{path}: rails.{name}.threshold must be a number between 0 and 1.")
    kinds = tuple(raw.get("kinds", KINDS if name in ("personal_data", "output_personal_data") else ()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise PolicyError(f"{path}: rails.{name}.kinds has {unknown}; known kinds: {', '.join(KINDS)}.")
    allowed = RAILS[name][1]
    extra = sorted(set(raw) - {"enabled", "threshold", "action", "kinds", *allowed})
    if extra:
        hint = f"; it takes {', '.join(allowed)}" if allowed else ""
        raise PolicyError(f"{path}: rails.{name} has unknown fields {extra}{hint} (and enabled, threshold, action).")
    if name == "classifier" and raw.get("enabled", False) and not raw.get("model"):
        raise PolicyError(f"{path}: rails.classifier is enabled but has no 'model' (a local text-classification model folder).")
    if name == "output_links" and not (isinstance(raw.get("allowed_hosts", []), list)
                                       and all(isinstance(h, str) for h in raw.get("allowed_hosts", []))):
        raise PolicyError(f"{path}: rails.output_links.allowed_hosts must be a list of host names, e.g. [docs.example.com].")
    if name == "similarity" and raw.get("encoder", "embeddings") not in ("static", "embeddings"):
        raise PolicyError(f"{path}: rails.similarity.encoder is {raw['encoder']!r}; use static (fast, the whole "
                          f"prompt) or embeddings (the knowledge base's embedding model).")
    options = {k: raw[k] for k in allowed if k in raw}
    return Rail(bool(raw.get("enabled", True)), float(threshold), action, kinds, options)
