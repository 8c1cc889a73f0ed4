"""``python -m bench [--quick] [--json]``: the agent's speed, side by side in one run.

- runtimes (bench/runtimes.py): the agent on llama.cpp vs raw llama-cpp-python on the same GGUF
  and prompt (``decode_ratio_llamacpp``), vs the agent on transformers (``speedup_over_transformers``),
  with an adapter active (``adapter_ratio_llamacpp``), request latency per strategy on both
  runtimes, and simultaneous requests with one and two llama.cpp slots;
- graph overhead (bench/graph.py): a full graph pass with a fake model (p50/p95 ms) beside LangGraph's own
  cost for four no-op nodes in the same run (``graph_over_floor``), with hash embeddings and the
  perplexity layer off (the graph's own cost), and with the guard's models on (the embedding model
  for similarity and routing, the default model's forward pass for perplexity);
- guard: ``guard_input`` p50 at 200 and 2,000 characters (``guard_input_ms_p50_200`` / ``_2000``;
  each layer alone: ``python -m bench.guard``);
- server: requests/s and p95 latency for N concurrent clients on a real ``langgraph dev`` with a
  fake model, and ``/ok`` latency while they run;
- retrieval and training: the newest saved retrieval benchmark, training benchmark (``python -m
  bench.training``: our SFT against a plain trl script, ``sft_tokens_per_s_ratio``) and adapter
  manifest, when present.

Results are saved under ``bench/results/`` with the machine's description; ``--json`` ends with
one line of the headline figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

from bench.machine import RESULTS

QUESTION = "Write a short story about a lighthouse keeper who finds a message in a bottle."


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def server(clients: int, requests_each: int) -> dict[str, float]:
    import socket
    import subprocess
    import tempfile

    import httpx

    repo = Path(__file__).resolve().parents[1]
    with socket.socket() as sock:  # a free port (bench/ imports nothing from tests/)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="tailor-bench-server-") as scratch:
        env = {**os.environ, "TAILOR_MODEL": "fake:echo", "TAILOR_DATA_DIR": scratch, "TAILOR_API_KEYS": ""}
        langgraph = Path(sys.executable).with_name("langgraph")
        proc = subprocess.Popen(
            [
                str(langgraph),
                "dev",
                "--no-browser",
                "--no-reload",
                "--port",
                str(port),
                "--config",
                str(repo / "langgraph.json"),
            ],
            cwd=scratch,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(url + "/ok", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.5)
            return asyncio.run(_load(url, clients, requests_each))
        finally:
            import signal

            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)


async def _load(url: str, clients: int, requests_each: int) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    health: list[float] = []
    done = asyncio.Event()

    async def client(http: httpx.AsyncClient, n: int) -> None:
        thread = (await http.post(url + "/threads", json={})).json()["thread_id"]
        for i in range(requests_each):
            started = time.perf_counter()
            response = await http.post(
                f"{url}/threads/{thread}/runs/wait",
                json={
                    "assistant_id": "agent",
                    "input": {"messages": [{"role": "user", "content": f"client {n} request {i}"}]},
                },
            )
            response.raise_for_status()
            latencies.append((time.perf_counter() - started) * 1000)

    async def watch(http: httpx.AsyncClient) -> None:
        while not done.is_set():
            started = time.perf_counter()
            await http.get(url + "/ok")
            health.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(0.1)

    async with httpx.AsyncClient(timeout=120) as http:
        await client(http, -1)  # warm-up: the first run loads the graph's parts
        latencies.clear()
        watcher = asyncio.create_task(watch(http))
        started = time.perf_counter()
        await asyncio.gather(*(client(http, n) for n in range(clients)))
        elapsed = time.perf_counter() - started
        done.set()
        await watcher
    return {
        "clients": clients,
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 2),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "ok_p95_ms": round(percentile(health, 0.95), 1),
        "ok_max_ms": round(max(health), 1),
    }


def saved_figures() -> dict[str, object]:
    """The newest retrieval and training benchmarks and adapter manifest, when there are any."""
    figures: dict[str, object] = {}
    training = sorted(RESULTS.glob("training-*.json"))
    if training:  # `python -m bench.training`: our SFT entry point against plain trl
        data = json.loads(training[-1].read_text())
        figures.update({k: v for k, v in data.items() if k.startswith("sft_")})
    retrieval = sorted(RESULTS.glob("retrieval-*.json"))
    if retrieval:
        data = json.loads(retrieval[-1].read_text())
        figures.update({k: v for k, v in data.items() if k.startswith("retrieval_1k") or k.startswith("retrieval_10k")})
    from tools.settings import get_settings

    manifests = sorted(
        (get_settings().data_dir / "adapters").glob("*/v*/manifest.json"), key=lambda p: p.stat().st_mtime
    )
    if manifests:
        manifest = json.loads(manifests[-1].read_text())
        for key in ("tokens_per_second", "duration_seconds", "peak_memory_mb"):
            if key in manifest.get("metrics", manifest):
                figures[f"training_{key}"] = manifest.get("metrics", manifest)[key]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer tokens, runs and clients")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the headline figures")
    args = parser.parse_args(argv)
    from bench.machine import save_result
    from bench.runtimes import compare

    tokens, repeats = (64, 3) if args.quick else (128, 5)
    print(
        f"runtimes: {tokens} tokens, raw llama-cpp-python vs the agent on llama.cpp and on transformers, "
        f"{repeats} runs each; strategies; concurrency...",
        file=sys.stderr,
    )
    dec = compare(tokens, repeats)
    runs = 30 if args.quick else 100
    print(f"graph overhead: {runs} passes with a fake model...", file=sys.stderr)
    from bench.graph import measure as graph_costs

    saved_model = os.environ.get("TAILOR_MODEL")
    fake = graph_costs(runs, "fake:384", "fake:echo")
    real = graph_costs(runs, "default", "default")
    if saved_model is None:
        os.environ.pop("TAILOR_MODEL", None)
    else:
        os.environ["TAILOR_MODEL"] = saved_model
    from bench.guard import measure as guard_costs

    print("guard: guard_input at 200 and 2,000 characters, every layer on...", file=sys.stderr)
    guard = guard_costs(3 if args.quick else 9)
    clients, each = (8, 4) if args.quick else (16, 8)
    print(f"server: {clients} clients x {each} requests, fake model...", file=sys.stderr)
    srv = server(clients, each)
    summary = {
        **{k: v for k, v in dec.items() if not isinstance(v, dict)},
        "latency_s": dec["latency_s"],
        "concurrent": dec["concurrent"],
        **fake,
        "graph_with_guard_models_ms_p50": real["graph_overhead_ms_p50"],
        "graph_with_guard_models_ms_p95": real["graph_overhead_ms_p95"],
        "server_clients": srv["clients"],
        "server_requests_per_s": srv["requests_per_s"],
        "server_p50_ms": srv["p50_ms"],
        "server_p95_ms": srv["p95_ms"],
        "ok_p95_ms": srv["ok_p95_ms"],
        "ok_max_ms": srv["ok_max_ms"],
        **{k: v for k, v in guard.items() if k.startswith("guard_input_ms")},
        **saved_figures(),
    }
    print(
        f"decode      raw llama-cpp-python {dec['raw_llamacpp_tokens_per_s']} tok/s | agent on llama.cpp "
        f"{dec['agent_llamacpp_tokens_per_s']} tok/s (ratio {dec['decode_ratio_llamacpp']}) | agent on transformers "
        f"{dec['agent_transformers_tokens_per_s']} tok/s | speedup {dec['speedup_over_transformers']}x | "
        f"with an adapter {dec['adapter_ratio_llamacpp']}x"
    )
    for runtime, figures in dec["latency_s"].items():
        print(f"latency     {runtime:12s} " + " | ".join(f"{k} {v} s" for k, v in figures.items()))
    for slots, figures in dec["concurrent"].items():
        print(f"concurrent  4 requests, {slots}: {figures['seconds']} s, {figures['tokens_per_s']} tok/s")
    print(
        f"graph       fake model, hash embeddings p50 {fake['graph_overhead_ms_p50']} ms p95 "
        f"{fake['graph_overhead_ms_p95']} ms ({fake['graph_over_floor']}x LangGraph's own "
        f"{fake['langgraph_floor_ms_p50']} ms) | with the guard's models (embeddings, perplexity) p50 "
        f"{real['graph_overhead_ms_p50']} ms p95 {real['graph_overhead_ms_p95']} ms"
    )
    print(
        f"guard       guard_input p50 {guard['guard_input_ms_p50_200']} ms at 200 characters, "
        f"{guard['guard_input_ms_p50_2000']} ms at 2,000 (by layer: python -m bench.guard)"
    )
    print(
        f"server      {srv['clients']} clients: {srv['requests_per_s']} req/s, p50 {srv['p50_ms']} ms, "
        f"p95 {srv['p95_ms']} ms; /ok p95 {srv['ok_p95_ms']} ms (max {srv['ok_max_ms']})"
    )
    save_result("bench", {"quick": args.quick, **summary}, summary, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
