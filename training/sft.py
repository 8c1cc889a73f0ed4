"""Supervised fine-tuning with LoRA/QLoRA: ``python -m training.sft [--config F.yaml] [flags]``.

Thin over trl's SFTTrainer; ``--help`` lists every field of :class:`SFTRunConfig`.
"""

from __future__ import annotations

import time

import prompts
from training.base_model import fingerprint, load_base, resolve_base
from training.config import SFTRunConfig
from training.formats import load_sft
from training.registry import check_name
from training.runner import (callbacks, fit, run_cli, lora_config, register, resume_checkpoint, split,
                             trainer_arguments, wants_4bit)


def train(config: SFTRunConfig):
    from trl import SFTConfig, SFTTrainer

    check_name(config.name)
    started = time.perf_counter()
    rows, stats = load_sft(config.data, system_prompt=prompts.render("system/direct"))
    print(f"data: {stats.kept} rows kept of {stats.rows} ({stats.dropped_duplicates} duplicates, "
          f"{stats.dropped_empty} empty dropped) from {', '.join(stats.files)}")
    train_set, eval_set = split(rows, config.eval_split, config.seed)
    resume = resume_checkpoint(config, "sft")
    path, model_id = resolve_base(config.base)
    four_bit = wants_4bit(config)
    model, tokenizer = load_base(path, load_in_4bit=four_bit)
    args = SFTConfig(packing=config.packing, **trainer_arguments(config, "sft", eval_set is not None))
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=train_set,
        eval_dataset=eval_set,
        processing_class=tokenizer,
        peft_config=lora_config(config),
        callbacks=callbacks(config, eval_set is not None),
    )
    fit(trainer, resume)
    if eval_set is not None:
        trainer.evaluate()
    base = {"spec": config.base, "id": model_id, "fingerprint": fingerprint(path), "load_in_4bit": four_bit}
    return register(trainer, config, "sft", base, stats, started, {"resumed_from": resume})


def main(argv: list[str] | None = None) -> int:
    return run_cli(SFTRunConfig, train, argv, "python -m training.sft")


if __name__ == "__main__":
    raise SystemExit(main())
