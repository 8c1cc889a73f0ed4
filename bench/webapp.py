"""``python -m bench.webapp``: the web app against the API it is built on, side by side on one server.

Each round asks the same knowledge-base question twice, once in the page (headless Chromium: Debian's
``chromium`` driven by Playwright) and once through the API (``POST /threads/{id}/runs/stream``, the
request the page makes), in alternating order so that neither always goes first. Reported: the time
to first token and to the whole answer for both, their ratios (page / API), and the page's load time
(navigation to the message box being usable). Saved to ``bench/results/webapp-*.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time

import httpx

from bench.machine import save_result
from bench.server import local_server

NOTE = (
    "# Mascot\n\nTailor's mascot is a grey heron named Quillon. Quillon was first drawn in 2024.\n\n"
    "## Colours\n\nThe heron is grey with a blue beak and appears on every release page.\n"
)
QUESTION = "What is Tailor's mascot called?"
CONTEXT = {"collection": "notes", "max_new_tokens": 40}
# Without the background-networking switches Chromium tries Google's hosts at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def upload_note(url: str) -> None:
    with httpx.Client(base_url=url, timeout=300) as client:
        job = client.post("/api/collections/notes/files", json={"files": [{"name": "mascot.md", "text": NOTE}]})
        job.raise_for_status()
        while (state := client.get(f"/api/jobs/{job.json()['id']}").json())["status"] == "running":
            time.sleep(0.5)
        if state["status"] != "succeeded":
            raise RuntimeError(f"the ingest failed: {state['log'][-3:]}")


def through_api(url: str, headers: dict[str, str] | None = None) -> tuple[float, float]:
    """(ms to first answer token, ms to the end) for QUESTION on a new thread, timed after the thread exists."""
    with httpx.Client(base_url=url, timeout=300, headers=headers) as client:
        thread = client.post("/threads", json={}).json()["thread_id"]
        body = {
            "assistant_id": "agent",
            "input": {"messages": [{"role": "user", "content": QUESTION}]},
            "context": CONTEXT,
            "stream_mode": ["messages-tuple", "values"],
        }
        started = time.perf_counter()
        first = None
        with client.stream("POST", f"/threads/{thread}/runs/stream", json=body) as response:
            event = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "messages" and first is None:
                    chunk, meta = json.loads(line[5:])
                    if meta.get("langgraph_node") in ("generate", "rag", "few_shot", "cot") and chunk.get("content"):
                        first = time.perf_counter()
        end = time.perf_counter()
    return ((first or end) - started) * 1000, (end - started) * 1000


def in_page(page, url: str) -> tuple[float, float, float]:
    """(page load ms, ms to first token, ms to the end) as the page itself measures them."""
    page.goto("about:blank")  # a real load each time, not a same-document hash change
    started = time.perf_counter()
    page.goto(f"{url}/ui/#/chat")
    page.get_by_label("Message").wait_for()
    loaded = (time.perf_counter() - started) * 1000
    page.get_by_label("Collection", exact=True).fill(CONTEXT["collection"])
    page.get_by_label("Max tokens").fill(str(CONTEXT["max_new_tokens"]))
    page.get_by_label("Message").fill(QUESTION)
    page.get_by_role("button", name="Send").click()
    answer = page.locator(".msg.ai[data-total-ms]").last
    answer.wait_for(timeout=300_000)
    return loaded, float(answer.get_attribute("data-first-token-ms")), float(answer.get_attribute("data-total-ms"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webapp", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="question pairs (default 6)")
    parser.add_argument(
        "--chromium", default=os.environ.get("TAILOR_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    )
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print(
            "error: Playwright is not installed: pip install playwright (no browser download needed).", file=sys.stderr
        )
        return 2
    if not os.path.exists(args.chromium):
        print(
            f"error: no Chromium at {args.chromium}: apt-get install chromium, or pass --chromium PATH.",
            file=sys.stderr,
        )
        return 2
    rows = []
    with local_server({}, prefix="tailor-bench-webapp-") as (url, _), sync_playwright() as playwright:
        upload_note(url)
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        through_api(url)  # one warm-up of each, not counted: the first turn builds the collection's keyword index
        in_page(page, url)
        for n in range(args.rounds):
            if n % 2:
                api_first, api_total = through_api(url)
                load, page_first, page_total = in_page(page, url)
            else:
                load, page_first, page_total = in_page(page, url)
                api_first, api_total = through_api(url)
            rows.append(
                {
                    "api_first_ms": api_first,
                    "api_total_ms": api_total,
                    "page_load_ms": load,
                    "page_first_ms": page_first,
                    "page_total_ms": page_total,
                }
            )
            print(
                f"round {n + 1}: first token page {page_first:.0f} ms / API {api_first:.0f} ms; "
                f"answer page {page_total:.0f} / API {api_total:.0f} ms; page load {load:.0f} ms",
                file=sys.stderr,
            )
        browser.close()
    med = {key: round(statistics.median(r[key] for r in rows), 1) for key in rows[0]}
    figures = {
        "rounds": args.rounds,
        "question": QUESTION,
        "context": CONTEXT,
        **{f"{k}_p50": v for k, v in med.items()},
        "first_token_ratio_page_over_api": round(med["page_first_ms"] / med["api_first_ms"], 3),
        "answer_ratio_page_over_api": round(med["page_total_ms"] / med["api_total_ms"], 3),
        "rows": rows,
    }
    print(
        f"first token  page {med['page_first_ms']:.0f} ms, API {med['api_first_ms']:.0f} ms "
        f"(page/API {figures['first_token_ratio_page_over_api']})"
    )
    print(
        f"answer       page {med['page_total_ms']:.0f} ms, API {med['api_total_ms']:.0f} ms "
        f"(page/API {figures['answer_ratio_page_over_api']})"
    )
    print(f"page load    {med['page_load_ms']:.0f} ms to a usable message box (p50 of {args.rounds})")
    save_result("webapp", figures, headline={k: v for k, v in figures.items() if k != "rows"}, as_json=args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
