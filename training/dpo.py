"""Preference tuning: ``python -m training.dpo --data prefs.jsonl --name NAME [--method dpo|orpo|simpo]``.

Starts from the base model, or with ``--from-adapter`` from an SFT adapter's current version,
whose LoRA weights are loaded *trainable* (a frozen adapter would leave DPO nothing to learn).
DPO (and IPO, hinge, ... with ``--loss``): the reference model is the same weights with the adapter
disabled, as trl does for peft models. ORPO (trl's ORPOTrainer) does SFT and preference in one run,
and SimPO (CPOTrainer with the simpo loss) normalises rewards by length; neither needs a reference.
"""

from __future__ import annotations

import time

import prompts
from training.base_model import fingerprint, load_base, resolve_base
from training.config import DPORunConfig
from training.formats import load_preferences
from training.registry import Registry, check_name
from training.runner import (TrainingError, callbacks, fit, run_cli, lora_config, register, resume_checkpoint, split,
                             trainer_arguments, wants_4bit)


def train(config: DPORunConfig):
    from trl import DPOConfig, DPOTrainer

    check_name(config.name)
    started = time.perf_counter()
    rows, stats = load_preferences(config.data, system_prompt=prompts.render("system/direct"))
    print(f"data: {stats.kept} pairs kept of {stats.rows} ({stats.dropped_duplicates} duplicates, "
          f"{stats.dropped_empty} empty or identical dropped) from {', '.join(stats.files)}")
    train_set, eval_set = split(rows, config.eval_split, config.seed)
    resume = resume_checkpoint(config, config.method)
    start_adapter = None
    if config.from_adapter:
        start_adapter = Registry().get(check_name(config.from_adapter))
        base_spec = start_adapter.manifest["base_model"]["spec"]
        if config.base not in ("default", base_spec):
            raise TrainingError(f"--from-adapter {config.from_adapter} was trained on {base_spec!r}, not {config.base!r}.")
        config.base = base_spec
    path, model_id = resolve_base(config.base)
    four_bit = wants_4bit(config)
    model, tokenizer = load_base(path, load_in_4bit=four_bit)
    peft_config = lora_config(config)
    if start_adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(start_adapter.path), is_trainable=True)
        peft_config = None  # the adapter is already attached
    common = dict(args=None, train_dataset=train_set, eval_dataset=eval_set, processing_class=tokenizer,
                  peft_config=peft_config, callbacks=callbacks(config, eval_set is not None))
    targs = trainer_arguments(config, config.method, eval_set is not None)
    if config.method == "orpo":
        from trl.experimental.orpo import ORPOConfig, ORPOTrainer

        trainer = ORPOTrainer(model=model, **{**common, "args": ORPOConfig(beta=config.beta, **targs)})
    elif config.method == "simpo":
        from trl.experimental.cpo import CPOConfig, CPOTrainer

        # SimPO is CPO's trainer with its loss and no behaviour-cloning term (cpo_alpha 0).
        args = CPOConfig(loss_type="simpo", cpo_alpha=0.0, simpo_gamma=config.simpo_gamma, beta=config.beta, **targs)
        trainer = CPOTrainer(model=model, **{**common, "args": args})
    else:
        args = DPOConfig(loss_type=[config.loss], beta=config.beta, **targs)
        trainer = DPOTrainer(model=model, ref_model=None, **{**common, "args": args})
    fit(trainer, resume)
    history = trainer.state.log_history
    margins = [e["rewards/margins"] for e in history if "rewards/margins" in e]
    extra = {
        "resumed_from": resume,
        "method": config.method,
        "loss_type": config.loss if config.method == "dpo" else config.method,
        **({"simpo_gamma": config.simpo_gamma} if config.method == "simpo" else {}),
        "beta": config.beta,
        "from_adapter": f"{start_adapter.name}:{start_adapter.version}" if start_adapter else None,
        "reward_margins": [{"step": e["step"], "margin": e["rewards/margins"]} for e in history if "rewards/margins" in e],
        "first_margin": margins[0] if margins else None,
        "final_margin": margins[-1] if margins else None,
    }
    base = {"spec": config.base, "id": model_id, "fingerprint": fingerprint(path), "load_in_4bit": four_bit}
    return register(trainer, config, config.method, base, stats, started, extra)


def main(argv: list[str] | None = None) -> int:
    return run_cli(DPORunConfig, train, argv, "python -m training.dpo")


if __name__ == "__main__":
    raise SystemExit(main())
