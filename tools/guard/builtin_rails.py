"""The rails Tailor ships, each declared once (see ``tools.guard.rails``).

Input rails scan cheapest first: attack rules, similarity to known attacks, perplexity around
symbol-dense stretches, the learned classifier, an optional local classifier model, personal data.
Output rails: leakage (stops a stream; wired in the agent's stream guard), personal data nobody
gave, data-carrying links, profanity, JSON (validated with repair in ``guard_output``). The
model-backed layers import their libraries on first use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from tools.guard.normalise import normalise
from tools.guard.pii import KINDS, redact
from tools.guard.rails import Cleaned, Layer, Rail, RailSpec, Reading, register


def _readable(reading: Reading) -> str:
    """The text with its disguises undone (the meaning-based rails read this)."""
    return str(reading.once("readable", lambda: normalise(reading.text)))


def _pieces(reading: Reading) -> Any:
    """The pieces and static vectors the similarity and learned rails share."""
    from tools.guard import learned

    return reading.once("pieces", lambda: learned.read(_readable(reading)))  # StaticModelMissing says how to build


def scan_injection(reading: Reading, rail: Rail) -> Layer:
    from tools.guard.input_rules import score

    scores = score(reading.text)
    top = max(scores, key=lambda c: scores[c])
    # the category names the refusal's wording ("harmful" and the attack kinds share the generic one)
    return Layer(scores[top], {"by_category": scores}, category=top if scores[top] else "")


def scan_similarity(reading: Reading, rail: Rail) -> Layer:
    from tools.guard.similarity import closeness

    margin = float(rail.option("margin", 0.0))
    encoder = str(rail.option("encoder", "embeddings"))
    near = closeness(_readable(reading), margin, encoder, _pieces(reading) if encoder == "static" else None)
    return Layer(
        near.score,
        {"margin": near.margin, "nearest": near.technique},
        category=near.technique,
        may_block=near.margin >= margin,
    )


def scan_perplexity(reading: Reading, rail: Rail) -> Layer:
    from tools.guard import perplexity

    found = perplexity.surprise(
        _readable(reading),
        reading.scorer,
        int(rail.option("window", perplexity.DEFAULT_WINDOW)),
        float(rail.option("low", perplexity.DEFAULT_LOW)),
        float(rail.option("high", perplexity.DEFAULT_HIGH)),
    )
    if found is None:
        return Layer(0.0, {"skipped": "no local model"}, may_block=False)
    return Layer(found.score, {"nll": found.nll, "window": found.window}, category="adversarial_suffix")


HELP_WHOLE_CHARS = 300


def scan_learned(reading: Reading, rail: Rail) -> Layer:
    from tools.guard import learned

    verdict = learned.assess(_readable(reading), reading=_pieces(reading))  # HeadMissing says how to train it
    cap = rail.option("help_cap")
    if cap is not None and verdict.score > float(cap):
        from tools.guard.help_seeking import seeks_help

        # the most suspicious sentence must itself ask for help (a long request can bury an attack elsewhere);
        # a short request is read whole ("I came across abuse images. How do I report them?")
        text = _readable(reading)
        if seeks_help(verdict.piece) or (len(text) <= HELP_WHOLE_CHARS and seeks_help(text)):
            return Layer(float(cap), {"category": verdict.category, "help_seeking": True, "uncapped": verdict.score})
    lift_from, lift_to = rail.option("concealed_from"), rail.option("concealed_to")
    if lift_from is not None and lift_to is not None and float(lift_from) <= verdict.score < float(lift_to):
        from tools.guard.concealment import asks_to_conceal

        # the piece the layer already leans to harm asks for it to go unnoticed: a buried request read half-way
        if asks_to_conceal(verdict.piece):
            details = {"category": verdict.category, "concealed": True, "unlifted": verdict.score}
            return Layer(float(lift_to), details, category=verdict.category)
    return Layer(verdict.score, {"category": verdict.category}, category=verdict.category)


def scan_classifier(reading: Reading, rail: Rail) -> Layer:
    from tools.guard.classifier import attack_probability

    probability, labels = attack_probability(reading.text, str(rail.option("model")), tuple(rail.option("labels", ())))
    return Layer(probability, {"labels": {k: round(v, 4) for k, v in labels.items()}}, category="classifier")


def scan_personal_data(reading: Reading, rail: Rail) -> Layer:
    masked, vault, found = redact(reading.text, reading.vault, rail.kinds)
    reading.vault = vault
    return Layer(
        1.0 if found else 0.0,
        {"kinds": dict(Counter(f.kind for f in found))},
        category="personal_data",
        redacted=masked if found and rail.action == "redact" else None,
    )


def clean_personal_data(text: str, given: Sequence[str], rail: Rail) -> Cleaned:
    from tools.guard.output import foreign_personal_data

    text, kinds = foreign_personal_data(text, list(given))
    return Cleaned(text, {"personal_data": kinds} if kinds else {})


def clean_links(text: str, given: Sequence[str], rail: Rail) -> Cleaned:
    from tools.guard import links

    hosts = tuple(h.lower() for h in rail.option("allowed_hosts", []))
    text, count = links.neutralise(text, list(given), hosts)
    return Cleaned(text, {"links": count} if count else {})


def clean_profanity(text: str, given: Sequence[str], rail: Rail) -> Cleaned:
    from tools.guard.output import mask_profanity

    text, count = mask_profanity(text)
    return Cleaned(text, {"profanity": count} if count else {})


def check_classifier(raw: dict[str, Any]) -> str | None:
    if raw.get("enabled", False) and not raw.get("model"):
        return "is enabled but has no 'model' (a local text-classification model folder)"
    return None


def check_similarity(raw: dict[str, Any]) -> str | None:
    if raw.get("encoder", "embeddings") not in ("static", "embeddings"):
        return (
            f".encoder is {raw['encoder']!r}; use static (fast, the whole prompt) or embeddings (the knowledge "
            "base's embedding model)"
        )
    return None


def check_links(raw: dict[str, Any]) -> str | None:
    hosts = raw.get("allowed_hosts", [])
    if not (isinstance(hosts, list) and all(isinstance(h, str) for h in hosts)):
        return ".allowed_hosts must be a list of host names, e.g. [docs.example.com]"
    return None


_SPECS = (
    RailSpec("injection", "input", scan=scan_injection),
    RailSpec(
        "similarity",
        "input",
        enabled=False,
        options=("margin", "encoder"),
        check=check_similarity,
        scan=scan_similarity,
    ),
    RailSpec("perplexity", "input", enabled=False, options=("model", "window", "low", "high"), scan=scan_perplexity),
    RailSpec(
        "learned", "input", enabled=False, options=("help_cap", "concealed_from", "concealed_to"), scan=scan_learned
    ),
    RailSpec(
        "classifier", "input", enabled=False, options=("model", "labels"), check=check_classifier, scan=scan_classifier
    ),
    RailSpec("personal_data", "input", kinds=KINDS, scan=scan_personal_data),
    RailSpec(
        "leakage",
        "output",
        action="block",
        options=("min_words",),
        wired="the stream guard stops an answer that leaks (graph.answer_rails.leak_check)",
    ),
    RailSpec(
        "output_personal_data",
        "output",
        action="redact",
        kinds=KINDS,
        clean=clean_personal_data,
        reason="personal_data",
    ),
    RailSpec(
        "output_links", "output", action="redact", options=("allowed_hosts",), check=check_links, clean=clean_links
    ),
    RailSpec("profanity", "output", action="redact", clean=clean_profanity, reason="profanity", keeps_replaced=True),
    RailSpec(
        "json",
        "output",
        action="redact",
        options=("repair",),
        wired="guard_output validates answers to requests for JSON, with `repair` model attempts",
    ),
)
BUILTIN: dict[str, RailSpec] = {spec.name: register(spec) for spec in _SPECS}
