"""``python -m evals compare A B``: two experiments side by side (base vs adapter, one strategy vs another).

A and B are report files (``.json``) or experiment names under ``TAILOR_DATA_DIR/evals/``; a suite
name alone (``adapters``) picks its newest report. Prints each numeric metric with the change,
counts per-example wins and losses on every shared score, and writes a Markdown table and a PNG
chart beside the reports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evals.report import is_share, reports_folder


class CompareError(ValueError):
    """An experiment that cannot be found or read; the message lists what exists."""


def find_report(name: str) -> Path:
    path = Path(name)
    if path.suffix == ".json" and path.is_file():
        return path
    folder = reports_folder()
    exact = folder / f"{name}.json"
    if exact.is_file():
        return exact
    candidates = sorted(folder.glob(f"{name}-*.json"), key=lambda p: p.stat().st_mtime) if folder.is_dir() else []
    if candidates:
        return candidates[-1]
    known = sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []
    raise CompareError(
        f"no experiment {name!r} in {folder}; run `python -m evals run --suite ...` first. "
        f"Known: {', '.join(known[-10:]) or 'none'}."
    )


def load(name: str) -> dict[str, Any]:
    path = find_report(name)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise CompareError(f"{path} is not a readable report ({err}).") from None
    report.setdefault("experiment", path.stem)
    return report


def numeric(metrics: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def per_example(a: dict[str, Any], b: dict[str, Any]) -> dict[str, dict[str, int]]:
    """For every score both experiments have: examples where B beat A, lost, or tied."""
    rows_a = {r["id"]: r for r in a.get("results") or []}
    rows_b = {r["id"]: r for r in b.get("results") or []}
    out: dict[str, dict[str, int]] = {}
    for example_id in rows_a.keys() & rows_b.keys():
        scores_a, scores_b = rows_a[example_id]["scores"], rows_b[example_id]["scores"]
        for key in scores_a.keys() & scores_b.keys():
            if scores_a[key] is None or scores_b[key] is None:
                continue
            tally = out.setdefault(key, {"better": 0, "worse": 0, "same": 0})
            diff = scores_b[key] - scores_a[key]
            tally["better" if diff > 1e-9 else "worse" if diff < -1e-9 else "same"] += 1
    return out


def compare(name_a: str, name_b: str) -> dict[str, Any]:
    a, b = load(name_a), load(name_b)
    if a.get("suite") != b.get("suite"):
        raise CompareError(
            f"{a['experiment']} is a {a.get('suite')} eval and {b['experiment']} a {b.get('suite')} eval; "
            "compare two runs of the same suite."
        )
    ma, mb = numeric(a["metrics"]), numeric(b["metrics"])
    metrics = {k: {"a": ma[k], "b": mb[k], "delta": round(mb[k] - ma[k], 4)} for k in ma if k in mb}
    return {
        "suite": a["suite"],
        "a": a["experiment"],
        "b": b["experiment"],
        "config_a": a.get("config", {}),
        "config_b": b.get("config", {}),
        "metrics": metrics,
        "per_example": per_example(a, b),
    }


def write_comparison(result: dict[str, Any]) -> dict[str, Path]:
    folder = reports_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"compare-{result['a']}-vs-{result['b']}"
    paths = {
        "json": stem.with_name(stem.name + ".json"),
        "markdown": stem.with_name(stem.name + ".md"),
        "png": stem.with_name(stem.name + ".png"),
    }
    paths["json"].write_text(json.dumps(result, indent=1), encoding="utf-8")
    lines = [
        f"# {result['suite']}: {result['a']} vs {result['b']}",
        "",
        "| metric | A | B | change |",
        "|---|---|---|---|",
    ]
    lines += [f"| {k} | {v['a']:g} | {v['b']:g} | {v['delta']:+g} |" for k, v in result["metrics"].items()]
    if result["per_example"]:
        lines += ["", "| score | B better | B worse | same |", "|---|---|---|---|"]
        lines += [
            f"| {k} | {v['better']} | {v['worse']} | {v['same']} |" for k, v in sorted(result["per_example"].items())
        ]
    paths["markdown"].write_text("\n".join(lines) + "\n", encoding="utf-8")

    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.pyplot as plt

    shares = {k: v for k, v in result["metrics"].items() if is_share(k, v["a"]) and is_share(k, v["b"])}
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(shares) + 1.5))
    ys = range(len(shares))
    ax.barh([y + 0.2 for y in ys], [v["a"] for v in shares.values()], height=0.4, label=result["a"], color="#999999")
    ax.barh([y - 0.2 for y in ys], [v["b"] for v in shares.values()], height=0.4, label=result["b"], color="#4C72B0")
    ax.set_yticks(list(ys), list(shares))
    ax.set_xlim(0, 1)
    ax.set_title(f"{result['suite']} eval: A vs B")
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    fig.savefig(paths["png"], dpi=110)
    plt.close(fig)
    return paths


def print_comparison(result: dict[str, Any]) -> None:
    print(f"{result['suite']}:  A = {result['a']}   B = {result['b']}")
    print(f"{'metric':32s} {'A':>10s} {'B':>10s} {'change':>10s}")
    for key, value in result["metrics"].items():
        print(f"{key:32s} {value['a']:10.4g} {value['b']:10.4g} {value['delta']:+10.4g}")
    for key, tally in sorted(result["per_example"].items()):
        print(f"per example {key}: B better {tally['better']}, worse {tally['worse']}, same {tally['same']}")
