"""Output rails over a token stream: text reaches the client as it is generated, checked as it goes.

Written here because the guardrail libraries we know check a whole answer after generation,
which means buffering it; an agent that streams must check on the fly. Text is released a word at
a time, once the whitespace after it has arrived, so no word is ever split (profanity is masked
whole, a placeholder is restored whole). Words that could be part of personal data or a secret
(with digits, ``@``, ``<``, ``+``, brackets, or long runs of letters and digits) are held back until a
plain word follows, so a phone number, card or key is complete before any of it is shown; so are
URLs, and a Markdown link or an HTML tag is held from its opening bracket until it closes, so the
link rail judges it whole. A held run is released anyway past ``4 * hold`` characters, so the
delay is bounded. Leakage is looked for over the released text's last ``window`` characters plus
what is held back (a bounded look-behind); when it is found the stream stops and the caller ends
the message with a correction.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tools.guard.pii import find

_PLACEHOLDER = re.compile(r"<[A-Z]+_\d+>")
_WORD = re.compile(r"\S+\s+")
_SUSPICIOUS = re.compile(r"[\d@<>+()\[\]]|-----|[A-Za-z0-9_\-]{16,}|://|www\.")
# A Markdown link or image, or an HTML tag, still open: held whole so the link rail sees all of it.
_OPENED = re.compile(r"!?\[[^\]\n]*(?:\]\([^)\n]*)?$|!?\[[^\]\n]*\]$|<[A-Za-z][^>\n]*$")
HOLD = 64
WINDOW = 512


@dataclass
class StreamGuard:
    """The output rails over one streamed answer: releases checked whole words, holds back what may be data."""

    restore: Callable[[str], str] = lambda text: text  # put the user's own values back (vault)
    clean: Callable[[str], str] = lambda text: text  # replace or mask what must not be shown
    leak: Callable[[str], str | None] = lambda text: None  # a reason when the text leaks
    hold: int = HOLD
    window: int = WINDOW
    released: str = ""
    pending: str = ""
    stopped: str | None = None
    _recent: str = field(default="", repr=False)  # the last ``window`` released characters, as generated

    def feed(self, text: str) -> str:
        """Take generated text; return what may be shown now ("" while held back or once stopped)."""
        if self.stopped:
            return ""
        self.pending += text
        if self._check():
            return ""
        return self._release(self._safe_cut())

    def finish(self) -> str:
        """The end of generation: release what is held back, unless it leaks."""
        if self.stopped or self._check():
            return ""
        return self._release(len(self.pending))

    def _check(self) -> bool:
        reason = self.leak(self._recent + self.pending)
        if reason:
            self.stopped, self.pending = reason, ""
        return bool(reason)

    def _safe_cut(self) -> int:
        """How much of the held text may be shown now: whole words, none that could be data still arriving."""
        pending = self.pending
        words = list(_WORD.finditer(pending))  # complete words: the whitespace after them has arrived
        cut = words[-1].end() if words else 0
        for word in reversed(words):  # hold back a trailing run of words that could be personal data
            if not _SUSPICIOUS.search(word.group(0)):
                break
            cut = word.start()
        opened = _OPENED.search(pending[:cut])
        if opened:
            cut = opened.start()
        spans = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(pending)]
        spans += [(f.start, f.end) for f in find(pending)]
        for start, end in spans:
            if start < cut < end:
                cut = start
        if cut == 0 and len(pending) > 4 * self.hold:  # bounded: never hold more than this
            return words[-1].end() if words else len(pending) - self.hold
        return cut

    def _release(self, cut: int) -> str:
        if cut <= 0:
            return ""
        raw, self.pending = self.pending[:cut], self.pending[cut:]
        self._recent = (self._recent + raw)[-self.window :]
        shown = self.clean(self.restore(raw))
        self.released += shown
        return shown
