"""The one model interface.

Every local runtime behind LocalChatModel, the sync and async streams sharing one body, cancellation reaching
the runtime, and per-call arguments only where a runtime honours them.
"""

from __future__ import annotations

import asyncio

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from graph.models.factory import RUNTIMES, generation_kwargs, parse_spec, runtime_name
from graph.models.fake import ScriptedRuntime, fake_model
from graph.models.local import LocalChatModel
from graph.models.runtime import LocalRuntime, runtime_of

PROMPT = [SystemMessage("be brief"), HumanMessage("count for me")]


def _model(**kwargs) -> LocalChatModel:
    return LocalChatModel(ScriptedRuntime(**kwargs), model_name="scripted")


def test_sync_and_async_streams_give_the_same_chunks_and_calls():
    sync_model, async_model = _model(), _model()
    kwargs = {"max_new_tokens": 4, "temperature": 0.5, "adapter": "fact@v2"}
    sync_text = [c.content for c in sync_model.stream(PROMPT, **kwargs)]

    async def collect() -> list[str]:
        return [c.content async for c in async_model.astream(PROMPT, **kwargs)]

    async_text = asyncio.run(collect())
    # The async side may join pieces that arrived while its reader was busy: the text is the same.
    assert "".join(sync_text) == "".join(async_text) == "one two three four"
    assert len(sync_text) >= 4 and 1 <= len([t for t in async_text if t]) <= 4
    assert sync_model.runtime.calls == async_model.runtime.calls
    assert sync_model.runtime.calls[0]["adapter"] == "fact@v2" and sync_model.runtime.calls[0]["max_new_tokens"] == 4


@pytest.mark.parametrize("side", ["sync", "async"])
def test_a_reader_that_stops_early_stops_the_runtime(side):
    model = _model(reply=" ".join(f"w{i}" for i in range(200)), seconds_per_piece=0.002)
    if side == "sync":
        for index, _ in enumerate(model.stream(PROMPT)):
            if index == 2:
                break
    else:

        async def read_three() -> None:
            stream = model.astream(PROMPT)
            async for index, _ in _enumerate(stream):
                if index == 2:
                    break
            await stream.aclose()

        asyncio.run(read_three())
    assert model.runtime.handed_out[0] < 200


def test_async_stream_sends_the_first_piece_at_once_then_at_most_one_update_per_flush_interval():
    reply = " ".join(f"w{i}" for i in range(40))
    model = LocalChatModel(ScriptedRuntime(reply=reply, seconds_per_piece=0.005), stream_flush_seconds=0.05)

    async def collect() -> list[str]:
        return [c.content async for c in model.astream(PROMPT) if c.content]

    chunks = asyncio.run(collect())
    assert chunks[0] == "w0" and "".join(chunks) == reply
    # 40 pieces over ~0.2 s: the first, then about one update every 50 ms (not one per piece)
    assert 3 <= len(chunks) <= 8


async def _enumerate(stream):
    index = 0
    async for item in stream:
        yield index, item
        index += 1


def test_invoke_and_token_counting_go_through_the_runtime():
    model = _model()
    assert model.invoke(PROMPT, max_new_tokens=2).content == "one two"
    assert model.get_num_tokens_from_messages(PROMPT) == len(model.runtime.encode(PROMPT))
    assert model.context_window == 2048


def test_runtime_errors_reach_the_async_reader():
    class Broken(ScriptedRuntime):
        def stream(self, *args, **kwargs):
            yield "half"
            raise RuntimeError("decode failed")

    model = LocalChatModel(Broken())

    async def read() -> None:
        async for _ in model.astream(PROMPT):
            pass

    with pytest.raises(RuntimeError, match="decode failed"):
        asyncio.run(read())


def test_json_constraint_is_passed_only_to_runtimes_with_grammars():
    with_grammar, without = _model(supports_grammar=True), _model()
    assert generation_kwargs(with_grammar, 8, 0.0, json=True)["json"] is True
    assert "json" not in generation_kwargs(without, 8, 0.0, json=True)
    assert "json" not in generation_kwargs(with_grammar, 8, 0.0)
    with_grammar.invoke(PROMPT, **generation_kwargs(with_grammar, 8, 0.0, "a@v1", json=True))
    assert with_grammar.runtime.calls[-1]["json"] is True and with_grammar.runtime.calls[-1]["adapter"] == "a@v1"


def test_fakes_and_remote_models_have_no_local_runtime():
    assert runtime_of(fake_model("echo")) is None
    assert isinstance(runtime_of(_model()), LocalRuntime)


@pytest.mark.parametrize(
    "spec,target", [("gguf:/models/x.gguf", "/models/x.gguf"), ("/models/y.Q4_0.gguf", "/models/y.Q4_0.gguf")]
)
def test_gguf_specs(spec, target):
    parsed = parse_spec(spec)
    assert (parsed.kind, parsed.target) == ("gguf", target)


def test_runtime_setting_picks_the_backend(monkeypatch):
    assert set(RUNTIMES) == {"transformers", "llamacpp"}
    monkeypatch.setenv("TAILOR_RUNTIME", "transformers")
    assert runtime_name() == "transformers"
    monkeypatch.setenv("TAILOR_RUNTIME", "auto")
    monkeypatch.setattr("graph.models.factory.cuda_available", lambda: False)
    assert runtime_name() == "llamacpp"
    monkeypatch.setattr("graph.models.factory.cuda_available", lambda: True)
    assert runtime_name() == "transformers"


def test_a_bad_runtime_setting_names_the_choices(monkeypatch):
    from tools.settings import SettingsError, get_settings

    monkeypatch.setenv("TAILOR_RUNTIME", "vulkan")
    with pytest.raises(SettingsError, match="auto, llamacpp, transformers"):
        get_settings()
