"""``python -m training.feedback export --sft OUT --dpo OUT --kto OUT``: feedback becomes training data.

SFT rows (chat messages): every correction, and every answer rated good (score >= 0.5).
KTO rows (prompt/completion/label, for ``training.kto``): every single thumb, unpaired: an answer
rated good is desirable, one rated bad (or corrected, or replaced by the output rails) is
undesirable, and a correction is desirable.
DPO pairs (prompt/chosen/rejected): a correction is chosen over the answer it corrects; a bad
answer is rejected against a good answer or correction to the same question when one exists;
answers the output rails replaced are rejected against what was shown instead. Personal data is
replaced by typed placeholders unless ``--keep-personal-data``. Files are written whole or not at
all; ``--json`` ends with one line of counts. ``python -m training.feedback list`` shows the store.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tools.feedback import Feedback, FeedbackStore


def _key(question: str) -> str:
    return " ".join(question.lower().split())


def _clean(text: str, keep_personal_data: bool) -> str:
    if keep_personal_data:
        return text
    from tools.guard.pii import redact

    return redact(text)[0]


def build_rows(
    items: Iterable[Feedback], keep_personal_data: bool = False
) -> tuple[list[dict], list[dict], dict[str, int]]:
    """(SFT rows, DPO rows, counts) from feedback, oldest first, without duplicates."""
    items = sorted((i for i in items if i.question.strip() and i.answer.strip()), key=lambda i: i.created)
    good_by_question: dict[str, str] = {}
    for item in items:
        if item.correction.strip():
            good_by_question[_key(item.question)] = item.correction  # a correction beats a merely good answer
        elif item.good and _key(item.question) not in good_by_question:
            good_by_question[_key(item.question)] = item.answer
    sft: dict[tuple[str, str], dict] = {}
    dpo: dict[tuple[str, str, str], dict] = {}
    skipped = 0
    for item in items:
        question = _clean(item.question, keep_personal_data)
        if item.source == "user" and (item.correction.strip() or item.good):
            target = _clean(item.correction.strip() or item.answer, keep_personal_data)
            sft[(question, target)] = {
                "messages": [{"role": "user", "content": question}, {"role": "assistant", "content": target}]
            }
        if item.good and not item.correction.strip():
            continue
        chosen = item.correction.strip() or good_by_question.get(_key(item.question), "")
        if not chosen or _key(chosen) == _key(item.answer):
            skipped += 1  # a bad answer with nothing better to prefer teaches nothing
            continue
        pair = (question, _clean(chosen, keep_personal_data), _clean(item.answer, keep_personal_data))
        dpo[pair] = {"prompt": pair[0], "chosen": pair[1], "rejected": pair[2]}
    counts = {
        "feedback": len(items),
        "sft_rows": len(sft),
        "dpo_pairs": len(dpo),
        "bad_without_better": skipped,
        "from_output_rails": sum(1 for i in items if i.source == "output_rail"),
    }
    return list(sft.values()), list(dpo.values()), counts


def build_unpaired(items: Iterable[Feedback], keep_personal_data: bool = False) -> tuple[list[dict], dict[str, int]]:
    """(KTO rows, counts): one labelled answer per thumb, and each correction as a good answer."""
    rows: dict[tuple[str, str], dict] = {}
    for item in sorted((i for i in items if i.question.strip() and i.answer.strip()), key=lambda i: i.created):
        question = _clean(item.question, keep_personal_data)
        labelled = [(item.answer, item.good and not item.correction.strip())]
        if item.correction.strip():
            labelled.append((item.correction.strip(), True))
        for text, label in labelled:
            answer = _clean(text, keep_personal_data)
            rows[(question, answer)] = {
                "prompt": question,
                "completion": answer,
                "label": label,
            }  # the latest word wins
    good = sum(1 for r in rows.values() if r["label"])
    return list(rows.values()), {"kto_rows": len(rows), "kto_desirable": good, "kto_undesirable": len(rows) - good}


def write_jsonl(path: Path, rows: list[dict]) -> None:
    """Write all rows or nothing: a temporary file renamed over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", dir=path.parent, prefix=f".{path.name}.", delete=False, encoding="utf-8"
    ) as tmp:
        for row in rows:
            tmp.write(json.dumps(row, ensure_ascii=False) + "\n")
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.feedback", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    export = sub.add_parser("export", help="write SFT rows and DPO pairs from the feedback store")
    export.add_argument("--sft", type=Path, default=None, help="SFT JSONL to write")
    export.add_argument("--dpo", type=Path, default=None, help="DPO JSONL to write")
    export.add_argument("--kto", type=Path, default=None, help="KTO JSONL (unpaired, labelled) to write")
    export.add_argument(
        "--store", type=Path, default=None, help="feedback database (default TAILOR_DATA_DIR/feedback.sqlite)"
    )
    export.add_argument(
        "--keep-personal-data", action="store_true", help="do not replace personal data by placeholders"
    )
    export.add_argument("--min-pairs", type=int, default=0, help="exit 3 when fewer DPO pairs than this were found")
    export.add_argument("--json", action="store_true", help="end with one JSON line of counts")
    listing = sub.add_parser("list", help="the newest feedback, one JSON object per line")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--store", type=Path, default=None)
    args = parser.parse_args(argv)

    store = FeedbackStore(args.store)
    if args.command == "list":
        for item in store.list(limit=args.limit):
            print(json.dumps(item.as_dict(), ensure_ascii=False))
        return 0
    if args.sft is None and args.dpo is None and args.kto is None:
        parser.error("give --sft OUT, --dpo OUT, --kto OUT, or several")
    items = store.list(limit=0)
    sft, dpo, counts = build_rows(items, keep_personal_data=args.keep_personal_data)
    kto, kto_counts = build_unpaired(items, keep_personal_data=args.keep_personal_data)
    counts.update(kto_counts)
    if args.sft is not None:
        write_jsonl(args.sft, sft)
    if args.dpo is not None:
        write_jsonl(args.dpo, dpo)
    if args.kto is not None:
        write_jsonl(args.kto, kto)
    report: dict[str, Any] = {
        **counts,
        "sft": str(args.sft or ""),
        "dpo": str(args.dpo or ""),
        "kto": str(args.kto or ""),
    }
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"{counts['feedback']} pieces of feedback -> {counts['sft_rows']} SFT rows, {counts['dpo_pairs']} DPO pairs "
            f"({counts['bad_without_better']} bad answers had nothing better to pair with), {counts['kto_rows']} KTO rows "
            f"({counts['kto_desirable']} good, {counts['kto_undesirable']} bad)"
        )
    if counts["dpo_pairs"] < args.min_pairs:
        print(
            f"error: only {counts['dpo_pairs']} DPO pairs (need {args.min_pairs}); collect more feedback with "
            "corrections (/fix in graph.chat, or POST /feedback with a correction).",
            file=sys.stderr,
        )
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
