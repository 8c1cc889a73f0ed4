"""``python -m bench.soak``: many clients holding conversations with a real server for a while.

Each client makes a thread and sends its turns one after another (every turn through the real
default model, loopback only); all clients at once. Afterwards every thread must hold exactly its
own turns, in order, with an answer after each. Reported: errors, runs per second, latency, the
health endpoint's latency meanwhile, and the server's resident memory (all its processes) after a
warm-up turn, half-way and at the end. Exits 1 when any run failed or any thread is wrong.
``make soak`` runs the full size (32 clients x 10 turns); ``make test`` runs 16 x 2.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def group_rss_mb(group: int) -> float:
    """Resident memory of every process in process group ``group`` (the server and any children)."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) != group:  # field 5 of /proc/PID/stat: the process group
                continue
            status = (entry / "status").read_text()
        except (OSError, ValueError):
            continue  # a process that ended while we looked
        total_kb += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return round(total_kb / 1024, 1)


def message(client: int, turn: int) -> str:
    return f"client {client} turn {turn}: say hi"


async def soak(
    url: str, clients: int, turns: int, max_new_tokens: int = 8, rss: Callable[[], float] | None = None
) -> dict[str, object]:
    """Run the conversations against ``url`` and check every thread; ``rss`` reads the server's memory."""
    latencies: list[float] = []
    health: list[float] = []
    health_codes: list[int] = []
    errors: list[str] = []
    rss_samples: list[tuple[int, float]] = []  # (runs finished, MB)
    context = {"max_new_tokens": max_new_tokens, "strategy": "direct"}

    async def run(http: httpx.AsyncClient, thread: str, content: str) -> None:
        started = time.perf_counter()
        try:
            response = await http.post(
                f"{url}/threads/{thread}/runs/wait",
                json={
                    "assistant_id": "agent",
                    "context": context,
                    "input": {"messages": [{"role": "user", "content": content}]},
                },
            )
            body = response.json() if response.status_code == 200 else {}
            if response.status_code != 200 or not body.get("messages") or body["messages"][-1].get("type") != "ai":
                errors.append(f"{content!r}: HTTP {response.status_code} {response.text[:200]}")
        except (httpx.HTTPError, ValueError) as err:
            errors.append(f"{content!r}: {type(err).__name__}: {err}")
        latencies.append(time.perf_counter() - started)

    async def converse(http: httpx.AsyncClient, n: int) -> str:
        thread = (await http.post(url + "/threads", json={})).json()["thread_id"]
        for turn in range(turns):
            await run(http, thread, message(n, turn))
        return thread

    async def watch(http: httpx.AsyncClient, done: asyncio.Event) -> None:
        while not done.is_set():
            started = time.perf_counter()
            try:
                health_codes.append((await http.get(url + "/ok", timeout=10)).status_code)
            except httpx.HTTPError:
                health_codes.append(0)
            health.append((time.perf_counter() - started) * 1000)
            if rss is not None and (not rss_samples or rss_samples[-1][0] != len(latencies)):
                rss_samples.append((len(latencies), rss()))
            await asyncio.sleep(0.5)

    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(max_connections=clients + 4)) as http:
        warm = (await http.post(url + "/threads", json={})).json()["thread_id"]
        await run(http, warm, "warm-up: say hi")  # the first run loads the graph's parts
        latencies.clear()
        errors.clear()
        start_rss = rss() if rss else 0.0
        done = asyncio.Event()
        watcher = asyncio.create_task(watch(http, done))
        started = time.perf_counter()
        threads = await asyncio.gather(*(converse(http, n) for n in range(clients)))
        elapsed = time.perf_counter() - started
        done.set()
        await watcher
        end_rss = rss() if rss else 0.0

        wrong: list[str] = []
        for n, thread in enumerate(threads):
            state = (await http.get(f"{url}/threads/{thread}/state")).json()
            messages = (state.get("values") or {}).get("messages") or []
            humans = [m["content"] for m in messages if m["type"] == "human"]
            if (
                humans != [message(n, t) for t in range(turns)]
                or [m["type"] for m in messages] != ["human", "ai"] * turns
            ):
                wrong.append(f"client {n}: {[(m['type'], m['content'][:30]) for m in messages]}")

    half = next((mb for done_runs, mb in rss_samples if done_runs >= clients * turns // 2), end_rss)
    return {
        "clients": clients,
        "turns": turns,
        "runs": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "threads_wrong": len(wrong),
        "first_wrong": wrong[:3],
        "seconds": round(elapsed, 1),
        "runs_per_s": round(len(latencies) / elapsed, 2) if elapsed else 0.0,
        "latency_p50_s": round(statistics.median(latencies), 2) if latencies else 0.0,
        "latency_p95_s": round(percentile(latencies, 0.95), 2),
        "ok_codes": sorted(set(health_codes)),
        "ok_p95_ms": round(percentile(health, 0.95), 1),
        "ok_max_ms": round(max(health), 1) if health else 0.0,
        "rss_start_mb": start_rss,
        "rss_half_mb": half,
        "rss_end_mb": end_rss,
        "rss_peak_mb": max([end_rss, *(mb for _, mb in rss_samples)]),
        "rss_growth_mb": round(end_rss - start_rss, 1),
        "rss_growth_second_half_mb": round(end_rss - half, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--max-new-tokens", type=int, default=8, help="answer length per turn (default 8)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the report")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.turns < 1:
        parser.error("--clients and --turns must be at least 1")
    from bench.machine import save_result
    from bench.server import local_server

    print(f"soak: {args.clients} clients x {args.turns} turns on the default model...", file=sys.stderr)
    with local_server({}) as (url, group):
        report = asyncio.run(soak(url, args.clients, args.turns, args.max_new_tokens, rss=lambda: group_rss_mb(group)))
    print(
        f"soak        {report['runs']} runs in {report['seconds']} s ({report['runs_per_s']} runs/s), "
        f"p50 {report['latency_p50_s']} s, p95 {report['latency_p95_s']} s; errors {report['errors']}, "
        f"threads wrong {report['threads_wrong']}; /ok p95 {report['ok_p95_ms']} ms (max {report['ok_max_ms']})"
    )
    print(
        f"memory      server RSS {report['rss_start_mb']} MB after warm-up, {report['rss_half_mb']} MB half-way, "
        f"{report['rss_end_mb']} MB at the end (peak {report['rss_peak_mb']}; growth {report['rss_growth_mb']} MB, "
        f"{report['rss_growth_second_half_mb']} MB in the second half)"
    )
    save_result("soak", report, as_json=args.json)
    failed = report["errors"] or report["threads_wrong"] or report["ok_codes"] != [200]
    if failed:
        print(
            f"error: the soak failed: {report['first_errors'] or report['first_wrong'] or report['ok_codes']}",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
