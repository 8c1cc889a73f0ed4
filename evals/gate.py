"""The eval gate the training registry calls before promoting a version (``training.verify``).

The new version and the adapter's ``current`` version (the base model when there is none) run
the same suite offline; promotion is refused, with both numbers, when the new one scores lower on
the metric than ``current`` minus the tolerance. Configured in a training config with
``gate_suite`` (``adapters`` or ``rag``), ``gate_metric``, ``gate_tolerance``, ``gate_limit`` and
``gate_judge`` (e.g. ``reward:NAME`` with ``gate_metric judge_reward``: a reward model judges both).
"""

from __future__ import annotations

import importlib
from typing import Any

from training.registry import AdapterVersion, Registry, RegistryError

GATE_SUITES = ("adapters", "rag", "feedback")


def score(suite: str, adapter: str, metric: str, limit: int, judge: str = "") -> tuple[float, str]:
    """(metric value, report path) for ``suite`` answered with ``adapter`` (empty: the base model)."""
    from evals.runner import SuiteNotReady, incomplete_message, run_suite

    module = importlib.import_module(f"evals.{suite}.__main__")
    args = module.parser().parse_args(
        [
            "--offline",
            "--adapter",
            adapter,
            "--limit",
            str(limit),
            "--prefix",
            f"gate-{suite}-{adapter.replace('@', '-') or 'base'}",
            *(["--judge", judge] if judge else []),
        ]
    )
    try:
        suite_to_run = module.build(args)
    except SuiteNotReady as err:
        raise RegistryError(f"eval gate: {err}") from None
    experiment = run_suite(suite_to_run, offline=True, prefix=args.prefix)
    if not experiment.complete:
        raise RegistryError(f"eval gate: {incomplete_message(experiment).removeprefix('error: ')}")
    if metric not in experiment.metrics:
        known = ", ".join(k for k, v in experiment.metrics.items() if isinstance(v, float))
        raise RegistryError(f"eval gate: suite {suite} has no metric {metric!r}; choose one of {known}.")
    return float(experiment.metrics[metric]), str(experiment.paths["json"])


def check(
    entry: AdapterVersion,
    suite: str = "adapters",
    metric: str = "token_f1",
    tolerance: float = 0.02,
    limit: int = 0,
    judge: str = "",
) -> dict[str, Any]:
    """Raise RegistryError when ``entry`` scores worse than current on any of the suites; return every score otherwise.

    The suites are comma-separated, e.g. ``adapters,feedback``: the regression set and what the feedback taught.
    """
    suites = [s.strip() for s in suite.split(",") if s.strip()]
    unknown = [s for s in suites if s not in GATE_SUITES]
    if not suites or unknown:
        raise RegistryError(f"eval gate suite {suite!r} is not supported; use one or more of {', '.join(GATE_SUITES)}.")
    current = Registry().pointer(entry.name).get("current")
    baseline = f"{entry.name}@{current}" if current and current != entry.version else ""
    against = f"current {entry.name} {current}" if baseline else "the base model"
    results = []
    for name in suites:
        new, new_report = score(name, f"{entry.name}@{entry.version}", metric, limit, judge)
        old, old_report = score(name, baseline, metric, limit, judge)
        summary = (
            f"eval gate ({name}, {metric}): {entry.name} {entry.version} scores {new:.4f}, {against} "
            f"scores {old:.4f} (tolerance {tolerance})"
        )
        print(summary)
        if new < old - tolerance:
            raise RegistryError(f"{summary}: worse, not promoted. Reports: {new_report} vs {old_report}.")
        results.append({"suite": name, "metric": metric, "new": new, "baseline": old, "against": against})
    return results[0] if len(results) == 1 else {"suites": results}
