import pytest

from graph.context import Context, ContextError
from tools.settings import SettingsError, get_settings


def test_settings_follow_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TAILOR_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.delenv("TAILOR_MODELS_DIR")
    monkeypatch.setenv("TAILOR_PORT", "3111")
    settings = get_settings()
    assert settings.data_dir == tmp_path / "d"
    assert settings.models_dir == settings.data_dir / "models"
    assert settings.port == 3111


def test_bad_setting_names_variable(monkeypatch):
    monkeypatch.setenv("TAILOR_MAX_NEW_TOKENS", "lots")
    with pytest.raises(SettingsError, match="TAILOR_MAX_NEW_TOKENS='lots' is not a whole number"):
        get_settings()


def test_context_defaults_come_from_settings(monkeypatch):
    monkeypatch.setenv("TAILOR_MAX_NEW_TOKENS", "77")
    monkeypatch.setenv("TAILOR_TEMPERATURE", "0.5")
    ctx = Context()
    assert (ctx.max_new_tokens, ctx.temperature, ctx.strategy) == (77, 0.5, "auto")


def test_unknown_strategy_names_valid_values():
    with pytest.raises(ContextError) as err:
        Context(strategy="telepathy")
    assert "telepathy" in str(err.value) and "auto" in str(err.value) and "direct" in str(err.value)


@pytest.mark.parametrize(
    "field,value",
    [
        ("k", 0),
        ("k", "3"),
        ("temperature", -1.0),
        ("temperature", 9),
        ("max_new_tokens", 0),
        ("max_new_tokens", True),
        ("model", ""),
    ],
)
def test_bad_fields_are_rejected_by_name(field, value):
    with pytest.raises(ContextError, match=field):
        Context(**{field: value})


def test_unknown_context_key_lists_valid_fields():
    with pytest.raises(ContextError, match="unknown context field.*colour.*valid fields: adapter"):
        Context.from_mapping({"colour": "red"})
