"""Run one eval suite as a LangSmith experiment and write its report.

A suite is a list of examples (``inputs`` and reference ``outputs``), an async target that answers
one example's inputs, and evaluators. ``langsmith.evaluate`` runs them: with a LangSmith key
(and no ``--offline``) the examples are kept in a dataset ``tailor-<suite>`` and the results are
uploaded as an experiment; otherwise everything stays on this machine (``upload_results=False``).
Either way the report lands in ``TAILOR_DATA_DIR/evals/<experiment>.{json,md,png}``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from evals.evaluators import Evaluator, mean_scores
from evals.report import reports_folder, write_report
from graph.tracing import langsmith_key_set, tracing_enabled

Target = Callable[[dict], Awaitable[dict]]


@dataclass
class Suite:
    """An eval suite: its examples, the target that answers them, the evaluators and the report's columns."""

    name: str
    examples: list[dict[str, Any]]  # {"id", "inputs": {...}, "outputs": {...}}
    target: Target
    evaluators: list[Evaluator]
    columns: list[str]  # table columns: "id", "inputs.x", "outputs.x", "reference.x" or "scores.x"
    summarise: Callable[[list[dict]], dict[str, Any]] | None = None  # suite-specific metrics
    config: dict[str, Any] = field(default_factory=dict)  # what was run (adapter, model, judge, ...)


@dataclass
class Experiment:
    """One run of a suite: its metrics, every example's row, and where the results were written."""

    name: str
    suite: str
    metrics: dict[str, Any]
    rows: list[dict[str, Any]]
    paths: dict[str, Path]
    uploaded: bool

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if row["error"]]

    @property
    def complete(self) -> bool:
        """Every example ran. Metrics of an incomplete run describe only the examples that did."""
        return all_ran(self.rows)

    def json_line(self) -> str:
        return json.dumps(
            {
                "suite": self.suite,
                "experiment": self.name,
                "complete": self.complete,
                **self.metrics,
                "report": str(self.paths["json"]),
            },
            ensure_ascii=False,
        )


def all_ran(rows: list[dict[str, Any]]) -> bool:
    return bool(rows) and not any(row["error"] for row in rows)


class SuiteNotReady(Exception):
    """What a suite needs is missing and it cannot prepare it: the message says what to do."""


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--offline", action="store_true", help="keep results local even when a LangSmith key is set")
    parser.add_argument("--json", action="store_true", help="end with one line of JSON metrics")
    parser.add_argument(
        "--adapter", default="", help="registered adapter to answer with (NAME or NAME@vN); empty: base"
    )
    parser.add_argument("--model", default=None, help="model spec (default TAILOR_MODEL)")
    parser.add_argument("--judge", default="", help="model spec for the LLM judge (e.g. 'default'); empty: no judge")
    parser.add_argument("--limit", type=int, default=0, help="first N examples only")
    parser.add_argument("--prefix", default="", help="experiment name prefix (default: suite and adapter)")


def langsmith_online(offline: bool) -> bool:
    return not offline and langsmith_key_set()


def _local_examples(suite: Suite) -> list[Any]:
    from langsmith.schemas import Example

    dataset = uuid.uuid5(uuid.NAMESPACE_URL, f"tailor/{suite.name}")
    now = datetime.now(UTC)
    return [
        Example(
            id=uuid.uuid5(dataset, str(ex["id"])),
            dataset_id=dataset,
            inputs=ex["inputs"],
            outputs=ex["outputs"],
            metadata={"id": ex["id"]},
            created_at=now,
        )
        for ex in suite.examples
    ]


def _remote_dataset(client: Any, suite: Suite) -> str:
    """The suite's examples as a LangSmith dataset (created on first use, extended with new ids)."""
    name = f"tailor-{suite.name}"
    if client.has_dataset(dataset_name=name):
        dataset = client.read_dataset(dataset_name=name)
        known = {(ex.metadata or {}).get("id") for ex in client.list_examples(dataset_id=dataset.id)}
    else:
        dataset = client.create_dataset(name, description=f"Tailor's {suite.name} eval suite")
        known = set()
    new = [ex for ex in suite.examples if ex["id"] not in known]
    if new:
        client.create_examples(
            dataset_id=dataset.id,
            inputs=[ex["inputs"] for ex in new],
            outputs=[ex["outputs"] for ex in new],
            metadata=[{"id": ex["id"]} for ex in new],
        )
    return name


def _flatten(row: dict[str, Any], column: str) -> Any:
    if column in ("id", "error"):
        return row[column]
    part, _, key = column.partition(".")
    return (row.get(part) or {}).get(key, "")


