"""Write an eval's results as JSON, a Markdown table and a PNG bar chart under TAILOR_DATA_DIR/evals/."""

from __future__ import annotations

import json
import time
from pathlib import Path

from tools.settings import get_settings

# Metrics that are counts or durations, not 0-1 shares: left out of the charts.
NOT_SHARES = (
    "examples",
    "errors",
    "questions",
    "answerable",
    "unanswerable",
    "requests",
    "attacks",
    "benign",
    "seconds_per_example",
    "seconds_per_question",
)


def reports_folder() -> Path:
    return get_settings().data_dir / "evals"


def is_share(key: str, value: object) -> bool:
    """A metric a bar chart on a 0-1 axis can show."""
    return (
        key not in NOT_SHARES
        and isinstance(value, (int, float))
        and not isinstance(value, bool)
        and 0.0 <= value <= 1.0
    )


def write_report(
    suite: str, rows: list[dict], metrics: dict, columns: list[str], stem: str = "", extra: dict | None = None
) -> dict[str, Path]:
    folder = reports_folder()
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / (stem or f"{suite}-{time.strftime('%Y%m%d-%H%M%S')}")
    paths = {
        "json": base.with_name(base.name + ".json"),
        "markdown": base.with_name(base.name + ".md"),
        "png": base.with_name(base.name + ".png"),
    }
    report = {"suite": suite, "metrics": metrics, "rows": rows, **(extra or {})}
    paths["json"].write_text(json.dumps(report, indent=1, default=str, ensure_ascii=False), encoding="utf-8")

    title = (extra or {}).get("experiment") or suite
    failed = metrics.get("errors") or 0
    lines = [f"# {suite} eval: {title}", ""]
    if failed:
        lines += [
            f"**Incomplete: {failed} of {metrics.get('examples', len(rows))} examples failed** (see the error "
            "column); the metrics cover only the examples that ran.",
            "",
        ]
    lines += ["| metric | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in metrics.items()]
    lines += ["", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        cells = [" ".join(str(row.get(c, "")).split())[:120].replace("|", "\\|") for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    paths["markdown"].write_text("\n".join(lines) + "\n", encoding="utf-8")

    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    shares = {k: v for k, v in metrics.items() if is_share(k, v)}
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.barh(list(shares), list(shares.values()), color="#4C72B0")
    ax.set_xlim(0, 1)
    count = metrics.get("questions", metrics.get("examples", len(rows)))
    ax.set_title(
        f"{suite} eval: INCOMPLETE, {failed} of {count} examples failed"
        if failed
        else f"{suite} eval ({count} examples)",
        color="#C44E52" if failed else "black",
    )
    for y, v in enumerate(shares.values()):
        ax.text(min(v + 0.01, 0.92), y, f"{v:.2f}", va="center")
    fig.tight_layout()
    fig.savefig(paths["png"], dpi=110)
    plt.close(fig)
    return paths
