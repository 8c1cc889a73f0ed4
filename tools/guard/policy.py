"""Guard policies: YAML files saying which rails run, their thresholds and their actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from tools.guard.pii import KINDS

DEFAULT_POLICY = Path(__file__).parent / "policies" / "default.yaml"
ACTIONS = ("block", "redact", "warn")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Rail:
    enabled: bool = True
    threshold: float = 0.5
    action: str = "warn"
    kinds: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Policy:
    injection: Rail
    personal_data: Rail
    similarity: Rail = field(default_factory=lambda: Rail(enabled=False))
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
    return Policy(_rail(path, "injection", rails.get("injection", {})),
                  _rail(path, "personal_data", rails.get("personal_data", {})),
                  _rail(path, "similarity", rails.get("similarity", {"enabled": False})), str(path))


def _rail(path: Path, name: str, raw: object) -> Rail:
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: rails.{name} must be a mapping.")
    action = raw.get("action", "warn")
    if action not in ACTIONS:
        raise PolicyError(f"{path}: rails.{name}.action is {action!r}; use one of {', '.join(ACTIONS)}.")
    threshold = raw.get("threshold", 0.5)
    if not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise PolicyError(f"{path}: rails.{name}.threshold must be a number between 0 and 1.")
    kinds = tuple(raw.get("kinds", KINDS if name == "personal_data" else ()))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise PolicyError(f"{path}: rails.{name}.kinds has {unknown}; known kinds: {', '.join(KINDS)}.")
    return Rail(bool(raw.get("enabled", True)), float(threshold), action, kinds)
