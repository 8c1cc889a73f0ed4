import pytest

from training.config import DPORunConfig, SFTRunConfig, normalise_argv, parse


def test_repeated_data_and_bare_flags():
    argv = normalise_argv(["--data", "a.jsonl", "--name", "n", "--data", "b.jsonl", "--resume", "--load-in-4bit"])
    config = parse(SFTRunConfig, argv, "sft")
    assert config.data == ["a.jsonl", "b.jsonl"]
    assert config.resume == "latest" and config.load_in_4bit == "true" and config.name == "n"


def test_yaml_config_with_cli_override(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("name: from-yaml\nlora_r: 4\nlr: 0.001\nmax_steps: 7\n")
    config = parse(SFTRunConfig, ["--config", str(path), "--lora-r", "8"], "sft")
    assert (config.name, config.lora_r, config.lr, config.max_steps) == ("from-yaml", 8, 0.001, 7)


def test_defaults_use_bundled_data():
    assert SFTRunConfig().data[0].endswith("training/data/sft.jsonl")
    dpo = DPORunConfig()
    assert dpo.data[0].endswith("training/data/preferences.jsonl") and dpo.lr == 5e-5


def test_help_documents_every_field(capsys):
    with pytest.raises(SystemExit):
        parse(DPORunConfig, ["--help"], "python -m training.dpo")
    text = capsys.readouterr().out
    for flag in [
        "--data",
        "--name",
        "--base",
        "--max-steps",
        "--epochs",
        "--lr",
        "--lora-r",
        "--lora-alpha",
        "--lora-dropout",
        "--target-modules",
        "--load-in-4bit",
        "--eval-split",
        "--early-stopping-patience",
        "--resume",
        "--report-to",
        "--from-adapter",
        "--loss",
        "--beta",
    ]:
        assert flag in text or flag.replace("-", "_").replace("__", "--") in text, flag
