"""Every prompt Tailor sends or says, stored as data files next to this module.

A prompt is referred to by name: ``system/direct`` is ``prompts/system/direct.yaml``. Each file
holds a Jinja ``template``, the list of ``variables`` it needs and, for structured variables, an
``example`` of their values; rendering with a variable
missing is an error that names it, instead of a prompt with a silent hole.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

PROMPTS_DIR = Path(__file__).resolve().parent
_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)


class PromptError(LookupError):
    """A prompt is missing, malformed, or was rendered without the variables it needs."""


@dataclass(frozen=True)
class Prompt:
    name: str
    template: str
    variables: tuple[str, ...] = ()
    description: str = ""
    example: dict | None = None  # sample values for the variables: documents the shape, and tests render with it

    def render(self, **values: object) -> str:
        missing = [v for v in self.variables if v not in values]
        if missing:
            raise PromptError(
                f"prompt {self.name!r} needs {', '.join(missing)}; got {', '.join(sorted(values)) or 'nothing'}."
            )
        try:
            return _ENV.from_string(self.template).render(**values).strip()
        except jinja2.UndefinedError as err:
            raise PromptError(f"prompt {self.name!r}: {err.message}; pass it to render().") from None


def available() -> list[str]:
    return sorted(p.relative_to(PROMPTS_DIR).with_suffix("").as_posix() for p in PROMPTS_DIR.rglob("*.yaml"))


@functools.lru_cache(maxsize=None)
def load(name: str) -> Prompt:
    """Load a prompt by name (cached: files are read once per process)."""
    path = PROMPTS_DIR / f"{name}.yaml"
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


def preload() -> None:
    """Read every prompt now, so nodes running on an event loop never touch the disk."""
    for name in available():
        load(name)
