"""Learning from single thumbs (KTO): ``python -m training.kto --data thumbs.jsonl --name NAME``.

Rows are unpaired: a prompt, one answer and a label (true: a good answer, false: a bad one), as
``python -m training.feedback export --kto`` writes them from every thumbs-up and thumbs-down and
every answer the output rails replaced. No pairs needed, unlike DPO. The rarer side is weighted up
by the counts unless ``--desirable-weight``/``--undesirable-weight`` say otherwise. Starts from the
base model or, with ``--from-adapter``, from an SFT adapter (trainable; the reference is the same
weights with the adapter disabled). Registered, verified and gated like every version.
"""

from __future__ import annotations

import time

import prompts
from training.base_model import fingerprint, load_base, resolve_base
from training.config import KTORunConfig
from training.formats import balance_weights, load_unpaired
from training.registry import Registry, check_name
from training.runner import (TrainingError, callbacks, fit, lora_config, register, resume_checkpoint, run_cli, split,
                             trainer_arguments, wants_4bit)


def train(config: KTORunConfig):
    from trl import KTOConfig, KTOTrainer

    check_name(config.name)
    if config.batch_size < 2:
        raise TrainingError("--batch-size must be at least 2 for KTO: its KL term pairs answers within a batch.")
    started = time.perf_counter()
    rows, stats = load_unpaired(config.data, system_prompt=prompts.render("system/direct"))
    labels = [row["label"] for row in rows]
    good, bad = sum(labels), len(labels) - sum(labels)
    if not good and not bad:
        raise TrainingError("no rows to learn from.")
    auto_good, auto_bad = balance_weights(labels)
    desirable = config.desirable_weight or auto_good
    undesirable = config.undesirable_weight or auto_bad
    print(f"data: {stats.kept} rows kept of {stats.rows} ({good} good, {bad} bad; weights {desirable} / {undesirable}; "
          f"{stats.dropped_duplicates} duplicates, {stats.dropped_empty} empty dropped) from {', '.join(stats.files)}")
    train_set, eval_set = split(rows, config.eval_split, config.seed)
    resume = resume_checkpoint(config, "kto")
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
    args = KTOConfig(beta=config.beta, desirable_weight=desirable, undesirable_weight=undesirable,
                     **trainer_arguments(config, "kto", eval_set is not None))
    trainer = KTOTrainer(model=model, ref_model=None, args=args, train_dataset=train_set, eval_dataset=eval_set,
                         processing_class=tokenizer, peft_config=peft_config,
                         callbacks=callbacks(config, eval_set is not None))
    fit(trainer, resume)
    history = trainer.state.log_history
    margins = [e["rewards/margins"] for e in history if "rewards/margins" in e]
    extra = {
        "resumed_from": resume,
        "beta": config.beta,
        "desirable": good, "undesirable": bad,
        "desirable_weight": desirable, "undesirable_weight": undesirable,
        "from_adapter": f"{start_adapter.name}:{start_adapter.version}" if start_adapter else None,
        "reward_margins": [{"step": e["step"], "margin": e["rewards/margins"]} for e in history if "rewards/margins" in e],
        "first_margin": margins[0] if margins else None,
        "final_margin": margins[-1] if margins else None,
    }
    base = {"spec": config.base, "id": model_id, "fingerprint": fingerprint(path), "load_in_4bit": four_bit}
    return register(trainer, config, "kto", base, stats, started, extra)


def main(argv: list[str] | None = None) -> int:
    return run_cli(KTORunConfig, train, argv, "python -m training.kto")


if __name__ == "__main__":
    raise SystemExit(main())
