"""The llama.cpp runtime on the real default model (the wheel's Q4_1 GGUF as it is)."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from graph.graph import build_graph
from graph.models.factory import get_chat_model

CONVERSATIONS = [
    [HumanMessage("Hi")],
    [SystemMessage("You are Tailor, a helpful assistant."), HumanMessage("What is the capital of France?")],
    [
        SystemMessage("Be brief."),
        HumanMessage("Name a colour."),
        AIMessage("Blue."),
        HumanMessage("And another, in German?"),
    ],
    [HumanMessage("Ünïcödé, emoji 🧵 and code:\n```python\nprint('x')\n```\n  indented   spaces  ")],
    [SystemMessage(""), HumanMessage("Empty system prompt.")],
]


@pytest.fixture(scope="module")
def runtimes(default_model_path):
    import os

    saved = os.environ.get("TAILOR_RUNTIME")
    found = {}
    for name in ("llamacpp", "transformers"):
        os.environ["TAILOR_RUNTIME"] = name
        found[name] = get_chat_model("default").runtime
    if saved is None:
        os.environ.pop("TAILOR_RUNTIME", None)
    else:
        os.environ["TAILOR_RUNTIME"] = saved
    return found


@pytest.mark.parametrize("index", range(len(CONVERSATIONS)))
def test_both_runtimes_render_prompts_to_identical_tokens(runtimes, index):
    messages = CONVERSATIONS[index]
    llama, hf = runtimes["llamacpp"].encode(messages), runtimes["transformers"].encode(messages)
    assert llama == hf, (runtimes["llamacpp"].decode(llama), runtimes["transformers"].decode(hf))
    assert runtimes["llamacpp"].count_tokens(messages) == len(hf)


def test_both_runtimes_tokenise_text_alike_and_give_close_surprise(runtimes):
    text = "The quick brown fox jumps over the lazy dog, then naps in the warm afternoon sun."
    ids = runtimes["transformers"].text_ids(text)
    assert runtimes["llamacpp"].text_ids(text) == ids
    llama, hf = runtimes["llamacpp"].token_nll(ids), runtimes["transformers"].token_nll(ids)
    assert len(llama) == len(hf) == len(ids)
    assert abs(sum(llama) / len(llama) - sum(hf) / len(hf)) < 0.35  # Q4_1 weights, dequantised on one side only


def test_a_stopped_stream_frees_the_slot_and_cancel_stops_generation(runtimes):
    runtime = runtimes["llamacpp"]
    prompt = runtime.encode([HumanMessage("Write a long story about a lighthouse keeper.")])
    pieces = runtime.stream(prompt, 200, 0.0)
    first = [next(pieces) for _ in range(3)]
    pieces.close()  # the reader stopped (an output rail): the slot is free again at once
    cancel = threading.Event()
    seen = []
    for piece in runtime.stream(prompt, 200, 0.0, cancel=cancel):
        seen.append(piece)
        if len(seen) == 5:
            cancel.set()
    assert len(seen) == 5 and seen[:3] == first


def test_samples_are_decoded_as_one_batch_and_differ(runtimes):
    runtime = runtimes["llamacpp"]
    prompt = runtime.encode([HumanMessage("Give me a name for a cat.")])
    samples = runtime.generate_many(prompt, 5, 16, 1.0)
    assert len(samples) == 5 and all(s.strip() for s in samples)
    assert len(set(samples)) > 1
    # The prompt's cache stays usable for the next plain request.
    assert runtime.generate(prompt, 8, 0.0) == runtime.generate(prompt, 8, 0.0)


def test_json_is_constrained_by_a_grammar(runtimes):
    runtime = runtimes["llamacpp"]
    prompt = runtime.encode([HumanMessage("Describe a cat.")])  # nothing in the request asks for JSON
    value = json.loads(runtime.generate(prompt, 96, 0.0, json=True))
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    typed = json.loads(runtime.generate(prompt, 96, 0.0, json=schema))
    assert isinstance(value, (dict, list)) and isinstance(typed["name"], str) and isinstance(typed["age"], int)


async def test_the_agent_answers_json_requests_that_parse_without_repair(monkeypatch):
    monkeypatch.setenv("TAILOR_RUNTIME", "llamacpp")
    state = await build_graph().ainvoke(
        {"messages": [{"role": "user", "content": "Reply in JSON with the fields city and country for Paris."}]},
        context={"strategy": "direct", "max_new_tokens": 96},
    )
    verdict = state["guard"]["output"]["json"]
    assert verdict == {"valid": True, "repaired": False}
    json.loads(state["messages"][-1].content)


async def test_simultaneous_requests_on_two_slots_are_all_answered(monkeypatch):
    from graph.models import factory

    monkeypatch.setenv("TAILOR_RUNTIME", "llamacpp")
    monkeypatch.setenv("TAILOR_LLAMACPP_SLOTS", "2")
    factory.clear_cache()
    try:
        agent = build_graph()
        questions = [
            "What is the capital of France?",
            "What is the capital of Italy?",
            "What is the capital of Spain?",
            "What is the capital of Germany?",
        ]

        def ask(q):
            return agent.ainvoke(
                {"messages": [{"role": "user", "content": q}]},
                context={"strategy": "direct", "max_new_tokens": 24},
            )

        alone = [(await ask(q))["messages"][-1].content for q in questions]
        together = [s["messages"][-1].content for s in await asyncio.gather(*(ask(q) for q in questions))]
        assert together == alone  # greedy: no request saw another's tokens, cache or adapter
        assert "Paris" in together[0] and "Rome" in together[1]
        assert len(factory.get_chat_model("default").runtime._all_slots) == 2
    finally:
        factory.clear_cache()
