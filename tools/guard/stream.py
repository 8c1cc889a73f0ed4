"""Output rails over a token stream: text reaches the client as it is generated, checked as it goes.

Written here because the guardrail libraries we know check a whole answer after generation,
which means buffering it; an agent that streams must check on the fly. Text is held back by at
most ``hold`` characters: long enough that a placeholder, an e-mail address or a card number is
complete before any of it is released, so it can be restored, replaced or masked whole. Leakage
is looked for over the released text's last ``window`` characters plus what is held back (a
bounded look-behind); when it is found the stream stops and the caller ends the message with a
correction. Releases are cut at whitespace, so words are never split (profanity is masked whole).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tools.guard.pii import find

_PLACEHOLDER = re.compile(r"<[A-Z]+_\d+>")
HOLD = 64
WINDOW = 512


@dataclass
class StreamGuard:
    restore: Callable[[str], str] = lambda text: text  # put the user's own values back (vault)
    clean: Callable[[str], str] = lambda text: text  # replace or mask what must not be shown
    leak: Callable[[str], str | None] = lambda text: None  # a reason when the text leaks
    hold: int = HOLD
    window: int = WINDOW
    released: str = ""
    pending: str = ""
    stopped: str | None = None
    _raw_released: str = field(default="", repr=False)

    def feed(self, text: str) -> str:
        """Take generated text; return what may be shown now ("" while held back or once stopped)."""
        if self.stopped:
            return ""
        self.pending += text
        if self._check():
            return ""
        cut = self._safe_cut(len(self.pending) - self.hold)
        return self._release(cut)

    def finish(self) -> str:
        """The end of generation: release what is held back, unless it leaks."""
        if self.stopped or self._check():
            return ""
        return self._release(len(self.pending))

    def _check(self) -> bool:
        reason = self.leak(self._raw_released[-self.window :] + self.pending)
        if reason:
            self.stopped, self.pending = reason, ""
        return bool(reason)

    def _safe_cut(self, cut: int) -> int:
        if cut <= 0:
            return 0
        spans = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(self.pending)]
        spans += [(f.start, f.end) for f in find(self.pending)]
        for start, end in spans:
            if start < cut < end:
                cut = start
        space = max(self.pending.rfind(" ", 0, cut + 1), self.pending.rfind("\n", 0, cut + 1))
        if space > 0:
            return space
        # No whitespace in reach: release anyway once far behind, so a long token cannot stall the stream.
        return cut if len(self.pending) > 4 * self.hold else 0

    def _release(self, cut: int) -> str:
        if cut <= 0:
            return ""
        raw, self.pending = self.pending[:cut], self.pending[cut:]
        self._raw_released += raw
        shown = self.clean(self.restore(raw))
        self.released += shown
        return shown
