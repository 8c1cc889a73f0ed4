"""The default model on each runtime, side by side in one run (interleaved, so drift hits all sides alike).

- ``decode_ratio_llamacpp``: the agent streaming on the llama.cpp runtime over raw llama-cpp-python
  (its ``Llama`` class) on the same GGUF file and prompt tokens, greedy;
- ``speedup_over_transformers``: the agent on llama.cpp over the agent on transformers;
- ``adapter_ratio_llamacpp``: the agent with a LoRA adapter active over the agent without it;
- request latency of direct, rag, self-consistency (5 samples) and tree-of-thoughts answers per runtime;
- ``concurrent``: 4 simultaneous requests, llama.cpp with one slot and with two.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

QUESTION = "Write a short story about a lighthouse keeper who finds a message in a bottle."
STRATEGY_QUESTIONS = {
    "direct": ("direct", "What is the capital of France?"),
    "rag": ("rag", "How do I run the test suite?"),
    "self_consistency": ("self_consistency", "A shop sells pens at 3 euros each. How much do 4 pens cost?"),
    "tot": ("tot", "Plan a three-step way to learn a new language."),
}


@contextmanager
def env(**values: str) -> Any:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _agent_stream(agent: Any, context: dict[str, Any], runtime: str) -> Callable[[], tuple[float, float, str]]:
    """One streamed answer through the agent on ``runtime`` (the runtime is chosen per request, from the setting)."""

    async def run() -> tuple[float, float, str]:
        started, first, last, text = time.perf_counter(), None, None, ""
        async for chunk, meta in agent.astream(
            {"messages": [{"role": "user", "content": QUESTION}]}, context=context, stream_mode="messages"
        ):
            if meta.get("langgraph_node") == "generate" and chunk.content:
                first = first or time.perf_counter()
                last = time.perf_counter()
                text += chunk.content
        end = time.perf_counter()
        # Decode speed is first to last streamed token, as on the raw side; the checks after the answer
        # (guard_output) are in the whole request's time, the second figure.
        return (last or end) - (first or end), end - started, text

    def timed() -> tuple[float, float, str]:
        with env(TAILOR_RUNTIME=runtime):
            return asyncio.run(run())

    return timed


def _raw_llama(gguf: str, ids: list[int], tokens: int, threads: int) -> Callable[[], tuple[float, float, str]]:
    from llama_cpp import Llama

    # flash attention on, as llama.cpp itself defaults to (and the runtime keeps): the same greedy text
    llm = Llama(model_path=gguf, n_ctx=4096, n_threads=threads, n_threads_batch=threads, flash_attn=True, verbose=False)

    return lambda: _timed(
        part["choices"][0]["text"]
        for part in llm.create_completion(prompt=ids, max_tokens=tokens, temperature=0.0, stream=True)
    )


def _timed(pieces: Any) -> tuple[float, float, str]:
    """(first to last non-empty piece, whole call, text) of a stream of text pieces."""
    started, first, last, text = time.perf_counter(), None, None, ""
    for piece in pieces:
        if piece:
            first = first or time.perf_counter()
            last = time.perf_counter()
        text += piece
    end = time.perf_counter()
    return (last or end) - (first or end), end - started, text


def _random_adapter(base_folder: str, out: Path) -> Path:
    """A LoRA of the shape training writes, with random weights (its cost, not its effect, is measured)."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(base_folder, dtype=torch.float32)
    config = LoraConfig(
        r=16, lora_alpha=32, target_modules="all-linear", init_lora_weights=False, task_type="CAUSAL_LM"
    )
    peft_model = get_peft_model(model, config)
    for name, param in peft_model.named_parameters():
        if "lora_B" in name:
            param.data.mul_(0.01)  # small: the answer stays readable
    peft_model.save_pretrained(out)
    return out


