"""Guard policies: YAML files saying which rails run, their thresholds, actions and options.

The rails themselves, and the options each accepts, are declared in ``tools.guard.rails`` (the built-in
ones in ``tools.guard.builtin_rails``); a policy says which of them run and how. A rail the file does not
name runs with its declared defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.guard import builtin_rails  # noqa: F401 - declares the shipped rails before any policy is read
from tools.guard import rails as declarations
from tools.guard.pii import KINDS
from tools.guard.rails import Rail
from tools.resources import Resources

DEFAULT_POLICY = Path(__file__).parent / "policies" / "default.yaml"
ACTIONS = ("block", "redact", "warn")


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the field."""


@dataclass(frozen=True)
class Policy:
    """Every declared rail's settings; ``policy.injection`` reads the rail named ``injection``."""

    rails: dict[str, Rail]
    source: str = ""

    def __getattr__(self, name: str) -> Rail:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self.rails or name in declarations.declared():
            return self.rail(name)
        raise AttributeError(f"no rail named {name!r}; declared: {', '.join(declarations.declared())}")

    def rail(self, name: str) -> Rail:
        """The rail's settings; a rail declared after this policy was read runs with its declared defaults."""
        found = self.rails.get(name)
        if found is not None:
            return found
        spec = declarations.declared()[name]
        return _rail(Path(self.source or "policy"), spec, {} if spec.enabled else {"enabled": False})


_policies: Resources[Policy] = Resources("guard policies")


def cached_policy(path: str = "") -> Policy:
    """The policy for a path ("" = the shipped default), read once per process."""
    return _policies.get(path, lambda: load_policy(path or None))


def load_policy(path: str | Path | None = None) -> Policy:
    path = Path(path) if path else DEFAULT_POLICY
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot be read as YAML ({exc}).") from None
    rails = data.get("rails") if isinstance(data, dict) else None
    if not isinstance(rails, dict):
        raise PolicyError(f"{path}: needs a 'rails' mapping (see {DEFAULT_POLICY}).")
    specs = declarations.declared()
    unknown = sorted(set(rails) - set(specs))
    if unknown:
        raise PolicyError(f"{path}: unknown rails {unknown}; known rails: {', '.join(specs)}.")
    built = {
        name: _rail(path, spec, rails.get(name, {} if spec.enabled else {"enabled": False}))
        for name, spec in specs.items()
    }
    return Policy(built, source=str(path))


def _rail(path: Path, spec: declarations.RailSpec, raw: object) -> Rail:
    name = spec.name
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: rails.{name} must be a mapping.")
    action = raw.get("action", spec.action)
    if action not in ACTIONS:
        raise PolicyError(f"{path}: rails.{name}.action is {action!r}; use one of {', '.join(ACTIONS)}.")
    threshold = raw.get("threshold", spec.threshold)
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise PolicyError(f"{path}: rails.{name}.threshold must be a number between 0 and 1.")
    kinds = tuple(raw.get("kinds", spec.kinds))
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise PolicyError(f"{path}: rails.{name}.kinds has {unknown}; known kinds: {', '.join(KINDS)}.")
    extra = sorted(set(raw) - {"enabled", "threshold", "action", "kinds", *spec.options})
    if extra:
        hint = f"; it takes {', '.join(spec.options)}" if spec.options else ""
        raise PolicyError(f"{path}: rails.{name} has unknown fields {extra}{hint} (and enabled, threshold, action).")
    problem = spec.check(raw) if spec.check else None
    if problem:
        raise PolicyError(f"{path}: rails.{name}{'' if problem.startswith('.') else ' '}{problem}.")
    options = {k: raw[k] for k in spec.options if k in raw}
    return Rail(bool(raw.get("enabled", True)), float(threshold), action, kinds, options)
