"""Training configs: dataclasses that load from YAML (``--config``) with CLI overrides, via trl's parser.

Every field's help text is what ``--help`` prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"
SFT_LR = 1e-3  # LoRA on a small model learns little at the 2e-4 common for 7B models
DEFAULT_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def _help(text: str, **extra: Any) -> dict[str, Any]:
    return {"help": text, **extra}


@dataclass
class CommonConfig:
    """The options every training run shares: data, base model, schedule, LoRA, checkpoints and the gate."""

    data: list[str] = field(default_factory=list, metadata=_help("JSONL data file(s); repeat --data or list several"))
    name: str = field(default="tailor", metadata=_help("adapter name in the registry"))
    base: str = field(default="default", metadata=_help("base model: 'default', a local folder, or a hub id"))
    max_steps: int = field(default=-1, metadata=_help("stop after this many optimiser steps (-1: use --epochs)"))
    epochs: float = field(default=5.0, metadata=_help("passes over the data when --max-steps is -1"))
    lr: float = field(default=SFT_LR, metadata=_help("peak learning rate (DPO's default is 5e-5)"))
    batch_size: int = field(default=8, metadata=_help("rows per device per step"))
    grad_accum: int = field(default=1, metadata=_help("gradient accumulation steps"))
    max_length: int = field(default=512, metadata=_help("longest tokenised row; longer rows are truncated"))
    lora_r: int = field(default=16, metadata=_help("LoRA rank"))
    lora_alpha: int = field(default=32, metadata=_help("LoRA alpha (scale = alpha / r)"))
    lora_dropout: float = field(default=0.05, metadata=_help("dropout on the LoRA path"))
    target_modules: list[str] = field(
        default_factory=lambda: list(DEFAULT_TARGETS), metadata=_help("modules that get LoRA weights, or 'all-linear'")
    )
    load_in_4bit: str = field(
        default="auto",
        metadata=_help(
            "QLoRA: load the base in 4-bit NF4 with double quantisation and bf16 compute; "
            "'auto' = on when CUDA is available",
            choices=["auto", "true", "false"],
        ),
    )
    eval_split: float = field(default=0.0, metadata=_help("fraction of rows held out for evaluation (0: none)"))
    early_stopping_patience: int = field(
        default=0, metadata=_help("stop after this many evals without improvement (0: off; needs --eval-split)")
    )
    save_steps: int = field(default=25, metadata=_help("write a checkpoint every N steps"))
    logging_steps: int = field(default=1, metadata=_help("log loss every N steps"))
    resume: str = field(
        default="",
        metadata=_help("resume from a checkpoint folder, or 'latest' (bare --resume) for this name's newest"),
    )
    report_to: str = field(
        default="none", metadata=_help("where to report metrics", choices=["none", "tensorboard", "wandb"])
    )
    gradient_checkpointing: bool = field(
        default=False, metadata=_help("trade compute for memory (useful for large models on GPU)")
    )
    seed: int = field(default=42, metadata=_help("random seed"))
    promote: bool = field(
        default=True, metadata=_help("make the new version current once it verifies (and passes the gate)")
    )
    gate: str = field(
        default="", metadata=_help("custom gate as 'module:function(entry)' that raises when a version is worse")
    )
    gate_suite: str = field(
        default="",
        metadata=_help(
            "eval suite the new version must not score worse on than current ('adapters' or 'rag'); empty: no eval gate"
        ),
    )
    gate_metric: str = field(default="token_f1", metadata=_help("the suite's metric the gate compares"))
    gate_tolerance: float = field(default=0.02, metadata=_help("how much lower than current the new version may score"))
    gate_limit: int = field(default=0, metadata=_help("gate on the suite's first N examples only (0: all)"))
    gate_judge: str = field(
        default="",
        metadata=_help(
            "judge for the gate's suite, e.g. 'reward:NAME' (with --gate-metric judge_reward) or a model spec"
        ),
    )


@dataclass
class SFTRunConfig(CommonConfig):
    """The options of an SFT run."""

    packing: bool = field(default=False, metadata=_help("pack several short rows into one sequence"))
    from_adapter: str = field(default="", metadata=_help("continue this adapter's current version (else a fresh LoRA)"))

    def __post_init__(self) -> None:
        if not self.data:
            self.data = [str(DATA_DIR / "sft.jsonl")]


@dataclass
class DPORunConfig(CommonConfig):
    """The options of a preference run: DPO, ORPO or SimPO."""

    from_adapter: str = field(
        default="", metadata=_help("start from this SFT adapter's current version (else the base)")
    )
    method: str = field(
        default="dpo",
        metadata=_help(
            "dpo (a reference model: the weights with the adapter off), orpo (SFT and preference in one run, no "
            "reference) or simpo (length-normalised, no reference)",
            choices=["dpo", "orpo", "simpo"],
        ),
    )
    loss: str = field(default="sigmoid", metadata=_help("DPO loss type: sigmoid (DPO), ipo, hinge, robust, ..."))
    beta: float = field(
        default=0.1,
        metadata=_help(
            "DPO/ORPO: pull towards the reference or the odds ratio's weight; SimPO: reward scale (2.0 is usual)"
        ),
    )
    simpo_gamma: float = field(default=0.5, metadata=_help("SimPO's target reward margin"))

    def __post_init__(self) -> None:
        if not self.data:
            self.data = [str(DATA_DIR / "preferences.jsonl")]
        if self.lr == SFT_LR:
            self.lr = 5e-5  # DPO moves further per step than SFT; a gentler default


# Flags that may be given bare, and the value a bare flag means.
BARE_FLAG_VALUES = {"--resume": "latest", "--load-in-4bit": "true", "--load_in_4bit": "true"}


def normalise_argv(argv: list[str]) -> list[str]:
    """Let ``--data`` repeat and ``--resume``/``--load-in-4bit`` stand bare, as users expect."""
    out: list[str] = []
    data: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--data":
            i += 1
            while i < len(argv) and not argv[i].startswith("--"):
                data.append(argv[i])
                i += 1
            continue
        out.append(arg)
        if arg in BARE_FLAG_VALUES and (i + 1 == len(argv) or argv[i + 1].startswith("--")):
            out.append(BARE_FLAG_VALUES[arg])
        i += 1
    return out + (["--data", *data] if data else [])


def parse(config_cls: type, argv: list[str] | None, prog: str) -> Any:
    import sys

    from trl import TrlParser

    parser = TrlParser((config_cls,), prog=prog)
    (config,) = parser.parse_args_and_config(normalise_argv(list(sys.argv[1:] if argv is None else argv)))
    return config


def as_dict(config: Any) -> dict[str, Any]:
    return asdict(config)


@dataclass
class KTORunConfig(CommonConfig):
    """The options of a KTO run (unpaired good and bad answers)."""

    from_adapter: str = field(
        default="", metadata=_help("start from this SFT adapter's current version (else the base)")
    )
    beta: float = field(default=0.1, metadata=_help("strength of the pull towards the reference model"))
    desirable_weight: float = field(default=0.0, metadata=_help("weight of good answers' loss (0: balance by counts)"))
    undesirable_weight: float = field(default=0.0, metadata=_help("weight of bad answers' loss (0: balance by counts)"))

    def __post_init__(self) -> None:
        if self.lr == SFT_LR:
            self.lr = 5e-5  # preference tuning moves gently; SFT's rate would swamp the reference


@dataclass
class RewardRunConfig(CommonConfig):
    """The options of a reward-model run."""

    eval_split: float = field(default=0.25, metadata=_help("fraction of pairs held out to report pair accuracy on"))
    center_rewards_coefficient: float = field(
        default=0.01, metadata=_help("pull the mean reward towards 0 (keeps scores comparable across versions; 0: off)")
    )

    def __post_init__(self) -> None:
        if not self.data:
            self.data = [str(DATA_DIR / "preferences.jsonl")]
        if self.lr == SFT_LR:
            self.lr = 2e-4  # the score head starts at random: a gentler rate than SFT's keeps it from swinging
