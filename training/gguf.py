"""GGUF files for llama.cpp, written with llama.cpp's own converters and quantiser.

The converters (``convert_lora_to_gguf.py``, ``convert_hf_to_gguf.py`` with their ``conversion``
package and ``gguf-py``) ship in llama-cpp-python's sdist, not in its wheel: the sdist of the
installed version is fetched once with pip (a package registry, never a model hub) and the
scripts are kept under ``TAILOR_DATA_DIR/models/llama.cpp-<version>``.

Every file is written beside its target under a temporary name and renamed when complete, so a
failed conversion never leaves half a file; each adapter GGUF has a sidecar with its checksum,
checked before llama.cpp reads it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

from tools.checksums import sha256_file
from tools.filelock import exclusive
from tools.gguf_quantize import QuantizeError
from tools.gguf_quantize import quantize as quantize_gguf
from tools.settings import get_settings
from tools.wheels import pip_download

log = logging.getLogger(__name__)

ADAPTER_GGUF = "adapter.gguf"
SIDECAR = "adapter.gguf.json"
_SCRIPTS = ("convert_lora_to_gguf.py", "convert_hf_to_gguf.py")
_FOLDERS = ("conversion", "gguf-py")


class GGUFError(RuntimeError):
    """A GGUF file could not be written or is not what it should be; the message says why."""


def llama_cpp_version() -> str:
    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        raise GGUFError("llama-cpp-python is not installed; run `make install`.") from None


def converters() -> Path:
    """The folder with llama.cpp's conversion scripts for the installed llama-cpp-python (fetched once)."""
    version = llama_cpp_version()
    target = get_settings().models_dir / f"llama.cpp-{version}"
    if (target / _SCRIPTS[0]).is_file():
        return target
    with exclusive(target.parent / f".llama.cpp-{version}.lock"):
        if (target / _SCRIPTS[0]).is_file():
            return target
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".llama.cpp-") as tmp:
            result = pip_download(f"llama-cpp-python=={version}", Path(tmp), "--no-binary", ":all:", "--quiet")
            archives = list(Path(tmp).glob("llama_cpp_python-*.tar.gz"))
            if result.returncode != 0 or not archives:
                raise GGUFError(
                    f"pip could not download the llama-cpp-python {version} sdist for its converters "
                    f"(exit {result.returncode}): {result.stderr.strip()[-1500:]}\n"
                    "Check that PyPI is reachable, then run `make setup` again."
                )
            staged = Path(tmp) / "staged"
            with tarfile.open(archives[0]) as archive:
                root = archive.getnames()[0].split("/")[0] + "/vendor/llama.cpp/"
                wanted = [
                    m
                    for m in archive.getmembers()
                    if m.name.startswith(root)
                    and m.isfile()
                    and (m.name[len(root) :] in _SCRIPTS or m.name[len(root) :].split("/")[0] in _FOLDERS)
                ]
                for member in wanted:
                    member.name = member.name[len(root) :]
                    archive.extract(member, staged, filter="data")
            if not (staged / _SCRIPTS[0]).is_file():
                raise GGUFError(f"the llama-cpp-python {version} sdist has no {_SCRIPTS[0]}")
            if target.exists():
                shutil.rmtree(target)
            staged.rename(target)
    log.info("llama.cpp converters ready at %s", target)
    return target


