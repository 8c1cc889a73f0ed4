"""``python -m tools.guard.leave_one_out [--sets heldout6,...] [--out DIR] [--json]``: how the guard does on a new author's set.

The held-out sets join the learned layer's training data once they are scored (tools.guard.training_data).
What that buys on the next author's set is measured here: for each scored set, a head is trained on every
other training row and the set is scored by the whole guard (every layer, the default policy) with that head,
beside a head trained without any of the sets. Prints detection and false positives per set and pooled, and
writes them with a bar chart (``leave_one_out.json`` / ``.png``) into ``--out``. About a minute per set on
two cores; not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from tools.guard import learned, static
from tools.guard.policy import load_policy
from tools.guard.scan import scan_text
from tools.guard.train import TrainConfig, fit_rows
from tools.guard.training_data import SUITE, Row, rows, scored_sets
from tools.jsonl import read_values
from tools.settings import get_settings

BANKS_ONLY = "banks only"
LEFT_OUT = "trained on the other sets"


@contextmanager
def _models_with(head: dict[str, Any]) -> Iterator[None]:
    """The models folder, as the guard reads it, with ``head`` in place of the trained one (the real one untouched)."""
    real = get_settings().models_path.resolve()  # a relative folder would not resolve from the temporary one
    before = os.environ.get("TAILOR_MODELS_DIR")
    with tempfile.TemporaryDirectory(prefix="guard-loo-") as folder:
        (Path(folder) / static.FOLDER).symlink_to(real / static.FOLDER, target_is_directory=True)
        learned.save_head(Path(folder) / learned.HEAD_FILE, head)
        os.environ["TAILOR_MODELS_DIR"] = folder
        try:
            yield
        finally:
            if before is None:
                os.environ.pop("TAILOR_MODELS_DIR", None)
            else:
                os.environ["TAILOR_MODELS_DIR"] = before
            learned.clear_cache()


def _head(data: list[Row], config: TrainConfig) -> dict[str, Any]:
    ngrams, model = fit_rows(data, config)
    return {"ngrams": ngrams, "model": model}


def _score(name: str) -> dict[str, float]:
    """Detection and false positives of the whole guard on one set, under the default policy."""
    policy = load_policy(None)

    def blocked(kind: str) -> list[bool]:
        path = SUITE / f"{name}_{kind}.jsonl"
        return [scan_text(r["text"], policy)["verdict"] == "block" for r in read_values(path)]

    attacks, benign = blocked("attacks"), blocked("benign")
    return {
        "detection": round(float(np.mean(attacks)), 3),
        "false_positives": round(float(np.mean(benign)), 3),
        "attacks": len(attacks),
        "benign": len(benign),
    }


def _pooled(per_set: dict[str, dict[str, float]]) -> dict[str, float]:
    attacks = sum(s["attacks"] for s in per_set.values())
    benign = sum(s["benign"] for s in per_set.values())
    return {
        "detection": round(sum(s["detection"] * s["attacks"] for s in per_set.values()) / attacks, 3),
        "false_positives": round(sum(s["false_positives"] * s["benign"] for s in per_set.values()) / benign, 3),
    }


def run(sets: list[str], config: TrainConfig, log: Callable[[str], None] = print) -> dict[str, Any]:
    if not static.is_built():
        static.build()
    data = rows(config.seed)  # before the models folder is swapped: the public prompts' wheel lives there
    banks = [r for r in data if not r.source.startswith("set:")]
    results: dict[str, dict[str, dict[str, float]]] = {BANKS_ONLY: {}, LEFT_OUT: {}}
    log(f"training on the banks alone ({len(banks)} rows) ...")
    with _models_with(_head(banks, config)):
        for name in sets:
            results[BANKS_ONLY][name] = _score(name)
    for number, name in enumerate(sets, start=1):
        kept = [r for r in data if r.source != f"set:{name}"]
        log(f"[{number}/{len(sets)}] {name}: training on {len(kept)} rows, scoring it ...")
        with _models_with(_head(kept, config)):
            results[LEFT_OUT][name] = _score(name)
        before, after = results[BANKS_ONLY][name], results[LEFT_OUT][name]
        log(
            f"    detection {before['detection']:.3f} -> {after['detection']:.3f}, "
            f"false positives {before['false_positives']:.3f} -> {after['false_positives']:.3f}"
        )
    return {"sets": results, "pooled": {way: _pooled(per_set) for way, per_set in results.items()}}


def plot(report: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    names = list(report["sets"][LEFT_OUT])
    x = np.arange(len(names))
    fig, axes = plt.subplots(2, 1, figsize=(max(8, len(names) * 0.7), 6), sharex=True)
    for axis, key in zip(axes, ("detection", "false_positives"), strict=True):
        for offset, way in ((-0.2, BANKS_ONLY), (0.2, LEFT_OUT)):
            axis.bar(x + offset, [report["sets"][way][n][key] for n in names], width=0.4, label=way)
        axis.set_ylabel(key.replace("_", " "))
    axes[0].legend(loc="lower right")
    axes[0].set_title("Each held-out set scored by a guard whose learned layer never read it")
    axes[1].set_xticks(x, names, rotation=45, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.guard.leave_one_out", description=__doc__.splitlines()[0])
    parser.add_argument("--sets", help="comma-separated scored sets (default: every one)")
    parser.add_argument("--out", type=Path, help="folder for leave_one_out.json and .png (default: the data folder)")
    parser.add_argument("--json", action="store_true", help="end with one line of the pooled figures")
    args = parser.parse_args(argv)
    scored = scored_sets()
    sets = args.sets.split(",") if args.sets else scored
    unknown = [s for s in sets if s not in scored]
    if unknown:
        parser.error(f"not a scored held-out set: {', '.join(unknown)} (scored: {', '.join(scored)})")
    report = run(sets, TrainConfig(), log=lambda line: print(line, file=sys.stderr, flush=True))
    out = args.out or get_settings().data_dir / "guard"
    out.mkdir(parents=True, exist_ok=True)
    (out / "leave_one_out.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    plot(report, out / "leave_one_out.png")
    for way, figures in report["pooled"].items():
        print(f"{way:28s} detection {figures['detection']:.3f}  false positives {figures['false_positives']:.3f}")
    print(f"report: {out / 'leave_one_out.json'}, chart: {out / 'leave_one_out.png'}")
    if args.json:
        print(json.dumps(report["pooled"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
