"""Training curves as PNG, written next to an adapter's manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_curves(log_history: list[dict[str, Any]], path: Path, title: str) -> Path | None:
    import matplotlib

    matplotlib.use("Agg")  # files only; no display on servers
    import matplotlib.pyplot as plt

    series = {
        "train loss": [(e["step"], e["loss"]) for e in log_history if "loss" in e and "step" in e],
        "eval loss": [(e["step"], e["eval_loss"]) for e in log_history if "eval_loss" in e],
        "reward margin": [(e["step"], e["rewards/margins"]) for e in log_history if "rewards/margins" in e],
    }
    series = {k: v for k, v in series.items() if v}
    if not series:
        return None
    fig, axes = plt.subplots(1, len(series), figsize=(5 * len(series), 3.6), squeeze=False)
    for ax, (label, points) in zip(axes[0], series.items(), strict=True):
        steps, values = zip(*points, strict=True)
        ax.plot(steps, values, marker="o", markersize=3)
        ax.set_title(label)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
