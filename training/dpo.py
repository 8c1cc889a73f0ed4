"""Preference tuning: ``python -m training.dpo --data prefs.jsonl --name NAME [--method dpo|orpo|simpo]``.

Starts from the base model, or with ``--from-adapter`` from an SFT adapter's current version,
whose LoRA weights are loaded *trainable* (a frozen adapter would leave DPO nothing to learn).
DPO (and IPO, hinge, ... with ``--loss``): the reference model is the same weights with the adapter
disabled, as trl does for peft models. ORPO (trl's ORPOTrainer) does SFT and preference in one run,
and SimPO (CPOTrainer with the simpo loss) normalises rewards by length; neither needs a reference.
"""

from __future__ import annotations

import time

from training.config import DPORunConfig
from training.registry import check_name
from training.runner import (
    callbacks,
    fit,
    preference_rows,
    prepare_start,
    register,
    reward_margins,
    run_cli,
    split,
    trainer_arguments,
)


def train(config: DPORunConfig):
    from trl import DPOConfig, DPOTrainer

    check_name(config.name)
    started = time.perf_counter()
    rows, stats = preference_rows(config.data)
    train_set, eval_set = split(rows, config.eval_split, config.seed)
    start = prepare_start(config, config.method)
    model = start.model
    common = dict(
        args=None,
        train_dataset=train_set,
        eval_dataset=eval_set,
        processing_class=start.tokenizer,
        peft_config=start.peft_config,
        callbacks=callbacks(config, eval_set is not None),
    )
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
    fit(trainer, start.resume)
    extra = {
        "resumed_from": start.resume,
        "method": config.method,
        "loss_type": config.loss if config.method == "dpo" else config.method,
        **({"simpo_gamma": config.simpo_gamma} if config.method == "simpo" else {}),
        "beta": config.beta,
        "from_adapter": start.continued(),
        **reward_margins(trainer.state.log_history),
    }
    return register(trainer, config, config.method, start.base, stats, started, extra)


def main(argv: list[str] | None = None) -> int:
    return run_cli(DPORunConfig, train, argv, "python -m training.dpo")


if __name__ == "__main__":
    raise SystemExit(main())
