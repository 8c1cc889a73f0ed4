"""``python -m bench.guard [--runs N] [--json]``: what the input guard costs per request, by length.

Times ``guard_input``'s own check (every layer of the shipped policy, the agent's model as the
perplexity scorer) on a 200- and a 2,000-character request, and each layer alone beside it, so a
change to one layer shows where the time went; beside them, the slower ways those layers can run
(MiniLM similarity, perplexity over every token). Model loading is done before timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LENGTHS = (200, 2000)


def request_of(length: int) -> str:
    """A harmless request of ``length`` characters: a question about real prose (the project's docs)."""
    prose = " ".join(" ".join(p.read_text(encoding="utf-8").split()) for p in sorted((REPO / "docs").glob("*.md")))
    question = "Please summarise the following notes in three bullet points: "
    return (question + prose)[:length]


def timed(fn: Callable[[], object], runs: int) -> float:
    """Median milliseconds of ``runs`` calls (one untimed call first)."""
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def measure(runs: int) -> dict[str, object]:
    from graph.deps import Deps
    from graph.nodes.guard_input import check_attacks
    from tools.guard import learned, perplexity
    from tools.guard.input_rules import score as rule_scores
    from tools.guard.normalise import normalise
    from tools.guard.pii import redact
    from tools.guard.similarity import closeness

    deps = Deps.real()
    rails = deps.guard.policy()
    scorer = deps.models.guard_scorer(str(rails.perplexity.option("model", "auto")))
    figures: dict[str, object] = {}
    for length in LENGTHS:
        text = request_of(length)
        readable = normalise(text)
        figures[f"guard_input_ms_p50_{length}"] = timed(lambda text=text: check_attacks(text, deps), runs)
        figures[f"layers_ms_p50_{length}"] = {
            "rules": timed(lambda text=text: rule_scores(text), runs),
            "normalise": timed(lambda text=text: normalise(text), runs),
            "similarity": timed(
                lambda readable=readable: closeness(
                    readable,
                    float(rails.similarity.option("margin", 0.0)),
                    str(rails.similarity.option("encoder", "embeddings")),
                ),
                runs,
            ),
            "learned": timed(lambda readable=readable: learned.assess(readable), runs),
            "perplexity": timed(lambda readable=readable: perplexity.surprise(readable, scorer), runs)
            if scorer
            else None,
            "personal_data": timed(lambda text=text: redact(text), runs),
        }
        # Side by side, the layers as they ran before: MiniLM similarity and every token's perplexity.
        figures[f"baseline_layers_ms_p50_{length}"] = {
            "similarity_embeddings": timed(lambda readable=readable: closeness(readable, 0.2, "embeddings"), runs),
            "perplexity_unscreened": timed(
                lambda readable=readable: perplexity.surprise(readable, scorer, screen=False), runs
            )
            if scorer
            else None,
        }
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.guard", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from bench.machine import save_result

    figures = measure(args.runs)
    for length in LENGTHS:
        layers = figures[f"layers_ms_p50_{length}"]
        print(
            f"guard_input {length:5d} chars: p50 {figures[f'guard_input_ms_p50_{length}']} ms | "
            + " | ".join(f"{k} {v} ms" for k, v in layers.items())
        )
    save_result("guard", {"runs": args.runs, **figures}, figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
