"""Supervised fine-tuning with LoRA/QLoRA: ``python -m training.sft [--config F.yaml] [flags]``.

Thin over trl's SFTTrainer; ``--help`` lists every field of :class:`SFTRunConfig`.
"""

from __future__ import annotations

import time

import prompts
from training.config import SFTRunConfig
from training.formats import load_sft
from training.registry import check_name
from training.runner import callbacks, fit, prepare_start, register, run_cli, split, trainer_arguments


def train(config: SFTRunConfig):
    from trl import SFTConfig, SFTTrainer

    check_name(config.name)
    started = time.perf_counter()
    rows, stats = load_sft(config.data, system_prompt=prompts.render("system/direct"))
    print(
        f"data: {stats.kept} rows kept of {stats.rows} ({stats.dropped_duplicates} duplicates, "
        f"{stats.dropped_empty} empty dropped) from {', '.join(stats.files)}"
    )
    train_set, eval_set = split(rows, config.eval_split, config.seed)
    start = prepare_start(config, "sft")
    args = SFTConfig(packing=config.packing, **trainer_arguments(config, "sft", eval_set is not None))
    trainer = SFTTrainer(
        model=start.model,
        args=args,
        train_dataset=train_set,
        eval_dataset=eval_set,
        processing_class=start.tokenizer,
        peft_config=start.peft_config,
        callbacks=callbacks(config, eval_set is not None),
    )
    fit(trainer, start.resume)
    if eval_set is not None:
        trainer.evaluate()
    return register(
        trainer,
        config,
        "sft",
        start.base,
        stats,
        started,
        {"resumed_from": start.resume, "from_adapter": start.continued()},
    )


def main(argv: list[str] | None = None) -> int:
    return run_cli(SFTRunConfig, train, argv, "python -m training.sft")


if __name__ == "__main__":
    raise SystemExit(main())
