"""A reward model: ``python -m training.reward --data prefs.jsonl --name NAME``.

LoRA on the base with a one-output score head (trl's RewardTrainer, Bradley-Terry loss: the chosen
answer should score above the rejected one), on the same preference pairs DPO reads (the feedback
export's ``--dpo`` file, or ``training/data/preferences.jsonl``). A quarter of the pairs is held out
(``--eval-split``) and the version's manifest reports how many of them it ranks the right way round
(``heldout_pair_accuracy``), beside the loss curve. Registered, verified and promoted like every
version (kind ``reward``); the agent uses it with ``select: "reward"`` and ``reward_model: NAME`` in a
run's context (self-consistency keeps the highest-scoring sample instead of the majority answer).
"""

from __future__ import annotations

import time
from typing import Any

from training.config import RewardRunConfig
from training.registry import check_name
from training.runner import (
    callbacks,
    fit,
    lora_config,
    preference_rows,
    register,
    resume_checkpoint,
    run_cli,
    split,
    trainer_arguments,
)


def pair_scores(model: Any, tokenizer: Any, rows: Any) -> list[tuple[float, float]]:
    """(chosen, rejected) scores for each pair, one forward pass per answer."""
    from training.base_model import reward_of

    model.eval()
    return [
        (
            reward_of(model, tokenizer, row["prompt"] + row["chosen"]),
            reward_of(model, tokenizer, row["prompt"] + row["rejected"]),
        )
        for row in rows
    ]


def train(config: RewardRunConfig):
    from trl import RewardConfig, RewardTrainer

    from training.base_model import fingerprint, load_reward_base, resolve_base

    check_name(config.name)
    started = time.perf_counter()
    rows, stats = preference_rows(config.data)
    train_set, eval_set = split(rows, config.eval_split, config.seed)
    path, model_id = resolve_base(config.base)
    model, tokenizer = load_reward_base(path)
    args = RewardConfig(
        center_rewards_coefficient=config.center_rewards_coefficient or None,
        **trainer_arguments(config, "reward", eval_set is not None),
    )
    trainer = RewardTrainer(
        model=model,
        args=args,
        train_dataset=train_set,
        eval_dataset=eval_set,
        processing_class=tokenizer,
        peft_config=lora_config(config, task_type="SEQ_CLS"),
        callbacks=callbacks(config, eval_set is not None),
    )
    fit(trainer, resume_checkpoint(config, "reward"))
    extra: dict[str, Any] = {"heldout_pairs": len(eval_set) if eval_set is not None else 0}
    if eval_set is not None:
        scores = pair_scores(trainer.model, tokenizer, eval_set)
        extra["heldout_pair_accuracy"] = round(sum(c > r for c, r in scores) / len(scores), 4)
        extra["heldout_mean_margin"] = round(sum(c - r for c, r in scores) / len(scores), 4)
        print(
            f"held-out pairs ranked right: {extra['heldout_pair_accuracy']:.2%} of {len(scores)} "
            f"(mean margin {extra['heldout_mean_margin']:+.3f})"
        )
    base = {"spec": config.base, "id": model_id, "fingerprint": fingerprint(path), "load_in_4bit": False}
    return register(trainer, config, "reward", base, stats, started, extra)


def main(argv: list[str] | None = None) -> int:
    return run_cli(RewardRunConfig, train, argv, "python -m training.reward")


if __name__ == "__main__":
    raise SystemExit(main())