def compare(tokens: int, repeats: int, strategies: bool = True) -> dict[str, Any]:
    from langchain_core.messages import HumanMessage

    from graph.deps import Deps
    from graph.graph import build_graph
    from graph.models import factory
    from graph.system_prompt import system_message
    from tools.default_model import gguf_file, prepare
    from training.gguf import adapter_gguf

    results: dict[str, Any] = {}
    context = {"strategy": "direct", "max_new_tokens": tokens, "temperature": 0.0}
    with env(TAILOR_RUNTIME="llamacpp"):
        agent = build_graph()
        model = factory.get_chat_model("default")
        runtime = model.runtime
        ids = runtime.encode(
            [system_message("system/direct", Deps.real().guard.policy()), HumanMessage(content=QUESTION)]
        )
        raw = _raw_llama(str(gguf_file()), ids, tokens, runtime.threads)
        llama_agent = _agent_stream(agent, context, "llamacpp")
        with tempfile.TemporaryDirectory(prefix="tailor-bench-adapter-") as tmp:
            folder = _random_adapter(str(prepare()), Path(tmp) / "adapter")
            runtime.load_adapter("bench@v1", str(adapter_gguf(folder, str(prepare()))))
            adapted = _llama_with_adapter(model, ids, tokens)
            plain = _llama_with_adapter(model, ids, tokens, adapter=None)
            raw(), llama_agent(), adapted(), plain()  # warm-up
            hf_agent = _agent_stream(agent, context, "transformers")
            hf_agent()
            rows: dict[str, list[tuple[float, float, str]]] = {
                "raw": [],
                "llamacpp": [],
                "transformers": [],
                "adapter": [],
                "no_adapter": [],
            }
            for _ in range(repeats):
                rows["raw"].append(raw())
                rows["llamacpp"].append(llama_agent())
                rows["transformers"].append(hf_agent())
                rows["adapter"].append(adapted())
                rows["no_adapter"].append(plain())
            runtime.unload_adapter("bench@v1")
    count = lambda text: len(runtime.text_ids(text))  # noqa: E731 - one tokenizer counts every side
    tps = {side: statistics.median(count(t) / d for d, _, t in runs if d > 0) for side, runs in rows.items()}
    whole = {side: statistics.median(count(t) / total for _, total, t in runs) for side, runs in rows.items()}
    results.update(
        {
            "raw_llamacpp_tokens_per_s": round(tps["raw"], 2),
            "agent_llamacpp_tokens_per_s": round(tps["llamacpp"], 2),
            "agent_transformers_tokens_per_s": round(tps["transformers"], 2),
            "decode_ratio_llamacpp": round(tps["llamacpp"] / tps["raw"], 3),
            "speedup_over_transformers": round(tps["llamacpp"] / tps["transformers"], 3),
            "adapter_ratio_llamacpp": round(tps["adapter"] / tps["no_adapter"], 3),
            # The whole request (input guards, routing, prompt, answer checks) against raw generation of the answer alone.
            "request_ratio_llamacpp": round(whole["llamacpp"] / whole["raw"], 3),
            "same_text_as_raw": rows["raw"][0][2] == rows["llamacpp"][0][2],
            "tokens": count(rows["raw"][0][2]),
        }
    )
    if strategies:
        results["latency_s"] = {name: _strategy_latency(name) for name in ("llamacpp", "transformers")}
        results["concurrent"] = {f"slots_{n}": _concurrent(n) for n in (1, 2)}
    return results


def _llama_with_adapter(
    model: Any, ids: list[int], tokens: int, adapter: str | None = "bench@v1"
) -> Callable[[], tuple[float, float, str]]:
    return lambda: _timed(model.runtime.stream(ids, tokens, 0.0, adapter=adapter))


def _strategy_latency(runtime: str) -> dict[str, float]:
    from graph.graph import build_graph

    out = {}
    with env(TAILOR_RUNTIME=runtime):
        agent = build_graph()
        for name, (strategy, question) in STRATEGY_QUESTIONS.items():
            context = {
                "strategy": strategy,
                "max_new_tokens": 64,
                "temperature": 0.0,
                **({"collection": "docs"} if strategy == "rag" else {}),
                **({"samples": 5} if strategy == "self_consistency" else {}),
            }

            async def once(question: str = question, context: dict[str, Any] = context) -> float:
                started = time.perf_counter()
                await agent.ainvoke({"messages": [{"role": "user", "content": question}]}, context=context)
                return time.perf_counter() - started

            asyncio.run(once())  # warm-up
            out[name] = round(asyncio.run(once()), 2)
    return out


def _concurrent(slots: int, requests: int = 4, tokens: int = 48) -> dict[str, float]:
    """``requests`` answers at once through the agent; tokens/s over all of them."""
    from graph.graph import build_graph
    from graph.models import factory

    with env(TAILOR_RUNTIME="llamacpp", TAILOR_LLAMACPP_SLOTS=str(slots)):
        factory.clear_cache()
        agent = build_graph()
        context = {"strategy": "direct", "max_new_tokens": tokens, "temperature": 0.0}

        async def all_at_once() -> tuple[float, list[str]]:
            started = time.perf_counter()
            states = await asyncio.gather(
                *(
                    agent.ainvoke({"messages": [{"role": "user", "content": f"{QUESTION} ({i})"}]}, context=context)
                    for i in range(requests)
                )
            )
            return time.perf_counter() - started, [s["messages"][-1].content for s in states]

        asyncio.run(all_at_once())  # warm-up
        elapsed, answers = asyncio.run(all_at_once())
        runtime = factory.get_chat_model("default").runtime
        total = sum(len(runtime.text_ids(a)) for a in answers)
        factory.clear_cache()
    return {"seconds": round(elapsed, 2), "tokens_per_s": round(total / elapsed, 2), "all_answered": all(answers)}
