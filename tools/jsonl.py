"""Reading JSON Lines: one parsed value per non-blank line, and errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


class JSONLError(ValueError):
    """A line that is not valid JSON; the message reads ``name:line: not valid JSON (...)``."""


def parse_lines(lines: Iterable[str], name: str) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for every non-blank line of ``lines``."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as err:
            raise JSONLError(f"{name}:{number}: not valid JSON ({err.msg} at column {err.colno}).") from None
        yield number, value


def read_values(path: Path) -> list[Any]:
    """Every value in a JSON Lines file, in order."""
    return [value for _, value in parse_lines(path.read_text(encoding="utf-8").splitlines(), str(path))]
