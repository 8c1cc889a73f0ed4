import json

import pytest

from training.registry import Registry, RegistryError, verify_files


def staged_version(registry, name="demo", payload=b"weights"):
    staging = registry.stage(name)
    (staging / "adapter_config.json").write_text(json.dumps({"r": 8}))
    (staging / "adapter_model.safetensors").write_bytes(payload)
    return registry.commit(name, staging, {"name": name, "base_model": {"id": "base"}})


def test_versions_count_up_and_promote_rollback_move_the_pointer(tmp_path):
    registry = Registry(tmp_path)
    v1, v2 = staged_version(registry), staged_version(registry)
    assert (v1.version, v2.version) == ("v1", "v2")
    assert registry.current("demo") is None
    registry.promote("demo", "v1")
    registry.promote("demo", "v2")
    assert registry.current("demo").version == "v2"
    assert registry.rollback("demo").version == "v1"
    assert registry.current("demo").version == "v1"
    with pytest.raises(RegistryError, match="no earlier promoted version"):
        registry.rollback("demo")


def test_failed_check_leaves_current_untouched(tmp_path):
    registry = Registry(tmp_path)
    staged_version(registry)
    staged_version(registry)
    registry.promote("demo", "v1")

    def refuse(entry):
        raise RegistryError("worse than current")

    with pytest.raises(RegistryError, match="worse"):
        registry.promote("demo", "v2", check=refuse)
    assert registry.current("demo").version == "v1"


def test_incomplete_staging_is_never_registered(tmp_path):
    registry = Registry(tmp_path)
    staging = registry.stage("demo")
    (staging / "adapter_config.json").write_text("{}")
    with pytest.raises(RegistryError, match="lacks adapter_model.safetensors"):
        registry.commit("demo", staging, {})
    assert registry.versions("demo") == []


def test_manifest_records_checksums_and_verify_catches_corruption(tmp_path):
    registry = Registry(tmp_path)
    entry = staged_version(registry)
    assert set(entry.manifest["files"]) == {"adapter_config.json", "adapter_model.safetensors"}
    (entry.path / "adapter_model.safetensors").write_bytes(b"weigh")  # truncated
    problems = verify_files(entry)
    assert any("checksum differs" in p for p in problems)


def test_remove_refuses_current_and_errors_name_versions(tmp_path):
    registry = Registry(tmp_path)
    staged_version(registry)
    staged_version(registry)
    registry.promote("demo", "v2")
    with pytest.raises(RegistryError, match="is current"):
        registry.remove("demo", "v2")
    registry.remove("demo", "v1")
    assert registry.versions("demo") == ["v2"]
    with pytest.raises(RegistryError, match="versions: v2"):
        registry.get("demo", "v9")
    with pytest.raises(RegistryError, match="registered adapters: demo"):
        registry.get("other")
    with pytest.raises(RegistryError, match="not valid"):
        registry.get("../escape")
