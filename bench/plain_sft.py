"""A plain trl SFT script, the yardstick for ``bench.training``.

The same rows, model and LoRA settings as ``python -m training.sft``, with nothing of ours around trl (no
runner, callbacks or registry).

Prints one JSON line: the trainer's own ``train_runtime`` and input tokens seen.
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    data, steps, batch, out = argv[0], int(argv[1]), int(argv[2]), argv[3]
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    import prompts
    from training.base_model import resolve_base
    from training.formats import load_sft

    rows, _ = load_sft([data], system_prompt=prompts.render("system/direct"))  # the same rows ours trains on
    path, _ = resolve_base("default")
    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.pad_token = tokenizer.pad_token or tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    lora = LoraConfig(
        r=16,
        lora_alpha=32,
        lora_dropout=0.05,
        task_type="CAUSAL_LM",
        bias="none",
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    )
    args = SFTConfig(
        output_dir=out,
        max_steps=steps,
        per_device_train_batch_size=batch,
        learning_rate=1e-3,
        max_length=512,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        seed=42,
        use_cpu=True,
        lr_scheduler_type="cosine",
        warmup_steps=2,
        activation_checkpointing=False,
        include_num_input_tokens_seen=True,
        dataloader_num_workers=0,
        bf16=False,
    )  # trl defaults to bf16, which this CPU runs ~13x slower (65 s a step, not 5)
    trainer = SFTTrainer(
        model=model, args=args, train_dataset=Dataset.from_list(rows), processing_class=tokenizer, peft_config=lora
    )
    result = trainer.train()
    print(
        json.dumps(
            {
                "train_runtime": result.metrics["train_runtime"],
                "tokens": int(trainer.state.num_input_tokens_seen),
                "steps": trainer.state.global_step,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
