"""Reading an eval's JSONL rows, with errors that name the file and line."""

from __future__ import annotations

from pathlib import Path

from tools.jsonl import JSONLError, parse_lines


def read_rows(path: Path, required: tuple[str, ...]) -> list[dict]:
    rows = []
    try:
        parsed = list(parse_lines(path.read_text(encoding="utf-8").splitlines(), str(path)))
    except JSONLError as exc:
        raise SystemExit(str(exc)) from None
    for number, row in parsed:
        missing = [key for key in required if key not in row]
        if missing:
            raise SystemExit(f"{path}:{number}: missing {', '.join(missing)}.")
        rows.append(row)
    return rows
