"""What SFT and DPO runs share: devices, LoRA config, checkpoints, the manifest, registering."""

from __future__ import annotations

import json
import logging
import platform
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tools.disk import disk_message
from tools.settings import get_settings
from training.config import CommonConfig, as_dict
from training.formats import LoadStats
from training.gguf import write_at_promotion
from training.plots import write_curves
from training.registry import AdapterVersion, Registry, RegistryError, check_name

log = logging.getLogger("training")


class TrainingError(RuntimeError):
    """A training run that cannot start or finish; nothing is registered."""


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def wants_4bit(config: CommonConfig) -> bool:
    if config.load_in_4bit == "auto":
        return cuda_available()
    return config.load_in_4bit == "true"


def lora_config(config: CommonConfig, task_type: str = "CAUSAL_LM") -> Any:
    """The LoRA for a run; a reward model's (``SEQ_CLS``) also trains and saves its new score head."""
    from peft import LoraConfig

    targets: Any = config.target_modules
    if targets == ["all-linear"]:
        targets = "all-linear"
    return LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=targets,
        task_type=task_type,
        bias="none",
        modules_to_save=["score"] if task_type == "SEQ_CLS" else None,
    )


def starting_adapter(config: Any) -> AdapterVersion | None:
    """The adapter version a run continues (``--from-adapter``), with ``config.base`` set to its base."""
    if not getattr(config, "from_adapter", ""):
        return None
    entry = Registry().get(check_name(config.from_adapter))
    base_spec = entry.manifest["base_model"]["spec"]
    if config.base not in ("default", base_spec):
        raise TrainingError(f"--from-adapter {config.from_adapter} was trained on {base_spec!r}, not {config.base!r}.")
    config.base = base_spec
    return entry


def with_adapter(model: Any, entry: AdapterVersion | None, peft_config: Any) -> tuple[Any, Any]:
    """(model, peft config for the trainer) for a run that continues ``entry``, or one that starts a fresh LoRA.

    Continuing, the adapter's LoRA weights are loaded *trainable* (a frozen adapter would leave nothing to learn);
    else the fresh LoRA config.
    """
    if entry is None:
        return model, peft_config
    from peft import PeftModel

    return PeftModel.from_pretrained(model, str(entry.path), is_trainable=True), None  # already attached


@dataclass
class Start:
    """What a run starts from: the model, its tokenizer, its LoRA config, the checkpoint to resume, the base's record.

    The model comes with the adapter it continues, if any; the LoRA config (for the trainer) is None when continuing.
    """

    model: Any
    tokenizer: Any
    peft_config: Any
    adapter: AdapterVersion | None
    resume: str | None
    base: dict[str, Any]

    def continued(self) -> str | None:
        return f"{self.adapter.name}:{self.adapter.version}" if self.adapter else None


def prepare_start(config: Any, kind: str) -> Start:
    from training.base_model import fingerprint, load_base, resolve_base

    resume = resume_checkpoint(config, kind)
    adapter = starting_adapter(config)
    path, model_id = resolve_base(config.base)
    four_bit = wants_4bit(config)
    model, tokenizer = load_base(path, load_in_4bit=four_bit)
    model, peft_config = with_adapter(model, adapter, lora_config(config))
    base = {"spec": config.base, "id": model_id, "fingerprint": fingerprint(path), "load_in_4bit": four_bit}
    return Start(model, tokenizer, peft_config, adapter, resume, base)


def reward_margins(history: list[dict[str, Any]]) -> dict[str, Any]:
    """The preference trainers' reward margin per logged step, first and last."""
    margins = [{"step": e["step"], "margin": e["rewards/margins"]} for e in history if "rewards/margins" in e]
    return {
        "reward_margins": margins,
        "first_margin": margins[0]["margin"] if margins else None,
        "final_margin": margins[-1]["margin"] if margins else None,
    }


def run_dir(name: str, kind: str) -> Path:
    """Where a run's checkpoints live: stable per name, so --resume finds them."""
    return get_settings().data_dir / "runs" / f"{name}-{kind}"


def resume_checkpoint(config: CommonConfig, kind: str) -> str | None:
    if not config.resume:
        return None
    if config.resume != "latest":
        if not Path(config.resume).is_dir():
            raise TrainingError(f"--resume {config.resume}: no such checkpoint folder.")
        return config.resume
    folder = run_dir(config.name, kind)
    complete = [c for c in checkpoints(folder) if is_complete_checkpoint(c)]
    if not complete:
        raise TrainingError(f"--resume: no complete checkpoint under {folder}; run without --resume to start afresh.")
    return str(complete[-1])