def run_converter(script: str, args: list[str]) -> None:
    folder = converters()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(folder / "gguf-py"), str(folder)]),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    result = subprocess.run([sys.executable, str(folder / script), *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise GGUFError(f"{script} failed (exit {result.returncode}):\n{result.stderr.strip()[-2000:]}")


def _sidecar_ok(folder: Path) -> bool:
    gguf, sidecar = folder / ADAPTER_GGUF, folder / SIDECAR
    if not (gguf.is_file() and sidecar.is_file()):
        return False
    try:
        recorded = json.loads(sidecar.read_text())
    except json.JSONDecodeError:
        return False
    source = folder / "adapter_model.safetensors"
    return recorded.get("sha256") == sha256_file(gguf) and recorded.get("source_sha256") == (
        sha256_file(source) if source.is_file() else None
    )


def check_adapter_gguf(folder: Path) -> Path:
    """The version's adapter GGUF, refused when it differs from what was written for this version."""
    gguf = folder / ADAPTER_GGUF
    if not _sidecar_ok(folder):
        raise GGUFError(
            f"{gguf} does not match its checksum record {folder / SIDECAR} (corrupted, replaced or "
            "written for other weights); delete both files and it is converted again on next use."
        )
    return gguf


def adapter_gguf(folder: Path, base_folder: Any = None) -> Path:
    """The GGUF LoRA of a registry version (a peft folder), converted on first use and checked on every use.

    ``base_folder`` is the transformers folder of the base model (its config is all the converter
    reads); a runtime may be passed, whose ``name`` is that folder.
    """
    folder = Path(folder)
    gguf = folder / ADAPTER_GGUF
    if gguf.exists() or (folder / SIDECAR).exists():
        return check_adapter_gguf(folder)
    base = _base_folder(folder, base_folder)
    with exclusive(folder.parent / f".{folder.name}.gguf.lock"):
        if gguf.exists():
            return check_adapter_gguf(folder)
        partial = folder / f".{ADAPTER_GGUF}.partial"
        try:
            run_converter(
                "convert_lora_to_gguf.py",
                ["--base", str(base), "--outtype", "f32", "--outfile", str(partial), str(folder)],
            )
            source = folder / "adapter_model.safetensors"
            record = {
                "sha256": sha256_file(partial),
                "source_sha256": sha256_file(source),
                "converter": f"llama-cpp-python {llama_cpp_version()}",
            }
            sidecar_partial = folder / f".{SIDECAR}.partial"
            sidecar_partial.write_text(json.dumps(record, indent=2))
            partial.rename(gguf)
            sidecar_partial.rename(folder / SIDECAR)
        finally:
            for leftover in (partial, folder / f".{SIDECAR}.partial"):
                leftover.unlink(missing_ok=True)
    log.info("wrote %s", gguf)
    return gguf


def write_at_promotion(folder: Path) -> Path | None:
    """The promoted version's GGUF LoRA, so llama.cpp serves it at once.

    A failure is reported and left to the first use (which converts again), never a reason to refuse the promotion.
    """
    try:
        llama_cpp_version()
        return adapter_gguf(folder)
    except GGUFError as err:
        log.warning("no GGUF adapter for %s yet: %s", folder, err)
        return None


def _base_folder(folder: Path, base: Any) -> Path:
    """The base model's transformers folder: the one given (a folder or a runtime), else the manifest's.

    The manifest names it by spec, resolved as merge and verify resolve it.
    """
    name = getattr(base, "name", base)
    if name and Path(str(name)).is_dir():
        return Path(str(name))
    from training.base_model import resolve_base

    manifest = json.loads((folder / "manifest.json").read_text()) if (folder / "manifest.json").is_file() else {}
    path, _ = resolve_base(manifest.get("base_model", {}).get("spec", "default"))
    return Path(path)


def merged_gguf(model_folder: Path, out: Path, outtype: str = "f16") -> Path:
    """A transformers model folder as one GGUF file (llama.cpp's ``convert_hf_to_gguf.py``)."""
    partial = out.with_name(f".{out.name}.partial")
    try:
        run_converter("convert_hf_to_gguf.py", ["--outtype", outtype, "--outfile", str(partial), str(model_folder)])
        partial.rename(out)
    finally:
        partial.unlink(missing_ok=True)
    return out


def quantize(source: Path, out: Path, kind: str = "q8_0", threads: int = 0) -> Path:
    """Requantise a GGUF model with llama.cpp's quantiser."""
    try:
        return quantize_gguf(source, out, kind, threads)
    except QuantizeError as err:
        raise GGUFError(str(err)) from None


def main(argv: list[str] | None = None) -> int:
    """``python -m training.gguf setup``: fetch the converters now (``make setup`` does)."""
    import argparse

    parser = argparse.ArgumentParser(description="llama.cpp's GGUF converters for Tailor.")
    parser.add_argument("command", choices=["setup"])
    parser.parse_args(argv)
    try:
        print(f"llama.cpp converters at {converters()}")
    except GGUFError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