def run_suite(suite: Suite, offline: bool = False, prefix: str = "", progress: bool = True) -> Experiment:
    """Run the suite with ``langsmith.evaluate``.

    The sync ``evaluate`` is used on purpose: it keeps the target's tracing local when results are
    not uploaded, where ``aevaluate`` (langsmith 0.15) traces the target to the API regardless.
    The async target runs on one event loop kept for the whole run (models and streams stay valid).
    """
    import asyncio

    import langsmith
    from langsmith import evaluate

    online = langsmith_online(offline)
    client = langsmith.Client() if online else langsmith.Client(api_key="offline", auto_batch_tracing=False)
    data = _remote_dataset(client, suite) if online else _local_examples(suite)
    timings: dict[str, float] = {}

    loop = asyncio.new_event_loop()

    def timed_target(inputs: dict) -> dict:
        started = time.perf_counter()
        # Offline, the agent's own LangChain runs are not traced (there is nowhere to send them);
        # online they nest under the example's run in the experiment.
        with langsmith.tracing_context(enabled=online or tracing_enabled()):
            outputs = loop.run_until_complete(suite.target(inputs))
        timings[json.dumps(inputs, sort_keys=True, default=str)] = time.perf_counter() - started
        return outputs

    name_prefix = prefix or f"{suite.name}-{(suite.config.get('adapter') or 'base').replace('@', '-')}"
    if progress:
        print(
            f"{suite.name}: {len(suite.examples)} examples ({'uploading to LangSmith' if online else 'local'})",
            file=sys.stderr,
        )
    try:
        # langsmith prints its experiment's name (and, online, its URL) on stdout: that goes to stderr when
        # uploading and nowhere offline, so stdout holds only our results. `upload_results` is still "beta".
        with warnings.catch_warnings(), contextlib.redirect_stdout(sys.stderr if online else io.StringIO()):
            warnings.filterwarnings("ignore", message=".*'upload_results' parameter is in beta")
            results = evaluate(
                timed_target,
                data=data,
                evaluators=suite.evaluators,
                experiment_prefix=name_prefix,
                metadata={"suite": suite.name, **suite.config},
                max_concurrency=0,
                client=client,
                upload_results=online,
            )
            collected = list(results)
    finally:
        loop.close()
    rows = []
    for result in collected:
        example, run = result["example"], result["run"]
        scores = {r.key: r.score for r in result["evaluation_results"]["results"]}
        key = json.dumps(example.inputs, sort_keys=True, default=str)
        rows.append(
            {
                "id": (example.metadata or {}).get("id", str(example.id)),
                "inputs": example.inputs,
                "reference": example.outputs or {},
                "outputs": run.outputs or {},
                "scores": scores,
                "error": run.error or "",
                "seconds": round(timings.get(key, 0.0), 2),
            }
        )
    # Scores of errored examples are left out: an example that never ran is neither right nor wrong.
    ran = [r for r in rows if not r["error"]]
    keys = sorted({k for row in ran for k in row["scores"]})
    metrics: dict[str, Any] = {"examples": len(rows), **mean_scores(ran, keys)}
    metrics["errors"] = len(rows) - len(ran)
    metrics["seconds_per_example"] = round(sum(r["seconds"] for r in rows) / len(rows), 2) if rows else 0.0
    if suite.summarise and ran:
        metrics.update(suite.summarise(ran))
    experiment = _unused_name(f"{name_prefix}-{time.strftime('%Y%m%d-%H%M%S')}")
    columns = [*suite.columns, "error"] if metrics["errors"] else suite.columns
    table = [{c: _flatten(row, c) for c in columns} for row in rows]
    paths = write_report(
        suite.name,
        table,
        metrics,
        columns=columns,
        stem=experiment,
        extra={
            "experiment": experiment,
            "langsmith_experiment": results.experiment_name if online else "",
            "config": suite.config,
            "results": rows,
            "complete": all_ran(rows),
        },
    )
    return Experiment(experiment, suite.name, metrics, rows, paths, online)


def incomplete_message(experiment: Experiment) -> str:
    errors = experiment.errors
    if not experiment.rows:
        return f"error: the {experiment.suite} eval has no examples; nothing was measured."
    first = " ".join(str(errors[0]["error"]).split())[:300]
    return (
        f"error: {len(errors)} of {len(experiment.rows)} {experiment.suite} examples failed, so this run is not a "
        f"result (first, {errors[0]['id']}: {first}). The report marks them: {experiment.paths['markdown']}"
    )


def _unused_name(stem: str) -> str:
    """``stem``, or ``stem-2``, ``stem-3`` ... when runs in one process finish within the same second."""
    taken = {p.stem for p in reports_folder().glob(f"{stem}*.json")}
    name, number = stem, 1
    while name in taken:
        number += 1
        name = f"{stem}-{number}"
    return name


def finish(experiment: Experiment, as_json: bool, show: Callable[[Experiment], None] | None = None) -> int:
    """Print the run (``show`` for a suite's own table) and give the exit code: 1 when any example failed."""
    if as_json:
        print(experiment.json_line())
    elif experiment.complete:
        (show or print_metrics)(experiment)
    if not experiment.complete:
        print(incomplete_message(experiment), file=sys.stderr)
        return 1
    return 0


def suite_main(
    build: Callable[[argparse.Namespace], Suite], parser: argparse.ArgumentParser, argv: list[str] | None
) -> int:
    """A suite module's ``main``: build (exit 2 with the reason when it is not ready), run, finish."""
    args = parser.parse_args(argv)
    try:
        suite = build(args)
    except SuiteNotReady as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return finish(run_suite(suite, offline=args.offline, prefix=args.prefix), args.json)


def print_metrics(experiment: Experiment) -> None:
    for key, value in experiment.metrics.items():
        print(f"{key:32s} {value}")
    print(f"report: {experiment.paths['markdown']}")
    if experiment.uploaded:
        print("uploaded to LangSmith as an experiment on dataset tailor-" + experiment.suite)
