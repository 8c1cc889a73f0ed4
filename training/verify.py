"""Check that an adapter version is whole, belongs to its base, loads, and passes the gate."""

from __future__ import annotations

import importlib
import math
from typing import Any

from training.base_model import fingerprint, resolve_base
from training.registry import AdapterVersion, RegistryError, verify_files


def verify_loads(entry: AdapterVersion) -> list[str]:
    """Problems found by loading the adapter on its base and running one forward pass."""
    problems = verify_files(entry)
    if problems:
        return problems
    manifest = entry.manifest
    base = manifest.get("base_model", {})
    path, _ = resolve_base(base.get("spec", "default"))
    actual = fingerprint(path)
    if base.get("fingerprint") and actual != base["fingerprint"]:
        return [
            f"{entry.name} {entry.version} was trained on a different base ({base.get('id')} with fingerprint "
            f"{base['fingerprint'][:12]}..., the local one is {actual[:12]}...)"
        ]
    try:
        import torch
        from peft import PeftModel
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if manifest.get("kind") == "reward":  # a score head over the base, not a language model
            from training.base_model import load_reward_model

            peft_model, tokenizer = load_reward_model(entry)
        else:
            model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
            tokenizer = AutoTokenizer.from_pretrained(path)
            peft_model = PeftModel.from_pretrained(model, str(entry.path))
        ids = tokenizer("Hello", return_tensors="pt")
        with torch.inference_mode():
            logits = peft_model(**ids).logits
        if not math.isfinite(float(logits.abs().max())):
            return [f"{entry.name} {entry.version}: the adapter produces non-finite outputs"]
    except Exception as err:  # noqa: BLE001 - any load failure makes the version unusable
        return [f"{entry.name} {entry.version} does not load on {base.get('id')}: {err}"]
    return []


EVAL_GATE = "evals.gate:check"  # looked up by name: training never imports evals


def run_gate(entry: AdapterVersion, gate: str, **options: Any) -> None:
    """Call the gate ``module:function(entry, **options)``; it raises when the version is worse."""
    module_name, _, func_name = gate.partition(":")
    try:
        func: Any = getattr(importlib.import_module(module_name), func_name)
    except (ImportError, AttributeError) as err:
        raise RegistryError(f"eval gate {gate!r} cannot be found ({err}); write it as module:function.") from err
    func(entry, **options)


def eval_gate_options(suite: str, metric: str, tolerance: float, limit: int, judge: str = "") -> dict[str, Any] | None:
    """What ``evals.gate:check`` takes, from a training config's or the CLI's gate fields (None: no eval gate)."""
    if not suite:
        return None
    return {
        "suite": suite,
        "metric": metric,
        "tolerance": tolerance,
        "limit": limit,
        **({"judge": judge} if judge else {}),
    }


def verify_or_raise(entry: AdapterVersion, gate: str = "", gate_options: dict[str, Any] | None = None) -> None:
    """Files, base and loading first; then the custom gate and the eval gate, when configured."""
    problems = verify_loads(entry)
    if problems:
        raise RegistryError("; ".join(problems))
    if gate:
        run_gate(entry, gate)
    if gate_options and gate_options.get("suite"):
        run_gate(entry, EVAL_GATE, **gate_options)
