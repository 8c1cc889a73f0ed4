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
from training.config import KTORunConfig
from training.formats import balance_weights, load_unpaired
from training.registry import check_name
from training.runner import (
    TrainingError,
    callbacks,
    fit,
    prepare_start,
    register,
    reward_margins,
    run_cli,
    split,
    trainer_arguments,
)


def train(config: KTORunConfig):
    from trl import KTOConfig, KTOTrainer

    check_name(config.name)
    if config.batch_size < 2:
        raise TrainingError("--batch-size must be at least 2 for KTO: its KL term pairs answers within a batch.")
    started = time.perf_counter()
    rows, stats = load_unpaired(config.data, system_prompt=prompts.render("system/direct"))
    labels = [row["label"] for row in rows]
    good, bad = sum(labels), len(labels) - sum(labels)
    auto_good, auto_bad = balance_weights(labels)
    desirable = config.desirable_weight or auto_good
    undesirable = config.undesirable_weight or auto_bad
    print(
        f"data: {stats.kept} rows kept of {stats.rows} ({good} good, {bad} bad; weights {desirable} / {undesirable}; "
        f"{stats.dropped_duplicates} duplicates, {stats.dropped_empty} empty dropped) from {', '.join(stats.files)}"
    )
    train_set, eval_set = split(rows, config.eval_split, config.seed)
    start = prepare_start(config, "kto")
    args = KTOConfig(
        beta=config.beta,
        desirable_weight=desirable,
        undesirable_weight=undesirable,
        **trainer_arguments(config, "kto", eval_set is not None),
    )
    trainer = KTOTrainer(
        model=start.model,
        ref_model=None,
        args=args,
        train_dataset=train_set,
        eval_dataset=eval_set,
        processing_class=start.tokenizer,
        peft_config=start.peft_config,
        callbacks=callbacks(config, eval_set is not None),
    )
    fit(trainer, start.resume)
    extra = {
        "resumed_from": start.resume,
        "beta": config.beta,
        "desirable": good,
        "undesirable": bad,
        "desirable_weight": desirable,
        "undesirable_weight": undesirable,
        "from_adapter": start.continued(),
        **reward_margins(trainer.state.log_history),
    }
    return register(trainer, config, "kto", start.base, stats, started, extra)


def main(argv: list[str] | None = None) -> int:
    return run_cli(KTORunConfig, train, argv, "python -m training.kto")


if __name__ == "__main__":
    raise SystemExit(main())
