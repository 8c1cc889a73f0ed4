"""Anchor rows for a refresh: what the current version answers to a bank of everyday requests.

The requests are ``prompts/refresh/anchors.jsonl``; the rows are trained on beside the corrections.

A handful of corrections alone teaches a 135M model to answer every question with them (measured:
four corrections of one fact, 12 SFT steps, and "What is the capital of France?" got "Tailor's capital
is France's capital."). Replaying the model's own answers to unrelated requests anchors everything
else where it was; only the corrected questions move. Greedy answers, cut to whole sentences.
"""

from __future__ import annotations

import re
from typing import Any

import prompts
from training.registry import Registry

MAX_NEW_TOKENS = 48
_SENTENCE_END = re.compile(r"(?s)^(.*[.!?])")


def whole_sentences(text: str) -> str:
    """The text up to its last full stop, question or exclamation mark ("" when it has none)."""
    found = _SENTENCE_END.match(text.strip())
    return found.group(1).strip() if found else ""


def anchor_rows(name: str, count: int) -> list[dict[str, Any]]:
    """Up to ``count`` SFT rows: anchor requests with the answers ``name``'s current version (or the base) gives."""
    import torch

    from training.base_model import load_base, resolve_base

    requests = [row["input"] for row in prompts.records("refresh/anchors")][:count]
    if not requests:
        return []
    entry = Registry().current(name)
    spec = entry.manifest.get("base_model", {}).get("spec", "default") if entry else "default"
    path, _ = resolve_base(spec)
    model, tokenizer = load_base(path)
    if entry is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(entry.path))
    model.eval()
    system = prompts.render("system/direct")
    tokenizer.padding_side = "left"  # generation continues every row from its own end
    texts = [
        tokenizer.apply_chat_template(
            [{"role": "system", "content": system}, {"role": "user", "content": q}],
            tokenize=False,
            add_generation_prompt=True,
        )
        for q in requests
    ]
    batch = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(model.device)
    with torch.inference_mode():
        out = model.generate(
            **batch, max_new_tokens=MAX_NEW_TOKENS, do_sample=False, pad_token_id=tokenizer.pad_token_id
        )
    answers = tokenizer.batch_decode(out[:, batch["input_ids"].shape[1] :], skip_special_tokens=True)
    rows = []
    for request, answer in zip(requests, answers, strict=True):
        kept = whole_sentences(answer)
        if kept:
            rows.append({"messages": [{"role": "user", "content": request}, {"role": "assistant", "content": kept}]})
    return rows
