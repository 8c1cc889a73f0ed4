"""``python -m training.merge NAME [--version V] --out DIR``: a full model with the adapter merged in."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from training.base_model import resolve_base
from training.registry import Registry, RegistryError


def merge(name: str, version: str | None, out: Path) -> Path:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    entry = Registry().get(name, version)
    path, _ = resolve_base(entry.manifest["base_model"]["spec"])
    if out.exists() and any(out.iterdir()):
        raise RegistryError(f"{out} is not empty; choose a new folder for the merged model.")
    staging = out.with_name(f".{out.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, str(entry.path)).merge_and_unload()
    merged.save_pretrained(staging, safe_serialization=True)
    AutoTokenizer.from_pretrained(path).save_pretrained(staging)
    if out.exists():
        out.rmdir()
    staging.rename(out)  # the folder appears only when complete
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.merge", description=__doc__)
    parser.add_argument("name")
    parser.add_argument("--version", default=None, help="version to merge (default: current)")
    parser.add_argument("--out", required=True, type=Path, help="folder for the merged model")
    args = parser.parse_args(argv)
    try:
        out = merge(args.name, args.version, args.out)
    except RegistryError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"merged model written to {out}; chat with it: python -m graph.chat --model {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
