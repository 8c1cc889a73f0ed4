"""``python -m bench.quant``: the wheel's Q4_1 against a Q4_0 copy made by llama.cpp's quantiser, side by side.

Decode speed (greedy, same prompt, interleaved) and what the faster file costs: mean surprise
(nats per token, the perplexity's log) on the default knowledge base's text, and whether the
greedy answer to a few questions stays the same.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from langchain_core.messages import HumanMessage

QUESTIONS = [
    "What is the capital of France?",
    "Write a short story about a lighthouse keeper.",
    "Explain what a LoRA adapter is in two sentences.",
    "Name three colours.",
]


def main() -> int:
    from graph.models.llamacpp import LlamaCppRuntime
    from tools.default_model import requantised_gguf

    runtimes = {kind: LlamaCppRuntime(str(requantised_gguf(kind))) for kind in ("q4_1", "q4_0")}
    texts = [p.read_text() for p in sorted(Path("docs").glob("*.md"))]
    nll = {}
    for kind, runtime in runtimes.items():
        values = []
        for text in texts:
            ids = runtime.text_ids(text)
            for start in range(0, len(ids), 256):
                values += runtime.token_nll(ids[start : start + 256])
        nll[kind] = statistics.fmean(values)
    prompt = runtimes["q4_1"].encode([HumanMessage(QUESTIONS[1])])
    speed: dict[str, list[float]] = {k: [] for k in runtimes}
    for _ in range(3):
        for kind, runtime in runtimes.items():
            started, count = time.perf_counter(), 0
            for _piece in runtime.stream(prompt, 128, 0.0):
                count += 1
            speed[kind].append(count / (time.perf_counter() - started))
    answers = {k: [r.generate(r.encode([HumanMessage(q)]), 32, 0.0) for q in QUESTIONS] for k, r in runtimes.items()}
    same = sum(a == b for a, b in zip(answers["q4_1"], answers["q4_0"], strict=True))
    result = {
        "tokens_per_s": {k: round(statistics.median(v), 1) for k, v in speed.items()},
        "speedup_q4_0": round(statistics.median(speed["q4_0"]) / statistics.median(speed["q4_1"]), 3),
        "mean_nll": {k: round(v, 4) for k, v in nll.items()},
        "perplexity": {k: round(2.718281828**v, 2) for k, v in nll.items()},
        "same_greedy_answers": f"{same}/{len(QUESTIONS)}",
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
