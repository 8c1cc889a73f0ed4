import pytest

import prompts


def test_every_prompt_file_loads_and_renders_with_its_declared_variables():
    names = prompts.available()
    assert "system/direct" in names
    for name in names:
        prompt = prompts.load(name)
        text = prompt.render(**(prompt.example or {v: "X" for v in prompt.variables}))
        assert text.strip(), name


def test_missing_variable_is_named():
    with pytest.raises(prompts.PromptError, match="needs limit"):
        prompts.render("guard/oversized_input", length=5)


def test_unknown_prompt_lists_available():
    with pytest.raises(prompts.PromptError, match="no prompt named 'nope'.*system/direct"):
        prompts.load("nope")


def test_render_fills_values():
    assert "20001" in prompts.render("guard/oversized_input", length=20001, limit=16000)
