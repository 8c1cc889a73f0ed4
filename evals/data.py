"""Reading an eval's JSONL rows, with errors that name the file and line."""

from __future__ import annotations

import json
from pathlib import Path


def read_rows(path: Path, required: tuple[str, ...]) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SystemExit(f"{path}:{number}: not valid JSON ({exc.msg}).")
        missing = [key for key in required if key not in row]
        if missing:
            raise SystemExit(f"{path}:{number}: missing {', '.join(missing)}.")
        rows.append(row)
    return rows
