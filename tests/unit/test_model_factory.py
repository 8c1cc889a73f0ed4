import pytest

from graph.models import ModelSpecError, get_chat_model, parse_spec
from graph.models.factory import clear_cache, generation_kwargs


@pytest.mark.parametrize(
    "spec,kind,target,model",
    [
        ("default", "default", "", ""),
        ("fake:echo", "fake", "echo", ""),
        ("openai:http://127.0.0.1:8000/v1#smol", "openai", "http://127.0.0.1:8000/v1", "smol"),
        ("hf:HuggingFaceTB/SmolLM2-135M-Instruct", "hf", "HuggingFaceTB/SmolLM2-135M-Instruct", ""),
    ],
)
def test_parse_spec(spec, kind, target, model):
    parsed = parse_spec(spec)
    assert (parsed.kind, parsed.target, parsed.model) == (kind, target, model)


def test_existing_folder_is_a_local_model(tmp_path):
    assert parse_spec(str(tmp_path)).kind == "hf"


@pytest.mark.parametrize("spec", ["", "gpt-9000", "openai:localhost#m", "openai:http://x/v1"])
def test_bad_specs_explain_the_format(spec):
    with pytest.raises(ModelSpecError, match="default" if spec in ("", "gpt-9000") else "openai:http"):
        parse_spec(spec)


def test_models_are_cached_per_spec():
    first = get_chat_model("fake:echo")
    assert get_chat_model("fake:echo") is first
    assert get_chat_model("fake:a|b") is not first
    clear_cache()
    assert get_chat_model("fake:echo") is not first


def test_default_spec_comes_from_settings(monkeypatch):
    monkeypatch.setenv("TAILOR_MODEL", "fake:one|two")
    assert get_chat_model().invoke("hi").content == "one"


def test_openai_spec_builds_client_without_network():
    model = get_chat_model("openai:http://127.0.0.1:9/v1#served-adapter")
    assert type(model).__name__ == "ChatOpenAI"
    assert model.model_name == "served-adapter"
    assert str(model.openai_api_base).startswith("http://127.0.0.1:9/v1")
    assert generation_kwargs(model, 12, 0.3) == {"max_tokens": 12, "temperature": 0.3}


def test_missing_local_model_is_a_clear_error(tmp_path):
    empty = tmp_path / "empty-model"
    empty.mkdir()
    with pytest.raises(ModelSpecError, match="could not load model"):
        get_chat_model(f"hf:{empty}")
