"""Every prompt Tailor sends or says, stored as data files next to this module.

A prompt is referred to by name: ``system/direct`` is ``prompts/system/direct.yaml``; a name ending in
``.yaml`` is a file path (a strategy or rail declared outside this package keeps its prompt beside it). Each file
holds a Jinja ``template``, the list of ``variables`` it needs and, for structured variables, an
``example`` of their values; rendering with a variable
missing is an error that names it, instead of a prompt with a silent hole.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml

from tools.jsonl import JSONLError, parse_lines

PROMPTS_DIR = Path(__file__).resolve().parent
_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)


class PromptError(LookupError):
    """A prompt is missing, malformed, or was rendered without the variables it needs."""


@dataclass(frozen=True)
class Prompt:
    """A prompt loaded from its file: a Jinja template and the variables it needs."""

    name: str
    template: str
    variables: tuple[str, ...] = ()
    description: str = ""
    # sample values for the variables: documents the shape, and tests render with it
    example: dict[str, Any] | None = None

    def render(self, **values: object) -> str:
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise PromptError(
                f"prompt {self.name!r} needs {', '.join(missing)}; got {', '.join(sorted(values)) or 'nothing'}."
            )
        try:
            return _compiled(self.template).render(**values).strip()
        except jinja2.UndefinedError as err:
            raise PromptError(f"prompt {self.name!r}: {err.message}; pass it to render().") from None


@functools.lru_cache(maxsize=256)
def _compiled(template: str) -> jinja2.Template:
    """Compiling a template costs more than rendering it: once per template text."""
    return _ENV.from_string(template)


DATA_FILES = {"router/rules"}  # YAML files that hold data, not a prompt template


def available() -> list[str]:
    names = (p.relative_to(PROMPTS_DIR).with_suffix("").as_posix() for p in PROMPTS_DIR.rglob("*.yaml"))
    return sorted(n for n in names if n not in DATA_FILES)


@functools.cache
def load(name: str) -> Prompt:
    """Load a prompt by name or ``.yaml`` path (cached: files are read once per process)."""
    path = Path(name) if name.endswith(".yaml") else PROMPTS_DIR / f"{name}.yaml"
    if not path.is_file():
        raise PromptError(f"no prompt named {name!r} (looked for {path}); available: {', '.join(available())}.")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not isinstance(data.get("template"), str):
        raise PromptError(f"{path} must be a YAML mapping with a string 'template'.")
    return Prompt(
        name=name,
        template=data["template"],
        variables=tuple(data.get("variables") or ()),
        description=str(data.get("description", "")),
        example=data.get("example"),
    )


def render(name: str, **values: object) -> str:
    return load(name).render(**values)


@functools.cache
def records(name: str) -> tuple[dict[str, Any], ...]:
    """A JSONL data file (example bank, router exemplars) by name: ``examples/arithmetic``."""
    path = PROMPTS_DIR / f"{name}.jsonl"
    if not path.is_file():
        known = sorted(p.relative_to(PROMPTS_DIR).with_suffix("").as_posix() for p in PROMPTS_DIR.rglob("*.jsonl"))
        raise PromptError(f"no data file named {name!r} (looked for {path}); available: {', '.join(known)}.")
    try:
        return tuple(value for _, value in parse_lines(path.read_text(encoding="utf-8").splitlines(), str(path)))
    except JSONLError as err:
        raise PromptError(str(err)) from None


@functools.cache
def data(name: str) -> dict[str, Any]:
    """A YAML data file that is not a prompt (router rules) by name: ``router/rules``."""
    path = PROMPTS_DIR / f"{name}.yaml"
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if not isinstance(loaded, dict):
        raise PromptError(f"{path} is missing or is not a YAML mapping.")
    return loaded


def preload() -> None:
    """Read every prompt now, so nodes running on an event loop never touch the disk."""
    for name in available():
        load(name)
    for path in PROMPTS_DIR.rglob("*.jsonl"):
        records(path.relative_to(PROMPTS_DIR).with_suffix("").as_posix())
    for name in DATA_FILES:
        data(name)
