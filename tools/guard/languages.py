"""Language packs: everything the input guard knows of one language, in one file (rules/languages/<code>.yaml).

A pack gives the lexicon's asking phrases and topic terms (:mod:`tools.guard.input_rules`), the words of an
override ("ignore" + "instructions", and the negations that make it advice), terms for a system prompt, and a
few requests written wholly in the language for the learned layer (:mod:`tools.guard.training_data`). The
languages of multilingual_lexicon.yaml and multilingual.yaml came before packs and stay there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tools.resources import Resources

FOLDER = Path(__file__).parent / "rules" / "languages"
# PyYAML's C loader where it has one: the rules, the lexicon and the training data each read every pack
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Override:
    """An override in the language: one of ``verbs`` and one of ``nouns`` in a sentence, the verb not negated."""

    verbs: list[str]
    nouns: list[str]
    negations: list[str] = field(default_factory=list)  # words before the verb that make it advice ("älä unohda")
    # negated forms that hold the verb, where the negation follows it or is fused ("glem ikke", Turkish "unutma")
    negated: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Pack:
    """One language's file: terms for the rules and rows for the learned layer."""

    code: str
    name: str
    markers: list[str]
    topics: dict[str, list[str]]
    override: Override
    leaks: list[str]
    harmful: dict[str, list[str]]
    injection: list[str]
    harmless: list[str]


def _pack(path: Path) -> Pack:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
    try:
        rows = data["rows"]
        return Pack(
            code=path.stem,
            name=data["name"],
            markers=data["markers"],
            topics=data["topics"],
            override=Override(**data["override"]),
            leaks=data.get("leaks", []),
            harmful=rows["harmful"],
            injection=rows["injection"],
            harmless=rows["harmless"],
        )
    except (KeyError, TypeError) as error:
        raise ValueError(
            f"{path}: a language pack needs name, markers, topics, override (verbs, nouns) and rows "
            f"(harmful, injection, harmless); {error!r} is missing or malformed"
        ) from error


_read: Resources[list[Pack]] = Resources("language packs")


def packs(folder: Path = FOLDER) -> list[Pack]:
    """Every language pack in ``folder``, by code (read once per process)."""
    return _read.get(folder, lambda: [_pack(path) for path in sorted(folder.glob("*.yaml"))])


def files(folder: Path = FOLDER) -> list[Path]:
    """The pack files, for the learned layer's fingerprint of its sources."""
    return sorted(folder.glob("*.yaml"))