def checkpoints(folder: Path) -> list[Path]:
    """The trainer's ``checkpoint-N`` folders, oldest first."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("checkpoint-*") if p.is_dir() and p.name.split("-")[-1].isdigit()]
    return sorted(found, key=lambda p: int(p.name.split("-")[-1]))


def is_complete_checkpoint(folder: Path) -> bool:
    """Whether ``folder`` is a whole checkpoint, not half of one.

    The trainer writes ``trainer_state.json`` after the weights and optimizer: without it (a kill or a full disk
    while saving), the folder is half a checkpoint.
    """
    try:
        json.loads((folder / "trainer_state.json").read_text())
    except (OSError, ValueError):
        return False
    return True


def discard_incomplete_checkpoints(folder: Path) -> list[Path]:
    """Remove half-written checkpoints, so neither a resume nor a person takes one for a real one."""
    import shutil

    removed = [c for c in checkpoints(folder) if not is_complete_checkpoint(c)]
    for checkpoint in removed:
        shutil.rmtree(checkpoint, ignore_errors=True)
    return removed


def trainer_arguments(config: CommonConfig, kind: str, has_eval: bool) -> dict[str, Any]:
    """Arguments every trl config here takes, mapped from our field names."""
    import torch

    cuda = torch.cuda.is_available()
    args: dict[str, Any] = dict(
        output_dir=str(run_dir(config.name, kind)),
        max_steps=config.max_steps,
        num_train_epochs=config.epochs,
        learning_rate=config.lr,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.grad_accum,
        max_length=config.max_length,
        logging_steps=config.logging_steps,
        save_steps=config.save_steps,
        save_strategy="steps",
        save_total_limit=2,
        report_to=[] if config.report_to == "none" else [config.report_to],
        seed=config.seed,
        activation_checkpointing=config.gradient_checkpointing,
        bf16=cuda and torch.cuda.is_bf16_supported(),
        use_cpu=not cuda,
        lr_scheduler_type="cosine",
        warmup_steps=2,
        dataloader_num_workers=0,
        include_num_input_tokens_seen=True,
        disable_tqdm=False,
    )
    if has_eval:
        args.update(
            eval_strategy="steps",
            eval_steps=max(1, config.save_steps),
            load_best_model_at_end=config.early_stopping_patience > 0,
            metric_for_best_model="eval_loss",
            greater_is_better=False,
        )
    return args


def preference_rows(paths: list[str]) -> tuple[list[dict[str, Any]], Any]:
    """The pairs in ``paths`` under the direct system prompt, with what was kept said on stdout."""
    import prompts
    from training.formats import load_preferences

    rows, stats = load_preferences(paths, system_prompt=prompts.render("system/direct"))
    print(
        f"data: {stats.kept} pairs kept of {stats.rows} ({stats.dropped_duplicates} duplicates, "
        f"{stats.dropped_empty} empty or identical dropped) from {', '.join(stats.files)}"
    )
    return rows, stats


def split(rows: list[dict[str, Any]], fraction: float, seed: int) -> tuple[Any, Any]:
    from datasets import Dataset

    dataset = Dataset.from_list(rows)
    if fraction <= 0:
        return dataset, None
    if not 0 < fraction < 0.9 or int(len(rows) * fraction) < 1:
        raise TrainingError(
            f"--eval-split {fraction} leaves no eval rows out of {len(rows)}; use a larger fraction or 0."
        )
    parts = dataset.train_test_split(test_size=fraction, seed=seed)
    return parts["train"], parts["test"]


def _loss_in_progress_bar() -> Any:
    """A progress callback whose bar shows the latest loss beside the step count and ETA."""
    from transformers.trainer_callback import ProgressCallback

    class LossProgress(ProgressCallback):
        def on_log(self, args, state, control, logs=None, **kwargs):
            if self.training_bar is not None and logs and "loss" in logs:
                self.training_bar.set_postfix(loss=f"{float(logs['loss']):.4f}", refresh=False)
            return super().on_log(args, state, control, logs=logs, **kwargs)

    return LossProgress()


def fit(trainer: Any, resume: str | None) -> None:
    """Train with the loss shown in the progress bar, resuming from ``resume`` when given."""
    from transformers.trainer_callback import ProgressCallback

    # Remove the default bar by instance: removing by class would match our subclass too.
    for default in [cb for cb in trainer.callback_handler.callbacks if type(cb) is ProgressCallback]:
        trainer.remove_callback(default)
    trainer.add_callback(_loss_in_progress_bar())
    try:
        trainer.train(resume_from_checkpoint=resume)
    except BaseException:
        discard_incomplete_checkpoints(Path(trainer.args.output_dir))
        raise


def callbacks(config: CommonConfig, has_eval: bool) -> list[Any]:
    extra: list[Any] = []
    if config.early_stopping_patience > 0:
        if not has_eval:
            raise TrainingError("--early-stopping-patience needs --eval-split > 0 to have something to watch.")
        from transformers import EarlyStoppingCallback

        extra.append(EarlyStoppingCallback(early_stopping_patience=config.early_stopping_patience))
    return extra


def peak_memory_mb() -> float:
    import torch

    if torch.cuda.is_available():
        return torch.cuda.max_memory_allocated() / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def library_versions() -> dict[str, str]:
    import peft
    import torch
    import transformers
    import trl

    return {
        "trl": trl.__version__,
        "peft": peft.__version__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
    }


def register(
    trainer: Any,
    config: CommonConfig,
    kind: str,
    base: dict[str, Any],
    stats: LoadStats,
    started: float,
    extra_metrics: dict[str, Any] | None = None,
) -> AdapterVersion:
    """Save the adapter to staging, write curves and manifest, commit as a version, maybe promote."""
    from training.verify import eval_gate_options, verify_or_raise

    registry = Registry()
    staging = registry.stage(config.name)
    try:
        trainer.model.save_pretrained(str(staging))
        history = trainer.state.log_history
        duration = time.perf_counter() - started
        tokens = int(getattr(trainer.state, "num_input_tokens_seen", 0) or 0)
        losses = [e["loss"] for e in history if "loss" in e]
        metrics = {
            "train_loss": [{"step": e["step"], "loss": e["loss"]} for e in history if "loss" in e],
            "eval_loss": [{"step": e["step"], "loss": e["eval_loss"]} for e in history if "eval_loss" in e],
            "first_train_loss": losses[0] if losses else None,
            "final_train_loss": losses[-1] if losses else None,
            "steps": trainer.state.global_step,
            "duration_seconds": round(duration, 2),
            "steps_per_second": round(trainer.state.global_step / duration, 4) if duration else None,
            "tokens_seen": tokens,
            "tokens_per_second": round(tokens / duration, 1) if duration and tokens else None,
            "peak_memory_mb": round(peak_memory_mb(), 1),
            "eval_score": None,
            **(extra_metrics or {}),
        }
        write_curves(history, staging / "curves.png", f"{config.name} ({kind})")
        (staging / "log_history.json").write_text(json.dumps(history, indent=1))
        manifest = {
            "name": config.name,
            "kind": kind,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "base_model": base,
            "data": stats.as_dict(),
            "config": as_dict(config),
            "versions": library_versions(),
            "metrics": metrics,
            "command": " ".join(sys.argv),
        }
        entry = registry.commit(config.name, staging, manifest)
    except BaseException:
        registry.discard(staging)  # never leave half an adapter behind
        raise
    print(f"registered {entry.name} {entry.version} at {entry.path}")
    if config.promote:
        options = eval_gate_options(
            config.gate_suite, config.gate_metric, config.gate_tolerance, config.gate_limit, config.gate_judge
        )
        try:
            registry.promote(
                entry.name, entry.version, check=lambda e: verify_or_raise(e, gate=config.gate, gate_options=options)
            )
            print(f"promoted {entry.name} {entry.version} to current")
            if kind != "reward":  # llama.cpp serves language-model adapters; a reward model is read by transformers
                write_at_promotion(entry.path)
        except RegistryError as err:
            print(f"not promoted: {err}", file=sys.stderr)
    return entry


def run_cli(config_cls: type, train: Callable[[Any], AdapterVersion], argv: list[str] | None, prog: str) -> int:
    """The entry point both ``training.sft`` and ``training.dpo`` share: parse, train, report errors."""
    from training.config import parse
    from training.formats import DataError

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = parse(config_cls, argv, prog)
    try:
        train(config)
    except (DataError, TrainingError, RegistryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Exception as err:
        message = disk_message(
            err,
            get_settings().data_dir,
            "no adapter version was registered, the current one is unchanged, and no half-written checkpoint was kept",
        )
        if message is None:
            raise
        print(f"error: {message}", file=sys.stderr)
        return 2
    return 0
