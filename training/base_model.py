"""Base models for training: resolve a spec to files, fingerprint them, load them (optionally 4-bit)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

FINGERPRINT_CACHE = ".tailor-fingerprint.json"


def resolve_base(spec: str) -> tuple[str, str]:
    """(path or hub id to load, model id to record) for a base-model spec."""
    if spec in ("", "default"):
        from tools.default_model import MODEL_ID, prepare

        return str(prepare()), MODEL_ID
    spec = spec[3:] if spec.startswith("hf:") else spec
    return spec, spec


def fingerprint(path: str) -> str:
    """sha256 over the weight files of a local model (cached beside them by size and mtime)."""
    folder = Path(path)
    if not folder.is_dir():
        return f"hub:{path}"  # a hub id: nothing local to hash
    files = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("*.bin"))
    stamp = [[f.name, f.stat().st_size, f.stat().st_mtime_ns] for f in files]
    cache = folder / FINGERPRINT_CACHE
    if cache.is_file():
        cached = json.loads(cache.read_text())
        if cached.get("stamp") == stamp:
            return cached["sha256"]
    digest = hashlib.sha256()
    for f in files:
        with f.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
    value = digest.hexdigest()
    try:
        cache.write_text(json.dumps({"stamp": stamp, "sha256": value}))
    except OSError:
        pass  # a read-only model folder is fine; we just hash again next time
    return value


def bnb_4bit_config() -> Any:
    """QLoRA's quantisation: NF4 weights, double quantisation, bf16 compute."""
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=True,
        bnb_4bit_compute_dtype=torch.bfloat16,
    )


def load_base(path: str, load_in_4bit: bool = False) -> tuple[Any, Any]:
    """(model, tokenizer) ready for peft. The tokenizer is never given new tokens."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        # Reuse EOS for padding rather than adding a token: adding one would resize the
        # embeddings and make the adapter unloadable on the plain base model.
        tokenizer.pad_token = tokenizer.eos_token
    kwargs: dict[str, Any] = {}
    if load_in_4bit:
        kwargs["quantization_config"] = bnb_4bit_config()
        kwargs["dtype"] = torch.bfloat16
    else:
        kwargs["dtype"] = torch.bfloat16 if torch.cuda.is_available() else torch.float32
    if torch.cuda.is_available():
        kwargs["device_map"] = {"": torch.cuda.current_device()}
    model = AutoModelForCausalLM.from_pretrained(path, **kwargs)
    if load_in_4bit:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    return model, tokenizer


def load_reward_base(path: str) -> tuple[Any, Any]:
    """(model with a one-output score head, tokenizer) for reward training; padding is EOS as for the LM."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=1, dtype=torch.bfloat16 if torch.cuda.is_available() else torch.float32
    )
    model.config.pad_token_id = tokenizer.pad_token_id  # the head reads the last token that is not padding
    return model, tokenizer


def reward_of(model: Any, tokenizer: Any, messages: list[dict[str, str]]) -> float:
    """A reward model's score for one conversation (its last turn is the answer being judged)."""
    import torch

    ids = tokenizer.apply_chat_template(messages, return_tensors="pt", return_dict=True)
    with torch.inference_mode():
        return float(model(**{k: v.to(model.device) for k, v in ids.items()}).logits[0, 0])


def load_reward_model(entry: Any) -> tuple[Any, Any]:
    """(scoring model in eval mode, tokenizer) for a registered version of kind ``reward``."""
    from peft import PeftModel

    path, _ = resolve_base(entry.manifest.get("base_model", {}).get("spec", "default"))
    model, tokenizer = load_reward_base(path)
    return PeftModel.from_pretrained(model, str(entry.path)).eval(), tokenizer
