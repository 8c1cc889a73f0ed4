"""The feedback store: what users (and the output rails) said about answers, in SQLite.

One row per piece of feedback: the question, the answer it is about, a score (0-1: 1 good,
0 bad), an optional correction and comment, who gave it, and where the answer came from (thread,
run, adapter, strategy). ``source`` is ``user`` for people and ``output_rail`` for answers the
output guardrails replaced (those are kept as rejected examples for preference tuning).

Every write is one committed transaction (WAL): a kill never leaves half a row. The file lives at
``TAILOR_DATA_DIR/feedback.sqlite``; the server, ``graph.chat`` and ``training.feedback`` share it.
"""

from __future__ import annotations

import math
import sqlite3
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tools.settings import get_settings

MAX_TEXT = 16_000
MAX_COMMENT = 2_000
SOURCES = ("user", "output_rail")


class FeedbackError(ValueError):
    """Feedback that cannot be stored; the message says which field is wrong and how to fix it."""


@dataclass
class Feedback:
    """One piece of feedback on an answer, as stored: one row of the feedback table."""

    question: str
    answer: str
    score: float
    owner: str = "local"
    correction: str = ""
    comment: str = ""
    thread_id: str = ""
    run_id: str = ""
    message_id: str = ""
    adapter: str = ""
    strategy: str = ""
    source: str = "user"
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def good(self) -> bool:
        return self.score >= 0.5

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_score(value: Any) -> float:
    """A score from JSON or a command line: a number in [0, 1], true/false, or good/bad/up/down."""
    words = {"good": 1.0, "up": 1.0, "+1": 1.0, "bad": 0.0, "down": 0.0, "-1": 0.0}
    if isinstance(value, str) and value.strip().lower() in words:
        return words[value.strip().lower()]
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)) and math.isfinite(value) and 0.0 <= value <= 1.0:
        return float(value)
    raise FeedbackError(
        f"score {value!r} is not valid; give a number from 0 (bad) to 1 (good), true/false, or good/bad."
    )


def validate(item: Feedback) -> Feedback:
    item.score = parse_score(item.score)
    for name, limit in (
        ("question", MAX_TEXT),
        ("answer", MAX_TEXT),
        ("correction", MAX_TEXT),
        ("comment", MAX_COMMENT),
    ):
        value = getattr(item, name)
        if not isinstance(value, str):
            raise FeedbackError(f"{name} must be text, not {type(value).__name__}.")
        if len(value) > limit:
            raise FeedbackError(f"{name} has {len(value)} characters; the limit is {limit}.")
    if not item.answer.strip():
        raise FeedbackError("there is no answer to give feedback on; ask something first.")
    if item.source not in SOURCES:
        raise FeedbackError(f"source {item.source!r} is not one of {', '.join(SOURCES)}.")
    return item


COLUMNS = [f.name for f in fields(Feedback)]
_TYPED = ", ".join(f"{name} REAL" if name == "score" else f"{name} TEXT" for name in COLUMNS)
SCHEMA = f"""CREATE TABLE IF NOT EXISTS feedback (
    {_TYPED},
    PRIMARY KEY (id))"""


def store_path() -> Path:
    return get_settings().data_dir / "feedback.sqlite"


class FeedbackStore:
    """Blocking SQLite access; call it from a worker thread on an event loop."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path or store_path())

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(SCHEMA)
        conn.execute("CREATE INDEX IF NOT EXISTS feedback_owner ON feedback (owner, created)")
        conn.row_factory = sqlite3.Row
        return conn

    def add(self, item: Feedback) -> Feedback:
        validate(item)
        with self._connect() as conn:  # commits on success, rolls back on error
            conn.execute(
                f"INSERT INTO feedback ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                [getattr(item, name) for name in COLUMNS],
            )
        return item

    def list(self, owner: str | None = None, limit: int = 100, offset: int = 0) -> list[Feedback]:
        """Newest first; ``owner=None`` lists everyone's (for export, never for a request)."""
        query = "SELECT * FROM feedback"
        args: list[str | int] = []
        if owner is not None:
            query, args = query + " WHERE owner = ?", [owner]
        query += " ORDER BY created DESC, rowid DESC"
        if limit > 0:
            query, args = query + " LIMIT ? OFFSET ?", [*args, limit, max(offset, 0)]
        if not self.path.is_file():
            return []
        with self._connect() as conn:
            return [Feedback(**dict(row)) for row in conn.execute(query, args)]

    def get(self, feedback_id: str, owner: str | None = None) -> Feedback | None:
        if not self.path.is_file():
            return None
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM feedback WHERE id = ?", [feedback_id]).fetchone()
        if row is None or (owner is not None and row["owner"] != owner):
            return None  # another user's feedback is as absent as a missing one
        return Feedback(**dict(row))
