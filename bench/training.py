"""``python -m bench.training``: our SFT entry point against a plain trl script, side by side.

Both train the same rows (``training/data/sft.jsonl`` under the served system prompt) on the default
model with the same LoRA, batch and step count, on this machine; each is timed by the trainer's own
``train_runtime`` (model loading and registration left out), and the figure is input tokens per
second. ``sft_tokens_per_s_ratio`` is ours over plain trl: 1.0 means our wrapping (progress bar with
the loss, checkpoint hygiene, the registry) costs nothing while training. Runs alternate, ours first.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.machine import save_result

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "training" / "data" / "sft.jsonl"


def _env(data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LANGSMITH_", "LANGCHAIN_"))}
    env.update(TAILOR_DATA_DIR=data_dir, HF_HUB_OFFLINE="1")
    env.setdefault("TAILOR_MODELS_DIR", str(REPO / ".tailor" / "models"))
    return env


def ours(steps: int, batch: int) -> float:
    with tempfile.TemporaryDirectory(prefix="tailor-bench-sft-") as scratch:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "training.sft",
                "--data",
                str(DATA),
                "--name",
                "bench",
                "--max-steps",
                str(steps),
                "--batch-size",
                str(batch),
                "--save-steps",
                "100000",
                "--promote",
                "false",
            ],
            cwd=REPO,
            env=_env(scratch),
            check=True,
            capture_output=True,
            text=True,
        )
        history = json.loads((Path(scratch) / "adapters" / "bench" / "v1" / "log_history.json").read_text())
        final = next(e for e in reversed(history) if "train_runtime" in e)
        return final["num_input_tokens_seen"] / final["train_runtime"]


def plain(steps: int, batch: int) -> float:
    with tempfile.TemporaryDirectory(prefix="tailor-bench-trl-") as scratch:
        done = subprocess.run(
            [sys.executable, "-m", "bench.plain_sft", str(DATA), str(steps), str(batch), scratch],
            cwd=REPO,
            env=_env(scratch),
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        return result["tokens"] / result["train_runtime"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.training", description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2, help="pairs of runs (default 2)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for n in range(args.rounds):
        a = ours(args.steps, args.batch_size)
        b = plain(args.steps, args.batch_size)
        rows.append({"ours_tokens_per_s": round(a, 1), "trl_tokens_per_s": round(b, 1)})
        print(f"round {n + 1}: ours {a:.1f} tokens/s, plain trl {b:.1f} tokens/s", file=sys.stderr)
    ours_med = statistics.median(r["ours_tokens_per_s"] for r in rows)
    trl_med = statistics.median(r["trl_tokens_per_s"] for r in rows)
    figures = {
        "steps": args.steps,
        "batch_size": args.batch_size,
        "rounds": args.rounds,
        "sft_ours_tokens_per_s": ours_med,
        "sft_trl_tokens_per_s": trl_med,
        "sft_tokens_per_s_ratio": round(ours_med / trl_med, 3),
        "rows": rows,
    }
    print(
        f"sft training  ours {ours_med:.1f} tokens/s, plain trl {trl_med:.1f} tokens/s "
        f"(ours/trl {figures['sft_tokens_per_s_ratio']})"
    )
    save_result("training", figures, headline={k: v for k, v in figures.items() if k != "rows"}, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
